package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/store"
)

// env is a Server on a real store, with one vendor and its API key, a clock
// the test moves, and the server's logs.
type env struct {
	t      *testing.T
	store  *store.SQL
	srv    *Server
	vendor *oriel.Vendor
	key    *oriel.APIKey
	secret string
	clock  *logtest.Clock
	logs   *logtest.Buffer
}

// newEnv starts a server on s; config may adjust its Config.
func newEnv(t *testing.T, s *store.SQL, config ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, store: s, clock: logtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), logs: &logtest.Buffer{}}
	cfg := Config{
		Store:     s,
		Logger:    slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		PublicURL: "http://oriel.test",
		Region:    "us",
		Now:       e.clock.Now,
	}
	for _, c := range config {
		c(&cfg)
	}
	e.srv = New(cfg)
	e.vendor, e.secret = e.newVendor("Acme")
	k, err := s.APIKeyByHash(context.Background(), apikey.Hash(e.secret))
	if err != nil {
		t.Fatal(err)
	}
	e.key = k
	return e
}

// newVendor stores a vendor and returns it with a new API key's secret.
func (e *env) newVendor(name string) (*oriel.Vendor, string) {
	e.t.Helper()
	ctx := context.Background()
	v := &oriel.Vendor{Name: name, AllowedOrigins: []string{}}
	if err := e.store.CreateVendor(ctx, v); err != nil {
		e.t.Fatal(err)
	}
	secret, _, err := apikey.Create(ctx, e.store, v.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return v, secret
}

// do sends a request with the env's API key. body is sent as is when it is
// a string, else as JSON (nil sends none). headers are name, value pairs.
func (e *env) do(method, path string, body any, headers ...string) *result {
	e.t.Helper()
	return e.doAs(e.secret, method, path, body, headers...)
}

// doAs sends a request with the given API key ("" sends no Authorization).
func (e *env) doAs(secret, method, path string, body any, headers ...string) *result {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil && !slices.Contains(headers, "Content-Type") {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if http.CanonicalHeaderKey(headers[i]) == "Content-Type" {
			req.Header.Set(headers[i], headers[i+1]) // replaces the default
			continue
		}
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return &result{t: e.t, req: method + " " + path, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// result is one response.
type result struct {
	t      *testing.T
	req    string
	status int
	header http.Header
	body   []byte
}

// want fails the test unless the status is status; it returns r for chaining.
func (r *result) want(status int) *result {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d; body: %s", r.req, r.status, status, r.body)
	}
	return r
}

// object decodes the body as a JSON object.
func (r *result) object() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		r.t.Fatalf("%s: body is not a JSON object (%v): %s", r.req, err, r.body)
	}
	return m
}

// into decodes the body into v.
func (r *result) into(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: cannot decode body (%v): %s", r.req, err, r.body)
	}
}

// problem checks that r is a problem document with status and code, and
// returns its detail.
func (r *result) problem(status int, code string) string {
	r.t.Helper()
	r.want(status)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("%s: Content-Type %q, want application/problem+json", r.req, ct)
	}
	var p problem
	r.into(&p)
	if p.Code != code || p.Status != status || p.Title != http.StatusText(status) || p.Type != problemTypeBase+code ||
		p.Detail == "" || p.RequestID == "" || p.RequestID != r.header.Get("X-Request-Id") {
		r.t.Fatalf("%s: problem %+v, want status %d and code %s with request id %q", r.req, p, status, code, r.header.Get("X-Request-Id"))
	}
	return p.Detail
}

// field returns a string field of a decoded object.
func field(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return s
}
