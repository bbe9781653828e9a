package directlink

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// serve runs one request through a Handler whose callers authenticate with
// "Authorization: Bearer alice" (customer-bound) or "Bearer backend" (any customer).
func serve(t *testing.T, h *Handler, method, contentType, auth, body string) (*httptest.ResponseRecorder, map[string]string) {
	t.Helper()
	req := httptest.NewRequest(method, "/direct-link", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("body is not a JSON object of strings: %s", rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", rec.Header())
	}
	return rec, out
}

func newTestHandler(t *testing.T, logs *bytes.Buffer) *Handler {
	return &Handler{
		Signer:  newTestSigner(t, "EdDSA"),
		BaseURL: "https://oriel.example",
		Logger:  slog.New(slog.NewTextHandler(logs, nil)),
		Authenticate: func(r *http.Request) (Identity, error) {
			switch r.Header.Get("Authorization") {
			case "Bearer alice":
				return Identity{Customer: "Eacme", User: "Ealice"}, nil
			case "Bearer backend":
				return Identity{AnyCustomer: true}, nil
			}
			return Identity{}, errors.New("no session")
		},
	}
}

func TestHandlerIssuesURL(t *testing.T) {
	var logs bytes.Buffer
	h := newTestHandler(t, &logs)
	for _, c := range []struct{ name, auth, body, wantSub string }{
		{"identity's customer", "alice", `{"kind":"connection","asset":"con_1"}`, "vnd_1:Eacme:Ealice"},
		{"identity's customer named", "alice", `{"kind":"app","asset":"/connections","customer":"Eacme","user":"Ealice"}`, "vnd_1:Eacme:Ealice"},
		{"back end names any customer", "backend", `{"kind":"sso","asset":"/","customer":"cus_9","origin":"https://app.vendor.example"}`, "vnd_1:cus_9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, out := serve(t, h, http.MethodPost, "application/json; charset=utf-8", c.auth, c.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %v", rec.Code, out)
			}
			u, err := url.Parse(out["url"])
			if err != nil || u.Host != "oriel.example" {
				t.Fatalf("url = %s", out["url"])
			}
			if got := subOf(t, u.Query().Get("dl_token")); got != c.wantSub {
				t.Errorf("sub = %s, want %s", got, c.wantSub)
			}
		})
	}
	if logs.Len() != 0 {
		t.Errorf("successful requests logged: %s", logs.String())
	}
}

func TestHandlerErrors(t *testing.T) {
	var logs bytes.Buffer
	h := newTestHandler(t, &logs)
	for _, c := range []struct {
		name, method, contentType, auth, body string
		status                                int
		code                                  string
	}{
		{"GET", http.MethodGet, "", "alice", "", 405, "method_not_allowed"},
		{"form body", http.MethodPost, "application/x-www-form-urlencoded", "alice", "kind=app", 415, "unsupported_media_type"},
		{"text/plain (CSRF)", http.MethodPost, "text/plain", "alice", `{"kind":"app","asset":"/"}`, 415, "unsupported_media_type"},
		{"not authenticated", http.MethodPost, "application/json", "mallory", `{"kind":"app","asset":"/"}`, 401, "unauthenticated"},
		{"other customer", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/","customer":"Eother"}`, 403, "customer_not_allowed"},
		{"other user", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/","user":"Ebob"}`, 403, "customer_not_allowed"},
		{"back end without customer", http.MethodPost, "application/json", "backend", `{"kind":"app","asset":"/"}`, 400, "invalid_request"},
		{"unknown field", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/","admin":true}`, 400, "invalid_request"},
		{"two objects", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/"}{}`, 400, "invalid_request"},
		{"not JSON", http.MethodPost, "application/json", "alice", `kind=app`, 400, "invalid_request"},
		{"bad kind", http.MethodPost, "application/json", "alice", `{"kind":"admin","asset":"/"}`, 400, "invalid_request"},
		{"open redirect path", http.MethodPost, "application/json", "alice", `{"kind":"sso","asset":"//evil.example"}`, 400, "invalid_request"},
		{"bad origin", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/","origin":"*"}`, 400, "invalid_request"},
		{"too large", http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/` + strings.Repeat("a", 9000) + `"}`, 413, "request_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, out := serve(t, h, c.method, c.contentType, c.auth, c.body)
			if rec.Code != c.status || out["code"] != c.code || out["message"] == "" {
				t.Errorf("got %d %v, want %d %s", rec.Code, out, c.status, c.code)
			}
			if c.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
		})
	}
	if !strings.Contains(logs.String(), "not authenticated") || strings.Contains(logs.String(), "dl_token") {
		t.Errorf("logs = %s", logs.String())
	}
}

func TestHandlerMisconfigured(t *testing.T) {
	var logs bytes.Buffer
	for name, h := range map[string]*Handler{
		"no signer":       {BaseURL: "https://oriel.example", Authenticate: newTestHandler(t, &logs).Authenticate, Logger: slog.New(slog.NewTextHandler(&logs, nil))},
		"no authenticate": {Signer: newTestSigner(t, "EdDSA"), BaseURL: "https://oriel.example"},
		"bad base URL":    {Signer: newTestSigner(t, "EdDSA"), BaseURL: "oriel.example", Authenticate: newTestHandler(t, &logs).Authenticate},
	} {
		rec, out := serve(t, h, http.MethodPost, "application/json", "alice", `{"kind":"app","asset":"/"}`)
		if rec.Code != 500 || out["code"] != "internal_error" {
			t.Errorf("%s: %d %v", name, rec.Code, out)
		}
	}
	if !strings.Contains(logs.String(), "misconfigured") {
		t.Errorf("misconfiguration not logged: %s", logs.String())
	}
}

// subOf returns the sub claim of a token signed by a test signer.
func subOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	var c struct{ Sub string }
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c.Sub
}
