package connect

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel/internal/netguard"
)

// Retries of a provider request that failed transiently (catalogue H14).
const (
	retryAttempts = 3
	retryBase     = 250 * time.Millisecond
)

// retry runs op until it succeeds, fails permanently, or has run
// retryAttempts times, sleeping between attempts for an exponentially
// growing delay with full jitter, so that replicas retrying at once spread
// out. It returns op's last error, or ctx's if ctx ends first.
func retry(ctx context.Context, op func() error) error {
	var err error
	for attempt := range retryAttempts {
		if err = op(); err == nil || !transient(err) || attempt == retryAttempts-1 {
			return err
		}
		delay := retryBase<<attempt/2 + rand.N(retryBase<<attempt/2)
		if sleepErr := sleep(ctx, delay); sleepErr != nil {
			return err
		}
	}
	return err
}

// transient reports whether a provider request may succeed when repeated:
// network errors and timeouts, 5xx and 429 answers. OAuth error answers
// such as invalid_grant, untrusted certificates and oversized responses are
// permanent.
func transient(err error) bool {
	if isTooLarge(err) || errors.Is(err, netguard.ErrDestinationNotAllowed) {
		return false
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		return re.Response != nil && retryableStatus(re.Response.StatusCode)
	}
	if se, ok := errors.AsType[*statusError](err); ok {
		return retryableStatus(se.status)
	}
	_, isNet := errors.AsType[net.Error](err)
	return isNet || errors.Is(err, context.DeadlineExceeded)
}

// retryableStatus reports whether an HTTP status is worth another attempt.
func retryableStatus(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// statusError is an unexpected HTTP status from a provider request the
// engine makes itself (revocation, test requests).
type statusError struct{ status int }

func (e *statusError) Error() string { return "provider answered HTTP " + http.StatusText(e.status) }

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
