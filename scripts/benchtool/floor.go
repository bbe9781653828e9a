package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// serveFloor runs the floor: for any request with one of the bearer tokens
// in $BENCH_FLOOR_TOKENS (comma-separated), it drains the body and answers
// 200 with a JSON document of exactly the size the path /bytes/{n} asks for.
// It prints its address on the first line of stdout.
func serveFloor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var hashes [][32]byte
	for t := range strings.SplitSeq(os.Getenv("BENCH_FLOOR_TOKENS"), ",") {
		hashes = append(hashes, sha256.Sum256([]byte(t)))
	}
	authorized := func(header string) bool {
		secret, ok := strings.CutPrefix(header, "Bearer ")
		sum := sha256.Sum256([]byte(secret))
		found := 0
		for _, h := range hashes {
			found |= subtle.ConstantTimeCompare(sum[:], h[:])
		}
		return ok && found == 1
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/bytes/{n}", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if !authorized(r.Header.Get("Authorization")) {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 12 || n > 1<<20 {
			http.Error(w, `{"error":"bad size"}`, http.StatusBadRequest)
			return
		}
		body := make([]byte, 0, n)
		body = append(body, `{"pad":"`...)
		for len(body) < n-2 {
			body = append(body, 'x')
		}
		body = append(body, `"}`...)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: mux}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
