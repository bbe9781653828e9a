package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/store/storetest"
	"github.com/orielhq/oriel/internal/token"
)

// The bound access token benchmarks, on SQLite, each beside a trivial
// authenticated handler (issue 5, Performance):
//
//	go test ./internal/server -run '^$' -bench 'IssueAccessToken|TrivialAuthenticated|WidgetRequest' -benchtime 3s

// tokenBench is a server with a vendor, its API key, customer acme with
// user ada (a member) and connectionsPerCustomer connections.
type tokenBench struct {
	srv       *Server
	secret    string
	vendorID  string
	customer  *oriel.Customer
	user      *oriel.User
	issueBody string
}

const connectionsPerCustomer = 5

// unlimited is a rate limit no benchmark reaches.
var unlimited = Rate{PerSecond: 1e12, Burst: 1 << 30}

func newTokenBench(b *testing.B) *tokenBench {
	s := storetest.SQLite(b)
	ctx := context.Background()
	v := &oriel.Vendor{Name: "Bench", AllowedOrigins: []string{"https://app.bench.test"}}
	must(b, s.CreateVendor(ctx, v))
	secret, _, err := apikey.Create(ctx, s, v.ID, "bench")
	must(b, err)
	c := &oriel.Customer{VendorID: v.ID, ExternalID: "acme", Name: "Acme"}
	must(b, s.CreateCustomer(ctx, c))
	u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, ExternalID: "ada", Role: oriel.RoleMember}
	must(b, s.CreateUser(ctx, u))
	_, err = s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "keys", Provider: "api-key", DisplayName: "Keys"})
	must(b, err)
	for range connectionsPerCustomer {
		must(b, s.CreateConnection(ctx, &oriel.Connection{VendorID: v.ID, CustomerID: c.ID, Integration: "keys"}))
	}
	cfg := Config{Store: s, Logger: slog.New(slog.DiscardHandler), PublicURL: "http://oriel.test", Region: "us", APIRate: unlimited, TokenRate: unlimited}
	withKeys(b)(&cfg)
	return &tokenBench{srv: New(cfg), secret: secret, vendorID: v.ID, customer: c, user: u,
		issueBody: `{"grant_type":"client_credentials","bound_entity":{"type":"user","id":"Eada","customer":"Eacme"}}`}
}

// run measures h answering want to the requests newRequest makes, one at a
// time and on every core.
func run(b *testing.B, h http.Handler, want int, newRequest func() *http.Request) {
	serve := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newRequest())
		if rec.Code != want {
			b.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			serve()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve()
			}
		})
	})
}

// request returns a request maker with the bearer token and body.
func request(method, path, bearer, body string) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+bearer)
		r.Header.Set("Content-Type", "application/json")
		return r
	}
}

// BenchmarkIssueAccessToken is the whole token endpoint in process: routing,
// the API key look-up, both rate limits, decoding, the user and customer
// look-up, sealing the token and the JSON answer.
func BenchmarkIssueAccessToken(b *testing.B) {
	t := newTokenBench(b)
	run(b, t.srv, http.StatusOK, request("POST", issuePath, t.secret, t.issueBody))
}

// BenchmarkTrivialAuthenticated is the floor the token endpoint stands on:
// a test-only handler that answers 204, behind the same layers as every
// vendor API route (request log and metrics, panic recovery, the API key
// look-up, the key's rate limit) but no routing.
func BenchmarkTrivialAuthenticated(b *testing.B) {
	t := newTokenBench(b)
	noop := route{"GET", "/bench/noop", vendorAPI, func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}}
	h := t.srv.observe(t.srv.recoverPanics(t.srv.serve(t.srv.guard(noop))))
	run(b, h, http.StatusNoContent, request("GET", noop.path, t.secret, ""))
}

// BenchmarkWidgetRequest is a widget's read of its connections with a bound
// access token:
//
//   - check: the accessToken check alone (open the token, one read of
//     its revocation with its customer and user);
//   - check+list: the check and the store read of the customer's
//     connections, which is what /widget-api/connections does for a token;
//   - http-oat: GET /widget-api/connections with the access token and the
//     page's X-Oriel-Parent-Origin, whole (the check, the list);
//   - http-ors: the same request with a direct-link widget session, for
//     comparison.
func BenchmarkWidgetRequest(b *testing.B) {
	t := newTokenBench(b)
	claims := &token.Claims{VendorID: t.vendorID, CustomerID: t.customer.ID, UserID: t.user.ID, Role: t.user.Role}
	access, err := t.srv.tokens.minter.Issue(token.Access, claims, time.Hour)
	must(b, err)
	session, err := t.srv.tokens.minter.Issue(token.Session, &token.Claims{VendorID: t.vendorID, CustomerID: t.customer.ID, UserID: t.user.ID, Role: t.user.Role, Origin: "https://app.bench.test"}, time.Hour)
	must(b, err)
	newRequest := func(bearer string) *http.Request {
		r := request("GET", "/widget-api/connections", bearer, "")()
		r.Header.Set(parentOriginHeader, "https://app.bench.test") // the SDK-mode page's parent_origin
		return r
	}
	r := newRequest(access)

	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := t.srv.accessToken(r.Context(), access); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check+list", func(b *testing.B) {
		for b.Loop() {
			c, _, err := t.srv.accessToken(r.Context(), access)
			if err != nil {
				b.Fatal(err)
			}
			conns, _, err := t.srv.store.ListConnections(r.Context(), c.VendorID, c.CustomerID, oriel.Page{Limit: 20})
			if err != nil || len(conns) != connectionsPerCustomer {
				b.Fatalf("%d connections, error %v", len(conns), err)
			}
		}
	})
	for name, bearer := range map[string]string{"http-oat": access, "http-ors": session} {
		b.Run(name, func(b *testing.B) {
			newRequest := func() *http.Request { return newRequest(bearer) }
			rec := httptest.NewRecorder()
			t.srv.ServeHTTP(rec, newRequest())
			if rec.Code != http.StatusOK {
				b.Fatalf("the widget API answers %d to this token: %s", rec.Code, rec.Body)
			}
			if n := strings.Count(rec.Body.String(), `"id":"con`); n != connectionsPerCustomer {
				b.Fatalf("%d connections in %s", n, rec.Body)
			}
			run(b, t.srv, http.StatusOK, newRequest)
		})
	}
}
