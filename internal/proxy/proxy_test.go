package proxy

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Target keeps every accepted path under the base URL, with its escapes
// as sent, and refuses the rest.
func TestTarget(t *testing.T) {
	base, _ := url.Parse("https://acme.zendesk.com/api/v2")
	for path, want := range map[string]string{
		"":                         "https://acme.zendesk.com/api/v2/",
		"tickets":                  "https://acme.zendesk.com/api/v2/tickets",
		"tickets/":                 "https://acme.zendesk.com/api/v2/tickets/",
		"projects/group%2Fproject": "https://acme.zendesk.com/api/v2/projects/group%2Fproject",
		"files/a%20b.txt":          "https://acme.zendesk.com/api/v2/files/a%20b.txt",
		"v1/projects/p:run":        "https://acme.zendesk.com/api/v2/v1/projects/p:run",
		"users/@me/x..y/...":       "https://acme.zendesk.com/api/v2/users/@me/x..y/...",
		"search%3Fq=1":             "https://acme.zendesk.com/api/v2/search%3Fq=1",
	} {
		u, err := Target(base, path, "")
		if err != nil || u.String() != want {
			t.Errorf("%q: %v, %v; want %s", path, u, err, want)
		}
	}
	for _, path := range []string{
		"..", "../x", "a/../../x", "./x", "a/.", "%2e%2e/x", "%2E./x", "..%2Fx", "a%2F..%2F..%2Fx",
		"%252e%252e/x", "%25", `a\b`, "%5cx", "//x", "/x", "a//b", "https://evil.example", "https:%2F%2Fevil.example",
		"user@evil.example/x", "u%40evil.example", "host%3A443/x", "a%00", "a%0d%0a", "a b", "a#b", "a%23b", "%zz", "a%2",
	} {
		if u, err := Target(base, path, ""); err == nil {
			t.Errorf("%q accepted as %s", path, u)
		}
	}
	if _, err := Target(base, "x", "a=1#frag"); err == nil {
		t.Error("a query with # accepted")
	}
	if u, _ := Target(base, "x", "a=%2F&b=1"); u.String() != "https://acme.zendesk.com/api/v2/x?a=%2F&b=1" {
		t.Errorf("query not kept as sent: %s", u)
	}
}

// Retry-After is honoured in seconds or as a date, and a long one is not waited for.
func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		header string
		min    time.Duration
		ok     bool
	}{
		{"", 0, true},
		{"2", 2 * time.Second, true},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{"11", 0, false},
		{now.Add(time.Hour).Format(http.TimeFormat), 0, false},
		{"soon", 0, true},
	} {
		h := http.Header{}
		if c.header != "" {
			h.Set("Retry-After", c.header)
		}
		wait, ok := retryDelay(h, 1, now)
		if ok != c.ok || ok && (wait < c.min || wait < retryBase/2 || wait > max(c.min, retryBase)) {
			t.Errorf("Retry-After %q: wait %s, ok %v", c.header, wait, ok)
		}
	}
}

// Neither hop-by-hop headers nor credentials cross the proxy.
func TestHeaders(t *testing.T) {
	in := http.Header{
		"Authorization": {"Bearer sk_live"}, "Cookie": {"a=b"}, "Connection": {"keep-alive, X-Private"},
		"X-Private": {"1"}, "Te": {"trailers"}, "Oriel-Retries": {"2"}, "Accept": {"application/json"}, "Idempotency-Key": {"k1"},
	}
	out := outboundHeader(in)
	if len(out) != 2 || out.Get("Accept") == "" || out.Get("Idempotency-Key") != "k1" {
		t.Errorf("outbound %v", out)
	}
	back := inboundHeader(http.Header{"Set-Cookie": {"s=1"}, "Oriel-Error": {"x"}, "Transfer-Encoding": {"chunked"}, "Etag": {`"1"`}})
	if len(back) != 1 || back.Get("Etag") == "" {
		t.Errorf("inbound %v", back)
	}
}
