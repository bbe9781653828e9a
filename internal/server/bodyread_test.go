package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/store/storetest"
)

// TestBrokenBodies sends, over raw TCP on loopback, a body that is cut
// short, one whose client resets the connection mid-body, and one that
// stalls past the server's read timeout. Each is the client's failure: a
// 400 or 408 (when an answer can still be sent) and an INFO request line,
// never 500 internal_error and an ERROR line.
func TestBrokenBodies(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	const readTimeout = 300 * time.Millisecond
	hs := &http.Server{Handler: e.srv, ReadTimeout: readTimeout}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	head := func(length int, requestID string) string {
		return fmt.Sprintf("POST /v1/customers HTTP/1.1\r\nHost: oriel.test\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\nX-Request-Id: %s\r\n\r\n", e.secret, length, requestID)
	}
	partial := `{"external_id":"acme","na`
	dial := func() *net.TCPConn {
		c, err := net.Dial("tcp", ln.Addr().String())
		must(t, err)
		t.Cleanup(func() { c.Close() })
		return c.(*net.TCPConn)
	}
	answer := func(c net.Conn) *http.Response {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		must(t, err)
		resp.Body.Close()
		return resp
	}

	t.Run("truncated", func(t *testing.T) {
		c := dial()
		fmt.Fprint(c, head(200, "truncated")+partial)
		c.CloseWrite() // the body ends 175 bytes early
		if resp := answer(c); resp.StatusCode != 400 {
			t.Fatalf("truncated body: status %d, want 400", resp.StatusCode)
		}
		waitForLog(t, e, "truncated", `"status":400,`, `"code":"body_incomplete"`)
	})
	t.Run("stalled", func(t *testing.T) {
		c := dial()
		fmt.Fprint(c, head(200, "stalled")+partial) // and nothing more
		if resp := answer(c); resp.StatusCode != 408 {
			t.Fatalf("stalled body: status %d, want 408", resp.StatusCode)
		}
		waitForLog(t, e, "stalled", `"status":408,`, `"code":"body_timeout"`)
	})
	t.Run("reset", func(t *testing.T) {
		c := dial()
		// With Expect: 100-continue the server answers 100 once the handler
		// reads the body, so the reset surely comes mid-body.
		fmt.Fprint(c, strings.Replace(head(200, "reset"), "\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n", 1))
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.Contains(line, "100 Continue") {
			t.Fatalf("waiting for 100 Continue: %q, %v", line, err)
		}
		fmt.Fprint(c, partial)
		c.SetLinger(0) // close sends RST
		c.Close()
		waitForLog(t, e, "reset", `"status":400,`, `"code":"body_incomplete"`)
	})
	if logs := e.logs.String(); strings.Contains(logs, `"level":"ERROR"`) || strings.Contains(logs, "internal_error") {
		t.Fatalf("a broken body was logged as an error:\n%s", logs)
	}
}

// waitForLog waits until the server has logged the request line of
// requestID, and checks that it holds each of want.
func waitForLog(t *testing.T, e *env, requestID string, want ...string) {
	t.Helper()
	for range 500 {
		for line := range strings.Lines(e.logs.String()) {
			if !strings.Contains(line, `"msg":"request"`) || !strings.Contains(line, `"request_id":"`+requestID+`"`) {
				continue
			}
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Fatalf("request %s was logged without %s: %s", requestID, w, line)
				}
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no request line of %s in the log:\n%s", requestID, e.logs.String())
}
