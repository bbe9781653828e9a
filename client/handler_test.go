package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

const (
	endpoint  = "https://app.vendor.test/api/token" // where the handler runs
	appOrigin = "https://app.vendor.test"
	wwwOrigin = "https://www.vendor.test" // another of the vendor's origins, allowed
	evil      = "https://evil.test"
)

// tokenEndpoint is a TokenHandler in front of a real Oriel server, whose
// users are identified by a "session" cookie.
type tokenEndpoint struct {
	t      *testing.T
	oriel  *orielServer
	h      *client.TokenHandler
	logs   *lockedBuffer
	called int // Identify calls
}

func newTokenEndpoint(t *testing.T, s *store.SQL, limit int, config ...func(*server.Config)) *tokenEndpoint {
	o := startOriel(t, s, config...)
	e := &tokenEndpoint{t: t, oriel: o, logs: &lockedBuffer{}}
	sessions := map[string]client.Entity{
		"s-ada":   client.User("Eacme", "Eada"),
		"s-acme":  client.Customer("Eacme"),
		"s-ghost": client.Customer("Eghost"), // signed in with you, unknown to Oriel
	}
	e.h = &client.TokenHandler{
		Client: o.client(),
		Identify: func(r *http.Request) (client.Entity, error) {
			e.called++
			c, err := r.Cookie("session")
			if err != nil || sessions[c.Value].ID == "" {
				return client.Entity{}, errors.New("no session")
			}
			return sessions[c.Value], nil
		},
		AllowedOrigins: []string{wwwOrigin},
		Limit:          limit,
		Logger:         slog.New(slog.NewTextHandler(e.logs, nil)),
	}
	t.Cleanup(func() {
		if logs := e.logs.String(); strings.Contains(logs, "oat_") || strings.Contains(logs, o.apiKey) {
			t.Errorf("a token or the API key was logged: %s", logs)
		}
	})
	return e
}

// post sends a token request as the session's browser; headers are name,
// value pairs, and Content-Type is JSON unless headers set it.
func (e *tokenEndpoint) post(session string, headers ...string) *httptest.ResponseRecorder {
	return e.send("POST", session, append([]string{"Content-Type", "application/json"}, headers...)...)
}

func (e *tokenEndpoint) send(method, session string, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, endpoint, strings.NewReader(`{}`))
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: session})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Header().Get("Cache-Control") != "no-store" {
		e.t.Fatalf("%s: Cache-Control %q, want no-store", method, rec.Header().Get("Cache-Control"))
	}
	return rec
}

// want checks a response's status and, for an error, its code.
func want(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var body struct{ Code, Message string }
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != status || body.Code != code {
		t.Fatalf("status %d, body %s; want %d %q", rec.Code, rec.Body, status, code)
	}
}

func TestTokenHandlerIssues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEndpoint(t, s, 0)
		for session, customerOnly := range map[string]bool{"s-ada": false, "s-acme": true} {
			rec := e.post(session)
			want(t, rec, 200, "")
			var got map[string]any
			must(t, json.Unmarshal(rec.Body.Bytes(), &got))
			raw, _ := got["token"].(string)
			if len(got) != 2 || got["expiresIn"] != 900.0 || raw == "" {
				t.Fatalf("body %s, want exactly token and expiresIn", rec.Body)
			}
			if c := e.oriel.claims(t, raw); (c.UserID == "") != customerOnly || c.CustomerID != e.oriel.acme.ID {
				t.Fatalf("%s: token for %+v", session, c)
			}
		}
		want(t, e.post("s-ada", "Content-Type", "application/json; charset=utf-8"), 200, "")
	})
}

