package webhook

import (
	"math/rand/v2"
	"time"
)

// RetryPeriod is how long after an event was created its failed deliveries
// are retried; a delivery still failing then is given up (status failed).
const RetryPeriod = 24 * time.Hour

// retryDelays are the waits after the first, second, … failed attempt;
// every later failure waits the last one. Over RetryPeriod that makes about
// a dozen attempts.
var retryDelays = []time.Duration{
	5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour,
}

// nextAttempt returns when to try a delivery again whose attempt number
// failures+1 failed at now, for an event created at created; or the zero
// time, meaning give up, once RetryPeriod has passed since created. Each
// wait is spread by ±20 % so deliveries that failed together do not all come
// back together, and the wait that would end past the period is cut short so
// that the last attempt falls at its end.
func nextAttempt(created time.Time, failures int, now time.Time) time.Time {
	deadline := created.Add(RetryPeriod)
	if !now.Before(deadline) {
		return time.Time{}
	}
	wait := retryDelays[min(max(failures, 0), len(retryDelays)-1)]
	next := now.Add(wait*4/5 + rand.N(wait*2/5))
	if next.After(deadline) {
		return deadline
	}
	return next
}
