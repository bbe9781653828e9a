package client

import (
	"sync"
	"time"
)

// maxTracked bounds the limiter's memory: past it, refilled buckets are
// dropped, and others at random until a tenth of the room is free.
const maxTracked = 10_000

// limiter is a token bucket per key: it holds up to perMinute tokens and
// refills at perMinute a minute.
type limiter struct {
	perMinute float64
	mu        sync.Mutex
	buckets   map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: float64(perMinute), buckets: map[string]*bucket{}}
}

// take spends one of key's tokens at now; when none is left it reports false
// and how long until one will be.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		l.makeRoom(now)
		b = &bucket{tokens: l.perMinute, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perMinute * float64(time.Minute))
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.perMinute, b.tokens+elapsed.Minutes()*l.perMinute)
		b.at = now
	}
}

// makeRoom keeps the map below maxTracked entries.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.buckets) < maxTracked {
		return
	}
	for key, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.perMinute {
			delete(l.buckets, key)
		}
	}
	for key := range l.buckets {
		if len(l.buckets) <= maxTracked*9/10 {
			return
		}
		delete(l.buckets, key)
	}
}
