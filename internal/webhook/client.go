package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/orielhq/oriel/internal/netguard"
)

// Bounds on every webhook request: a receiver that is slow, redirects or
// answers at length costs an attempt, never the dispatcher's time or memory.
const (
	// RequestTimeout bounds one attempt, from dialling to the end of the response.
	RequestTimeout = 15 * time.Second
	// maxResponseBytes of a response body are read (so the connection can be
	// reused); the rest is not, and all of it is discarded.
	maxResponseBytes = 64 << 10
)

// NewHTTPClient returns the client a Dispatcher uses when it is given none:
// it connects only to the addresses destinations allows, checked on the
// resolved address at connect time (so DNS rebinding cannot get around it);
// TLS certificates verified, bounded dial, handshake, response-header and
// total times, and no redirects followed. It uses no HTTP proxy, which
// would make the proxy's address the one checked.
func NewHTTPClient(destinations netguard.Policy) *http.Client {
	return &http.Client{
		Timeout: RequestTimeout,
		Transport: &http.Transport{
			DialContext:           destinations.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: noRedirects,
	}
}

// noRedirects makes a client return a redirect as the response: a webhook
// is answered by the URL the vendor registered or not at all.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects returns a copy of c that follows no redirects and, if c
// has no timeout of its own, gives up after RequestTimeout.
func withoutRedirects(c *http.Client) *http.Client {
	b := *c
	b.CheckRedirect = noRedirects
	if b.Timeout == 0 {
		b.Timeout = RequestTimeout
	}
	return &b
}

// errInvalidURL is an endpoint URL that no request can be made to.
var errInvalidURL = errors.New("invalid endpoint URL")

// statusError is a response outside 2xx.
type statusError struct{ status int }

func (e statusError) Error() string {
	if e.status >= 300 && e.status < 400 {
		return fmt.Sprintf("HTTP %d (redirects are not followed)", e.status)
	}
	return fmt.Sprintf("HTTP %d", e.status)
}

// describe returns the error an attempt ended with as a short text fit to
// show the vendor (it becomes the delivery's last_error): the status of a
// non-2xx answer, destination_not_allowed for an address the policy
// refuses, or the kind of network failure, without the URL (which may hold
// a token) or the addresses it resolved to, so last_error cannot be used to
// map which internal addresses answer.
func describe(err error) string {
	if se, ok := errors.AsType[statusError](err); ok {
		return se.Error()
	}
	if errors.Is(err, errInvalidURL) {
		return errInvalidURL.Error()
	}
	if errors.Is(err, netguard.ErrDestinationNotAllowed) {
		return CodeDestinationNotAllowed
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return "timed out"
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return "TLS certificate not trusted"
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return "host not found"
	}
	return "connection failed"
}
