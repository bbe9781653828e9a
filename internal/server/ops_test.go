package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		if got := e.doAs("", "GET", "/healthz", nil).want(200).object(); got["status"] != "ok" {
			t.Fatalf("healthz = %v", got)
		}
		if got := e.doAs("", "GET", "/readyz", nil).want(200).object(); got["status"] != "ok" {
			t.Fatalf("readyz = %v", got)
		}

		e.do("GET", "/v1/customers", nil).want(200)
		e.do("GET", "/v1/customers/Enobody", nil).want(404)
		e.doAs("", "GET", "/nowhere", nil).want(404)
		e.doAs("", "BREW", "/v1/vendor", nil).want(405)
		metrics := string(e.doAs("", "GET", "/metrics", nil).want(200).body)
		for _, want := range []string{
			`oriel_http_requests_total{method="GET",route="/v1/customers",status="200"} 1`,
			`oriel_http_requests_total{method="GET",route="/v1/customers/{customer}",status="404"} 1`,
			`oriel_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`oriel_http_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
			`oriel_http_request_duration_seconds_bucket{method="GET",route="/v1/customers",le="+Inf"} 1`,
			`oriel_db_open_connections `,
			`oriel_db_wait_count_total `,
			`go_goroutines `,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %q", want)
			}
		}

		// The store stops answering: ready no more, alive still.
		s.Close()
		e.doAs("", "GET", "/readyz", nil).problem(503, "database_unavailable")
		e.doAs("", "GET", "/healthz", nil).want(200)
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, r := range []*result{
		e.doAs("", "GET", "/healthz", nil),
		e.doAs("", "GET", "/nowhere", nil),
		e.doAs("", "GET", "/v1/vendor", nil),
		e.do("GET", "/v1/vendor", nil),
		e.do("POST", "/v1/customers", `{`),
	} {
		for name, want := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
			"Cache-Control":           "no-store",
		} {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", r.req, name, got, want)
			}
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS on a plain-http deployment", r.req)
		}
	}
	https := newEnv(t, storetest.SQLite(t), func(c *Config) { c.PublicURL = "https://oriel.example" })
	if got := https.doAs("", "GET", "/healthz", nil).header.Get("Strict-Transport-Security"); got == "" {
		t.Error("no HSTS on an https deployment")
	}
}

func TestRequestIDs(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	if got := e.doAs("", "GET", "/healthz", nil, "X-Request-Id", "trace-1234:abc").header.Get("X-Request-Id"); got != "trace-1234:abc" {
		t.Errorf("a sane incoming request id was replaced by %q", got)
	}
	for _, bad := range []string{"has space", "<script>", strings.Repeat("a", 129), "naïve"} {
		got := e.doAs("", "GET", "/healthz", nil, "X-Request-Id", bad).header.Get("X-Request-Id")
		if got == bad || !strings.HasPrefix(got, "req_") {
			t.Errorf("incoming id %q: got %q, want a generated one", bad, got)
		}
	}
	a := e.doAs("", "GET", "/healthz", nil).header.Get("X-Request-Id")
	b := e.doAs("", "GET", "/healthz", nil).header.Get("X-Request-Id")
	if a == b || !strings.HasPrefix(a, "req_") {
		t.Errorf("generated ids %q and %q", a, b)
	}
}

// TestLogs checks that each request is logged once with its id, route and
// outcome, and that no secret or body ever reaches the log.
func TestLogs(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	const canary = "canary-7d1e"
	created := e.do("POST", "/v1/api-keys", map[string]any{"name": canary}).want(201).object()
	e.do("POST", "/v1/customers", map[string]any{"external_id": canary, "name": canary}).want(201)
	e.do("PATCH", "/v1/vendor", `{"name": "`+canary+`", "oops": 1}`).want(400)
	e.doAs("sk_"+canary+"wrongwrongwrong", "GET", "/v1/vendor", nil).want(401)
	e.doAs("", "GET", "/v1/customers?starting_after="+canary, nil, "X-Request-Id", "trace-42").want(401)

	logs := e.logs.String()
	for _, secret := range []string{e.secret, field(created, "secret"), canary, "Bearer", "Authorization"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{`"request_id":"trace-42"`, `"route":"/v1/customers"`, `"code":"unknown_field"`, `"vendor_id":"` + e.vendor.ID + `"`, `"status":201`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %s:\n%s", want, logs)
		}
	}
	if n := bytes.Count([]byte(logs), []byte(`"msg":"request"`)); n != 5 {
		t.Errorf("%d request lines for 5 requests", n)
	}
}

func TestPanicsAnswer500(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.handler = e.srv.observe(e.srv.recoverPanics(e.srv.serve(func(w http.ResponseWriter, r *http.Request) error {
		panic("boom " + r.URL.Path)
	})))
	detail := e.doAs("", "GET", "/anything", nil).problem(500, "internal_error")
	if strings.Contains(detail, "boom") {
		t.Errorf("the panic value reached the client: %q", detail)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "boom /anything") || !strings.Contains(logs, "goroutine") || !strings.Contains(logs, `"status":500`) {
		t.Errorf("the panic, its stack or the 500 is not logged:\n%s", logs)
	}
}
