package webhook

import (
	"testing"
	"time"
)

func TestNextAttempt(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(time.Minute)
	want := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 4 * time.Hour, 4 * time.Hour}
	for failures, base := range want {
		waits := map[time.Duration]bool{}
		for range 100 {
			wait := nextAttempt(created, failures, now).Sub(now)
			if wait < base*4/5 || wait >= base*6/5 {
				t.Fatalf("after %d failures: wait %s, want %s ± 20 %%", failures+1, wait, base)
			}
			waits[wait] = true
		}
		if len(waits) < 50 {
			t.Fatalf("after %d failures: only %d distinct waits in 100; the jitter is missing", failures+1, len(waits))
		}
	}
	if wait := nextAttempt(created, 1000, now).Sub(now); wait > 4*time.Hour*6/5 {
		t.Fatalf("the wait is not capped: %s", wait)
	}

	deadline := created.Add(RetryPeriod)
	if got := nextAttempt(created, 7, deadline.Add(-time.Hour)); !got.Equal(deadline) {
		t.Fatalf("a wait past the period: next %s, want the period's end %s", got, deadline)
	}
	for _, at := range []time.Time{deadline, deadline.Add(time.Nanosecond), deadline.Add(48 * time.Hour)} {
		if got := nextAttempt(created, 3, at); !got.IsZero() {
			t.Fatalf("failed at +%s: next %s, want to give up", at.Sub(created), got)
		}
	}
}