func TestTokenHandlerCSRF(t *testing.T) {
	e := newTokenEndpoint(t, storetest.SQLite(t), 100)
	for name, tc := range map[string]struct {
		headers []string
		status  int
		code    string
	}{
		"form post":             {[]string{"Content-Type", "application/x-www-form-urlencoded"}, 403, "csrf_rejected"},
		"multipart form":        {[]string{"Content-Type", "multipart/form-data; boundary=x"}, 403, "csrf_rejected"},
		"text/plain":            {[]string{"Content-Type", "text/plain"}, 403, "csrf_rejected"},
		"no content type":       {[]string{"Content-Type", ""}, 403, "csrf_rejected"},
		"X-Requested-With":      {[]string{"Content-Type", "", "X-Requested-With", "fetch"}, 200, ""},
		"same origin":           {[]string{"Sec-Fetch-Site", "same-origin", "Origin", appOrigin}, 200, ""},
		"cross-site, evil":      {[]string{"Sec-Fetch-Site", "cross-site", "Origin", evil}, 403, "csrf_rejected"},
		"same-site, not listed": {[]string{"Sec-Fetch-Site", "same-site", "Origin", "https://blog.vendor.test"}, 403, "csrf_rejected"},
		"same-site, allowed":    {[]string{"Sec-Fetch-Site", "same-site", "Origin", wwwOrigin}, 200, ""},
		"old browser, evil":     {[]string{"Origin", evil}, 403, "csrf_rejected"},
		"old browser, own":      {[]string{"Origin", appOrigin}, 200, ""},
		"cross-site, no Origin": {[]string{"Sec-Fetch-Site", "cross-site"}, 403, "csrf_rejected"},
		"server to server":      {nil, 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			calls := e.called
			rec := e.post("s-ada", tc.headers...)
			want(t, rec, tc.status, tc.code)
			if tc.status == 403 && e.called != calls {
				t.Fatal("Identify ran for a forged request")
			}
			if acao := rec.Header().Get("Access-Control-Allow-Origin"); (acao != "") != (name == "same-site, allowed") {
				t.Fatalf("Access-Control-Allow-Origin %q", acao)
			}
		})
	}
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		rec := e.send(method, "s-ada", "Content-Type", "application/json")
		want(t, rec, 405, "method_not_allowed")
		if rec.Header().Get("Allow") != "POST" {
			t.Fatalf("%s: Allow %q", method, rec.Header().Get("Allow"))
		}
	}
	// A preflight from an allowed origin is answered; from another, not.
	rec := e.send("OPTIONS", "", "Origin", wwwOrigin, "Access-Control-Request-Method", "POST")
	if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") != wwwOrigin || rec.Header().Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("preflight from an allowed origin: %d %v", rec.Code, rec.Header())
	}
	rec = e.send("OPTIONS", "", "Origin", evil, "Access-Control-Request-Method", "POST")
	if rec.Code != 405 || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %d %v", rec.Code, rec.Header())
	}
}

func TestTokenHandlerIdentifyFails(t *testing.T) {
	e := newTokenEndpoint(t, storetest.SQLite(t), 0)
	want(t, e.post(""), 401, "unauthenticated")
	want(t, e.post("s-forged"), 401, "unauthenticated")
	if !strings.Contains(e.logs.String(), "not authenticated") {
		t.Fatalf("the refusal is not logged: %s", e.logs)
	}
	// Known to you, unknown to Oriel: Oriel's invalid_target, logged by code.
	want(t, e.post("s-ghost"), 502, "token_request_failed")
	if !strings.Contains(e.logs.String(), "code=invalid_target") {
		t.Fatalf("Oriel's code is not logged: %s", e.logs)
	}
}

func TestTokenHandlerRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEndpoint(t, s, 3)
		for range 3 {
			want(t, e.post("s-ada"), 200, "")
		}
		rec := e.post("s-ada")
		want(t, rec, 429, "rate_limited")
		if rec.Header().Get("Retry-After") != "20" {
			t.Fatalf("Retry-After %q, want 20", rec.Header().Get("Retry-After"))
		}
		want(t, e.post("s-acme"), 200, "") // another identity has its own budget

		// Oriel's own limit on the API key comes through as 429 too.
		limited := newTokenEndpoint(t, s, 0, func(c *server.Config) { c.TokenRate = server.PerMinute(1) })
		want(t, limited.post("s-ada"), 200, "")
		rec = limited.post("s-acme")
		want(t, rec, 429, "rate_limited")
		if rec.Header().Get("Retry-After") != "60" {
			t.Fatalf("Retry-After %q, want Oriel's 60", rec.Header().Get("Retry-After"))
		}
	})
}

func TestTokenHandlerMisconfigured(t *testing.T) {
	identify := func(*http.Request) (client.Entity, error) { return client.Customer("Eacme"), nil }
	for name, h := range map[string]*client.TokenHandler{
		"no client":      {Identify: identify},
		"no Identify":    {Client: client.New("http://127.0.0.1:1", "sk_x")},
		"origin w/ path": {Client: client.New("http://127.0.0.1:1", "sk_x"), Identify: identify, AllowedOrigins: []string{"https://app.test/"}},
		"negative limit": {Client: client.New("http://127.0.0.1:1", "sk_x"), Identify: identify, Limit: -1},
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest("POST", endpoint, strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			want(t, rec, 500, "misconfigured")
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
