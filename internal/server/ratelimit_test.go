package server

import (
	"strconv"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s, func(c *Config) { c.APIRate = PerMinute(2) })
		e.do("GET", "/v1/vendor", nil).want(200)
		e.do("GET", "/v1/customers", nil).want(200)
		r := e.do("GET", "/v1/vendor", nil)
		r.problem(429, "rate_limited")
		if got := r.header.Get("Retry-After"); got != "30" {
			t.Fatalf("Retry-After = %q, want 30 (one token every 30 s at 2/min)", got)
		}

		_, other := e.newVendor("Globex")
		e.doAs(other, "GET", "/v1/vendor", nil).want(200) // another key has its own bucket
		e.doAs("", "GET", "/healthz", nil).want(200)      // public routes are not limited per key

		e.clock.Advance(29 * time.Second)
		e.do("GET", "/v1/vendor", nil).problem(429, "rate_limited")
		e.clock.Advance(time.Second)
		e.do("GET", "/v1/vendor", nil).want(200)
		e.do("GET", "/v1/vendor", nil).want(429)
	})
}

func TestLimiter(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(PerMinute(600))
	for i := range 600 {
		if ok, _, _ := l.take("k", start); !ok {
			t.Fatalf("request %d of a full bucket refused", i+1)
		}
	}
	ok, _, wait := l.take("k", start)
	if ok || wait != 100*time.Millisecond {
		t.Fatalf("601st request: ok %v, wait %v; want refused for 100ms", ok, wait)
	}
	if ok, _, _ := l.take("k", start.Add(100*time.Millisecond)); !ok {
		t.Fatal("a refilled token was refused")
	}
	if ok, _, _ := l.take("k", start.Add(time.Hour)); !ok {
		t.Fatal("an idle key was refused")
	}
	if b := l.buckets["k"]; b.tokens != 599 {
		t.Fatalf("after an idle hour the bucket holds %v tokens; want it capped at 600 (599 after this request)", b.tokens)
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(PerMinute(60))
	for i := range maxTracked {
		l.take(strconv.Itoa(i), start)
	}
	l.take("new", start.Add(time.Minute))
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets kept; want the idle ones dropped", len(l.buckets))
	}
}

func TestThrottle(t *testing.T) {
	start := time.Unix(0, 0)
	th := newThrottle(time.Minute)
	if !th.allow("k", start) || th.allow("k", start.Add(59*time.Second)) || !th.allow("k", start.Add(time.Minute)) {
		t.Fatal("throttle does not allow exactly once a minute")
	}
	if !th.allow("other", start) {
		t.Fatal("keys share a throttle")
	}
	if !th.allow("k", start) {
		t.Fatal("a clock that stepped back blocks the key")
	}
}

// TestRateLimitHeaders: every rate-limited answer says the size of the
// bucket that decides and what is left in it, and a refusal says when to
// come back; the token endpoints report their own, separate bucket.
func TestRateLimitHeaders(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t), func(c *Config) {
		c.APIRate = Rate{PerSecond: 0.5, Burst: 3}
		c.TokenRate = Rate{PerSecond: 5, Burst: 7}
	})
	check := func(r *result, limit, remaining, retryAfter string) {
		t.Helper()
		if got := [3]string{r.header.Get("RateLimit-Limit"), r.header.Get("RateLimit-Remaining"), r.header.Get("Retry-After")}; got != [3]string{limit, remaining, retryAfter} {
			t.Fatalf("%s: RateLimit-Limit, -Remaining, Retry-After = %q, want %q", r.req, got, [3]string{limit, remaining, retryAfter})
		}
	}
	check(e.do("GET", "/v1/vendor", nil).want(200), "3", "2", "")
	check(e.do("GET", "/v1/customers", nil).want(200), "3", "1", "")
	check(e.do("POST", issuePath, grant(map[string]any{"type": "customer", "id": "Eacme"})).want(200), "7", "6", "")
	check(e.do("GET", "/v1/vendor", nil).want(200), "3", "0", "")
	r := e.do("GET", "/v1/vendor", nil)
	r.problem(429, "rate_limited")
	check(r, "3", "0", "2")
	e.clock.Advance(2 * time.Second)
	check(e.do("GET", "/v1/vendor", nil).want(200), "3", "0", "")
}
