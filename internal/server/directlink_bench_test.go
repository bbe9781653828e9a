package server

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The direct-link benchmarks: opening a link costs database round trips and
// one durable write on top of one RSA verification. Compare them with
//
//	go test ./internal/server -run '^$' -bench 'RS256Verify|DirectLinkOpen' -benchtime 2000x

// BenchmarkRS256Verify is the floor: crypto/rsa's PKCS#1 v1.5 check of one
// token's signature, with the SHA-256 of its signing input.
func BenchmarkRS256Verify(b *testing.B) {
	key := linkKey(b)
	pub := key.PublicKey.Key.(*rsa.PublicKey)
	token := key.Token(b, "vnd_x:cus_y", time.Now())
	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	verify := func() {
		sum := sha256.Sum256([]byte(token[:dot]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			verify()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				verify()
			}
		})
	})
}

// BenchmarkDirectLinkOpen runs the whole connection-widget handler in
// process: parse, key look-up, RS256 verify, customer, vendor-origin and
// user look-ups, the jti insert, the session token and the page. Each
// iteration opens a fresh token, signed before the timer starts.
func BenchmarkDirectLinkOpen(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.SQL
	}{
		{"sqlite", storetest.SQLite},
		{"postgres", storetest.Postgres},
	} {
		b.Run(db.name, func(b *testing.B) {
			bench := newOpenBench(b, db.open(b))
			b.Run("sequential", func(b *testing.B) {
				requests := bench.requests(b)
				b.ResetTimer()
				for i := range b.N {
					if err := bench.serve(requests[i]); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				requests := bench.requests(b)
				var next atomic.Int64
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := bench.serve(requests[next.Add(1)-1]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// openBench is a server with a vendor that can open links.
type openBench struct {
	srv  *Server
	key  *linktokentest.Key
	sub  string // of the tokens: a user of a customer
	conn string // the connection the links open
}

func newOpenBench(b *testing.B, s *store.SQL) *openBench {
	ctx := context.Background()
	v := &oriel.Vendor{Name: "Bench", AllowedOrigins: []string{"https://app.bench.test"}}
	must(b, s.CreateVendor(ctx, v))
	key := linkKey(b)
	must(b, s.CreateSigningKey(ctx, signingKey(v.ID, key.KID, key.PublicKey)))
	c := &oriel.Customer{VendorID: v.ID, ExternalID: "acme", Name: "Acme Corp"}
	must(b, s.CreateCustomer(ctx, c))
	u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, ExternalID: "ada", Name: "Ada", Role: oriel.RoleMember}
	must(b, s.CreateUser(ctx, u))
	_, err := s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "keys", Provider: "openai", DisplayName: "OpenAI"})
	must(b, err)
	conn := &oriel.Connection{VendorID: v.ID, CustomerID: c.ID, Integration: "keys"}
	must(b, s.CreateConnection(ctx, conn))
	cfg := Config{Store: s, Logger: slog.New(slog.DiscardHandler), PublicURL: "http://oriel.test", Region: "us"}
	withKeys(b)(&cfg)
	return &openBench{srv: New(cfg), key: key, sub: v.ID + ":Eacme:Eada", conn: conn.ID}
}

// requests signs b.N fresh tokens, on every core, and returns their requests.
func (o *openBench) requests(b *testing.B) []*http.Request {
	out := make([]*http.Request, b.N)
	var wg sync.WaitGroup
	workers := 4
	for w := range workers {
		wg.Go(func() {
			for i := w; i < b.N; i += workers {
				token := o.key.Token(b, o.sub, time.Now())
				out[i] = httptest.NewRequest("GET", "/direct_link/embedded/connections/"+o.conn+"?dl_token="+token, nil)
			}
		})
	}
	wg.Wait()
	return out
}

// serve answers r and fails unless the page opened.
func (o *openBench) serve(r *http.Request) error {
	w := httptest.NewRecorder()
	o.srv.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		return fmt.Errorf("status %d: %s", w.Code, w.Body)
	}
	return nil
}
