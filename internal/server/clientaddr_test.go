package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store/storetest"
)

// proxies are the trusted proxy networks of these tests.
var proxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}

func TestClientAddressOf(t *testing.T) {
	for _, tc := range []struct {
		name, header, peer string
		lines              []string
		want               string
	}{
		{"no proxy header", "", "198.51.100.7:4000", nil, "198.51.100.7"},
		{"untrusted peer: header ignored", "", "198.51.100.7:4000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"trusted peer", "", "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"forged left hops ignored", "", "10.1.2.3:5000", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"chain of trusted proxies", "", "10.1.2.3:5000", []string{"203.0.113.9, 10.9.9.9", "10.0.0.5"}, "203.0.113.9"},
		{"client lies it is a proxy", "", "10.1.2.3:5000", []string{"10.0.0.1, 203.0.113.9"}, "203.0.113.9"},
		{"all trusted: leftmost", "", "10.1.2.3:5000", []string{"10.0.0.7, 10.0.0.8"}, "10.0.0.7"},
		{"garbage stops at the reporting proxy", "", "10.1.2.3:5000", []string{"203.0.113.9, unknown"}, "10.1.2.3"},
		{"hop with port", "", "10.1.2.3:5000", []string{"203.0.113.9:1234"}, "203.0.113.9"},
		{"IPv6 hop", "", "10.1.2.3:5000", []string{"2001:db8:1::7"}, "2001:db8:1::7"},
		{"bracketed IPv6 hop", "", "[2001:db8:ffff::1]:443", []string{"[2001:db8:1::7]:8080"}, "2001:db8:1::7"},
		{"mapped IPv4 peer", "", "[::ffff:10.1.2.3]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"empty header", "", "10.1.2.3:5000", []string{""}, "10.1.2.3"},
		{"Forwarded ignored when X-Forwarded-For is read", "", "10.1.2.3:5000", nil, "10.1.2.3"},
		{"Forwarded", HeaderForwarded, "10.1.2.3:5000", []string{`for=1.2.3.4, for=203.0.113.9;proto=https;by=10.1.2.3`}, "203.0.113.9"},
		{"Forwarded quoted IPv6", HeaderForwarded, "10.1.2.3:5000", []string{`For="[2001:db8:1::7]:4711"`}, "2001:db8:1::7"},
		{"Forwarded obfuscated", HeaderForwarded, "10.1.2.3:5000", []string{`for=_hidden`}, "10.1.2.3"},
		{"Forwarded from untrusted peer", HeaderForwarded, "198.51.100.7:4000", []string{`for=203.0.113.9`}, "198.51.100.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		read := HeaderXForwardedFor
		if tc.header != "" {
			read = tc.header
		}
		for _, line := range tc.lines {
			r.Header.Add(read, line)
		}
		if tc.name == "Forwarded ignored when X-Forwarded-For is read" {
			r.Header.Set(HeaderForwarded, "for=203.0.113.9")
		}
		_, got := clientAddresses{trusted: proxies, header: tc.header}.of(r)
		if got.String() != tc.want {
			t.Errorf("%s: client %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestClientAddress(t *testing.T) {
	for addr, want := range map[string]string{
		"198.51.100.7:4000":          "198.51.100.7",
		"[::ffff:198.51.100.7]:4000": "198.51.100.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:443":      "2001:db8:1:3::/64",
		"not an address":             "not an address",
		"[fe80::1%eth0]:80":          "fe80::/64",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = addr
		if got := clientAddress(r); got != want {
			t.Errorf("clientAddress(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestLimitsBehindProxy: behind a trusted proxy, the per-address limits
// count each client apart (one client flooding bad links or keys does not
// block the others, who share the proxy's address), the log names the
// client and the proxy, and a client that is not behind a trusted proxy
// cannot escape its limit by sending X-Forwarded-For.
func TestLimitsBehindProxy(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t), func(c *Config) {
		c.TrustedProxies = proxies
		c.LinkFailureRate = PerMinute(3)
	})
	open := func(peer, forwardedFor, token string) int {
		r := httptest.NewRequest("GET", "/direct_link/embedded/app?dl_path=/connections&dl_token="+url.QueryEscape(token), nil)
		r.RemoteAddr = peer
		if forwardedFor != "" {
			r.Header.Set("X-Forwarded-For", forwardedFor)
		}
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		return w.Code
	}
	forged := e.sign("Eacme", "").token + "A"
	for range 3 {
		open("10.0.0.2:5000", "203.0.113.66", forged)
	}
	if code := open("10.0.0.2:5000", "203.0.113.66", e.sign("Eacme", "").token); code != http.StatusTooManyRequests {
		t.Fatalf("the flooding client behind the proxy got %d, want 429", code)
	}
	if code := open("10.0.0.2:5000", "198.51.100.20", e.sign("Eacme", "").token); code != http.StatusOK {
		t.Fatalf("another client behind the same proxy got %d, want 200", code)
	}
	if !strings.Contains(e.logs.String(), `"remote":"203.0.113.66","peer":"10.0.0.2:5000"`) {
		t.Fatalf("the request line does not name the client and the proxy:\n%s", e.logs)
	}

	// Not from a trusted proxy: X-Forwarded-For is the client's own claim.
	for i := range 3 {
		open("198.51.100.99:4000", "203.0.113."+strings.Repeat("1", i+1), forged)
	}
	if code := open("198.51.100.99:4000", "192.0.2.200", e.sign("Eacme", "").token); code != http.StatusTooManyRequests {
		t.Fatalf("a direct client that varied X-Forwarded-For got %d, want 429", code)
	}
}

// TestAuthFailuresBehindProxy: failed client authentications on the token
// endpoint are counted per client behind a trusted proxy, too.
func TestAuthFailuresBehindProxy(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t), func(c *Config) { c.TrustedProxies = proxies })
	body, err := json.Marshal(grant(map[string]any{"type": "customer", "id": "Eacme"}))
	must(t, err)
	from := func(client, secret string) *result {
		req := httptest.NewRequest("POST", issuePath, bytes.NewReader(body))
		req.RemoteAddr = "10.0.0.2:5000"
		req.Header.Set("X-Forwarded-For", client)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		return &result{t: t, req: "POST " + issuePath + " for " + client, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}
	for range authFailuresPerMinute {
		from("203.0.113.66", "sk_wrong").oauth(401, "invalid_client")
	}
	from("203.0.113.66", e.secret).oauth(429, "rate_limited")
	from("198.51.100.20", e.secret).want(200)
}
