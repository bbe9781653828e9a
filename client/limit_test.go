package client

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(3)
	for range 3 {
		if ok, _ := l.take("k", start); !ok {
			t.Fatal("a full bucket refused a request")
		}
	}
	if ok, wait := l.take("k", start); ok || wait != 20*time.Second {
		t.Fatalf("4th request: ok %v, wait %v; want refused for 20s", ok, wait)
	}
	if ok, _ := l.take("k", start.Add(20*time.Second)); !ok {
		t.Fatal("a refilled token was refused")
	}
}

// A flood of distinct identities keeps the limiter bounded.
func TestLimiterStaysBounded(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(3)
	for i := range 3 * maxTracked {
		l.take(strconv.Itoa(i), start)
	}
	if len(l.buckets) > maxTracked {
		t.Fatalf("%d buckets kept; want at most %d", len(l.buckets), maxTracked)
	}
}
