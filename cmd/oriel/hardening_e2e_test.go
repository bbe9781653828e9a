package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestServeHardeningSettings runs `oriel serve` with the hardening flags and
// checks, through its HTTP interface and its logs, that each reaches the
// server: the client address behind a trusted proxy is logged and limited
// per client (--trusted-proxies, --link-failure-limit), the API limit is
// the configured burst (--api-burst), and a webhook to a literal internal
// address is refused (no --webhook-allow-private, no --dev).
func TestServeHardeningSettings(t *testing.T) {
	t.Parallel()
	env := processEnv("ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	_, apiKey := createVendor(t, env)
	s := startServe(t, env, "--log-format", "json", "--trusted-proxies", "127.0.0.0/8",
		"--link-failure-limit", "2", "--api-burst", "5")

	openLink := func(client string) int {
		t.Helper()
		req, err := http.NewRequest("GET", s.url+"/direct_link/embedded/app?dl_path=/connections&dl_token="+url.QueryEscape("not.a.token"), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", "192.0.2.1, "+client)
		code, _ := do(t, req, "")
		return code
	}
	for range 2 {
		if code := openLink("203.0.113.7"); code == http.StatusTooManyRequests {
			t.Fatal("limited before --link-failure-limit refused links")
		}
	}
	if code := openLink("203.0.113.7"); code != http.StatusTooManyRequests {
		t.Fatalf("third refused link from one client: %d, want 429", code)
	}
	if code := openLink("198.51.100.8"); code == http.StatusTooManyRequests {
		t.Fatal("another client behind the same proxy was limited")
	}
	if logs := s.stderr.String(); !strings.Contains(logs, `"remote":"203.0.113.7","peer":"127.0.0.1:`) {
		t.Fatalf("the request line does not name the client behind the proxy:\n%s", logs)
	}

	req, err := http.NewRequest("GET", s.url+"/v1/vendor", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Limit") != "5" || resp.Header.Get("RateLimit-Remaining") != "4" {
		t.Fatalf("GET /v1/vendor: %d, RateLimit-Limit %q, -Remaining %q; want 200, 5, 4",
			resp.StatusCode, resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"))
	}

	code, body := s.call("POST", "/v1/webhook-endpoints", apiKey, map[string]any{"url": "https://169.254.169.254/latest/meta-data/"})
	if code != http.StatusUnprocessableEntity || body["code"] != "destination_not_allowed" {
		t.Fatalf("webhook to the metadata address: %d %v, want 422 destination_not_allowed", code, body)
	}
}
