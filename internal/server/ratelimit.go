package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/orielhq/oriel"
)

// Rate is the shape of a token bucket: it refills at PerSecond tokens a
// second and holds at most Burst, so a caller may make Burst requests at
// once and then go on at PerSecond. Each replica keeps its own buckets.
type Rate struct {
	PerSecond float64
	Burst     int
}

// PerMinute returns the Rate of n requests a minute, all of them at once
// at most.
func PerMinute(n int) Rate { return Rate{PerSecond: float64(n) / 60, Burst: n} }

// Default limits per API key, sized for a vendor with 100,000 active users
// (docs/deployment.md#rate-limits shows the arithmetic).
var (
	// DefaultTokenRate limits POST /v1/auth/access-tokens and …/revoke.
	DefaultTokenRate = Rate{PerSecond: 300, Burst: 3000}
	// DefaultAPIRate limits every other /v1 route.
	DefaultAPIRate = Rate{PerSecond: 100, Burst: 1000}
	// DefaultLinkFailureRate limits the refused direct links one client
	// address may open before it is answered 429.
	DefaultLinkFailureRate = PerMinute(30)
)

// valid reports whether r can limit anything.
func (r Rate) valid() bool { return r.PerSecond > 0 && r.Burst >= 1 }

// orDefault returns r, or def when r is the zero Rate.
func (r Rate) orDefault(def Rate) Rate {
	if r.valid() {
		return r
	}
	return def
}

// rateLimited answers 429 with Retry-After when the caller's API key has
// used up its requests in l. Every answer says the bucket's size
// (RateLimit-Limit) and the requests left in it (RateLimit-Remaining): the
// state of this replica's bucket, which is the one that decides.
func (s *Server) rateLimited(l *limiter, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ok, remaining, wait := l.take(stateOf(r).apiKey.ID, s.now())
		w.Header().Set("RateLimit-Limit", strconv.Itoa(l.rate.Burst))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(remaining))
		if !ok {
			seconds := retryAfter(w, wait)
			return oriel.Errorf(oriel.ERATELIMITED, codeRateLimited, "this API key is over its limit of %g requests a second (bursts of %d) for this endpoint; retry in %d s", l.rate.PerSecond, l.rate.Burst, seconds)
		}
		return next(w, r)
	}
}

// retryAfter sets the Retry-After header to wait in whole seconds, rounded
// up (at least 1), and returns them.
func retryAfter(w http.ResponseWriter, wait time.Duration) int {
	seconds := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	return seconds
}

// maxTracked bounds the per-key maps; past it, idle entries are dropped.
const maxTracked = 10_000

// limiter is a token bucket of its Rate per key.
type limiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newLimiter(rate Rate) *limiter {
	return &limiter{rate: rate, buckets: map[string]*bucket{}}
}

// take spends one of key's tokens at now. It reports whether there was
// one, how many whole tokens are left, and, when there was none, how long
// until one will be.
func (l *limiter) take(key string, now time.Time) (bool, int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		l.prune(now)
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, int(b.tokens), 0
	}
	return false, 0, l.shortfall(b)
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
	l.refill(b, now)
	return l.shortfall(b)
}

// shortfall is how long until b, brought up to date, holds a whole token.
func (l *limiter) shortfall(b *bucket) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rate.PerSecond * float64(time.Second))
}

// refill brings b's tokens up to date at now.
func (l *limiter) refill(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+elapsed.Seconds()*l.rate.PerSecond)
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
		if l.refill(b, now); b.tokens >= float64(l.rate.Burst) {
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
