package connect

import (
	"net/http"
	"testing"

	"github.com/orielhq/oriel"
)

// Authorize puts credentials where each provider's API expects them, and
// replaces whatever the request carried there.
func TestAPICallAuthorize(t *testing.T) {
	lookup := func(key string) *Provider {
		p, ok := LookupProvider(key)
		if !ok {
			t.Fatalf("no provider %s", key)
		}
		return p
	}
	query := &Provider{Key: "q", Kind: KindAPIKey, APIAuth: &APIAuth{In: AuthQuery, Name: "api_key", Value: "{api_key}"}}
	for _, c := range []struct {
		name    string
		call    *APICall
		url     string
		header  http.Header
		secrets int
	}{
		{"oauth2 bearer", &APICall{Provider: lookup("github"), cred: &oriel.Credentials{AccessToken: "gho_1"}},
			"https://api.github.com/user?x=1", http.Header{"Authorization": {"Bearer gho_1"}}, 1},
		{"header and fixed headers", &APICall{Provider: lookup("anthropic"), cred: &oriel.Credentials{Fields: map[string]string{"api_key": "sk-ant-1"}}},
			"https://api.github.com/user?x=1", http.Header{"X-Api-Key": {"sk-ant-1"}, "Anthropic-Version": {"2023-06-01"}}, 1},
		{"basic", &APICall{Provider: lookup("twilio"), cred: &oriel.Credentials{Fields: map[string]string{"username": "AC1", "password": "tok"}}},
			"https://api.github.com/user?x=1", http.Header{"Authorization": {"Basic QUMxOnRvaw=="}}, 1},
		{"generic api key", &APICall{Provider: lookup("api-key"), cred: &oriel.Credentials{Fields: map[string]string{"api_key": "k&1"}}},
			"https://api.github.com/user?x=1", http.Header{"Authorization": {"Bearer k&1"}}, 1},
		{"query", &APICall{Provider: query, cred: &oriel.Credentials{Fields: map[string]string{"api_key": "k&1"}}},
			"https://api.github.com/user?x=1&b=%2F&api_key=k%261", http.Header{}, 0},
	} {
		req, _ := http.NewRequest("GET", "https://api.github.com/user?api_key=vendor&x=1&b=%2F&api%5Fkey=again", nil)
		req.URL.RawQuery = "x=1&api_key=vendor&b=%2F&api%5Fkey=again"
		req.Header.Set("Authorization", "Bearer sk_vendor_key")
		c.call.Authorize(req)
		if c.name != "query" {
			req.URL.RawQuery = "x=1"
		}
		if req.URL.String() != c.url {
			t.Errorf("%s: URL %s, want %s", c.name, req.URL, c.url)
		}
		if c.name == "query" && req.Header.Get("Authorization") != "" {
			t.Errorf("%s: the vendor's Authorization stayed", c.name)
		}
		for k := range c.header {
			if req.Header.Get(k) != c.header.Get(k) {
				t.Errorf("%s: %s = %q, want %q", c.name, k, req.Header.Get(k), c.header.Get(k))
			}
		}
		if len(c.call.Secrets()) != c.secrets && c.name != "query" {
			t.Errorf("%s: secrets %d", c.name, len(c.call.Secrets()))
		}
	}
}

// A catalogue entry's api_base_url resolves its placeholders host-safely.
func TestBaseURL(t *testing.T) {
	p, _ := LookupProvider("zendesk")
	if u, err := p.BaseURL(map[string]string{"subdomain": "acme"}); err != nil || u != "https://acme.zendesk.com/api/v2" {
		t.Fatalf("%s, %v", u, err)
	}
	for _, bad := range []string{"evil.example/x", "a@b", "..", ""} {
		if u, err := p.BaseURL(map[string]string{"subdomain": bad}); err == nil {
			t.Errorf("subdomain %q resolved to %s", bad, u)
		}
	}
	generic, _ := LookupProvider("oauth2")
	if _, err := generic.BaseURL(nil); oriel.ErrorCode(err) != CodeNoAPIBase {
		t.Errorf("the generic provider without a base URL: %v", err)
	}
	for _, raw := range []string{"http://api.example.com", "https://api.example.com/?q=1", "https://user@api.example.com", "https://api.example.com/%2e%2e"} {
		if _, err := generic.WithAPIBase(raw, false); err == nil {
			t.Errorf("api_base_url %q accepted", raw)
		}
	}
	if g, err := generic.WithAPIBase("http://127.0.0.1:9090/api/", true); err != nil || g.APIBase != "http://127.0.0.1:9090/api" {
		t.Errorf("a loopback base URL in development: %v", err)
	}
}
