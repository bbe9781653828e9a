package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/orielhq/oriel"
)

// rateLimited answers 429 with Retry-After when the caller's API key has
// used up its requests.
func (s *Server) rateLimited(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ok, wait := s.limiter.take(stateOf(r).apiKey.ID, s.now())
		if !ok {
			seconds := retryAfter(w, wait)
			return oriel.Errorf(oriel.ERATELIMITED, codeRateLimited, "this API key made more than %d requests in a minute; retry in %d s", s.limiter.perMinute, seconds)
		}
		return next(w, r)
	}
}

// retryAfter sets the Retry-After header to wait in whole seconds, rounded
// up, and returns them.
func retryAfter(w http.ResponseWriter, wait time.Duration) int {
	seconds := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	return seconds
}

// maxTracked bounds the per-key maps; past it, idle entries are dropped.
const maxTracked = 10_000

// limiter is a token bucket per key: it holds up to perMinute tokens and
// refills at perMinute per minute, so a key may burst a minute's worth and
// then go on at the steady rate.
type limiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// take spends one of key's tokens at now. When none is left it reports
// false and how long until one will be.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		l.prune(now)
		b = &bucket{tokens: float64(l.perMinute), at: now}
		l.buckets[key] = b
	}
	b.refill(now, l.perMinute)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, l.shortfall(b)
}

// wait reports how long until key may spend a token at now (0 when it may
// at once), without spending one or starting to track key.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	b.refill(now, l.perMinute)
	return l.shortfall(b)
}

// shortfall is how long until b, brought up to date, holds a whole token.
func (l *limiter) shortfall(b *bucket) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	perToken := time.Minute / time.Duration(l.perMinute)
	return time.Duration((1 - b.tokens) * float64(perToken))
}

func (b *bucket) refill(now time.Time, perMinute int) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = math.Min(float64(perMinute), b.tokens+elapsed.Minutes()*float64(perMinute))
		b.at = now
	}
}

// prune drops full buckets (keys idle long enough to have refilled, which
// a fresh bucket would equal) once the map grows past maxTracked. When too
// few are full, as under a flood from many addresses, buckets picked at
// random go until a tenth of the room is free, so memory stays bounded and
// the sweep runs once per maxTracked/10 new keys at most; forgetting one
// key's debt that way takes thousands of others, each limited on its own.
func (l *limiter) prune(now time.Time) {
	if len(l.buckets) < maxTracked {
		return
	}
	for key, b := range l.buckets {
		if b.refill(now, l.perMinute); b.tokens >= float64(l.perMinute) {
			delete(l.buckets, key)
		}
	}
	for key := range l.buckets {
		if len(l.buckets) <= maxTracked*9/10 {
			break
		}
		delete(l.buckets, key)
	}
}

// throttle allows an action at most once per interval per key.
type throttle struct {
	interval time.Duration
	mu       sync.Mutex
	last     map[string]time.Time
}

func newThrottle(interval time.Duration) *throttle {
	return &throttle{interval: interval, last: map[string]time.Time{}}
}

// allow reports whether key's action may run at now, and if so notes it.
func (t *throttle) allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.last[key]; ok && !now.Before(last) && now.Sub(last) < t.interval {
		return false
	}
	if len(t.last) >= maxTracked {
		for k, last := range t.last {
			if now.Sub(last) >= t.interval {
				delete(t.last, k)
			}
		}
	}
	t.last[key] = now
	return true
}
