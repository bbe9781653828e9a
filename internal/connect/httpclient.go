package connect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/orielhq/oriel/internal/netguard"
)

// Bounds on every request the engine makes to a provider (token, refresh,
// revocation and test requests). A provider that is slow, huge or redirects
// gets an error, never Oriel's memory or its secrets (catalogue H14–H16).
const (
	// MaxResponseBytes caps a provider response body; a larger one is an error.
	MaxResponseBytes = 1 << 20
	// RequestTimeout bounds one request, from dialling to the last body byte.
	RequestTimeout = 15 * time.Second
)

// ErrResponseTooLarge is returned (wrapped in a *url.Error) by a client from
// NewHTTPClient when a response body exceeds MaxResponseBytes.
var ErrResponseTooLarge = fmt.Errorf("connect: provider response is larger than %d bytes", MaxResponseBytes)

// NewHTTPClient returns the client the engine uses when Engine.HTTPClient is
// nil: it connects only to the addresses destinations allows, checked on
// the resolved address at connect time (so DNS rebinding cannot get around
// it); TLS certificates verified, bounded dial, handshake, header and total
// times, no redirects followed (a token or key must never be replayed to
// another URL), and bodies capped at MaxResponseBytes. It uses no HTTP
// proxy, which would make the proxy's address the one checked.
func NewHTTPClient(destinations netguard.Policy) *http.Client {
	return bound(&http.Client{Transport: &http.Transport{
		DialContext:           destinations.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
	}})
}

// bound returns a copy of c that enforces the engine's limits whatever c
// was configured with: the body cap, no redirects, and RequestTimeout when
// c has no timeout of its own.
func bound(c *http.Client) *http.Client {
	b := *c
	next := b.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if _, ok := next.(cappedTransport); !ok {
		b.Transport = cappedTransport{next: next}
	}
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if b.Timeout == 0 {
		b.Timeout = RequestTimeout
	}
	return &b
}

// cappedTransport reads each response body, up to MaxResponseBytes, before
// handing the response on, so no caller can be made to read more (x/oauth2
// would silently truncate instead). Provider responses are small; buffering
// them keeps the check in one place.
type cappedTransport struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > MaxResponseBytes {
		return nil, ErrResponseTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxResponseBytes {
		return nil, ErrResponseTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// isTooLarge reports whether err comes from a response over the cap.
func isTooLarge(err error) bool { return errors.Is(err, ErrResponseTooLarge) }
