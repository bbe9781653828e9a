// Package proxy forwards a vendor's request to the API of a customer's
// connected app (/v1/connections/{id}/proxy/{path…}): to the provider's
// API base URL, with the connection's current credentials put on it the
// way the provider expects, and the answer streamed back unchanged. The
// vendor never handles the credentials.
//
// Bodies stream both ways, within configurable bounds. A 401 from the
// provider makes the connection engine refresh the token once (shared by
// every concurrent caller; for a client credentials connection, fetch a new
// one) and, when the request body can be sent again,
// the request is retried once. With Oriel-Retries, idempotent requests are
// retried on 429 and 5xx answers, honouring Retry-After. Every destination
// passes the netguard policy on the address actually dialled.
package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
)

// Defaults of Config.
const (
	DefaultMaxRequestBytes  = 32 << 20
	DefaultMaxResponseBytes = 256 << 20
	DefaultTimeout          = 5 * time.Minute
)

// Retry bounds.
const (
	// MaxRetries is the largest Oriel-Retries a request may ask for.
	MaxRetries = 3
	// MaxRetryWait is the longest Retry-After honoured; a provider that asks
	// for a longer wait gets its answer passed on instead.
	MaxRetryWait = 10 * time.Second
	retryBase    = 250 * time.Millisecond
	// replayBytes: a request body of known length up to this size is kept
	// in memory, so that the request can be sent again; a larger or
	// chunked one streams through and is sent once.
	replayBytes = 256 << 10
	// answerBytes of a provider's refusal are quoted in connection_error.
	answerBytes = 4 << 10
)

// Headers the proxy reads or adds.
const (
	// RetriesHeader asks for up to MaxRetries retries of an idempotent
	// request that the provider answers 429 or 5xx.
	RetriesHeader = "Oriel-Retries"
	// RefreshedHeader marks a provider's 401 passed on after the
	// credentials were refreshed: the request, whose body streamed through,
	// could not be sent again, and should be.
	RefreshedHeader = "Oriel-Credentials-Refreshed"
	// RequestIDHeader carries Oriel's request id, since the provider's
	// X-Request-Id, when it sends one, is passed on instead.
	RequestIDHeader = "Oriel-Request-Id"
)

// Error codes of the proxy.
const (
	CodePathInvalid      = "proxy_path_invalid"
	CodeRetriesInvalid   = "proxy_retries_invalid"
	CodeRequestTooLarge  = "proxy_request_too_large"
	CodeResponseTooLarge = "proxy_response_too_large"
	// CodeConnectionError: the provider refused the connection's
	// credentials and they could not be refreshed; the connection is now in
	// error, and the problem quotes the provider's answer.
	CodeConnectionError = "connection_error"
	// CodeDestinationNotAllowed: the provider's address is one the netguard
	// policy refuses (private, loopback, link-local, metadata).
	CodeDestinationNotAllowed = "destination_not_allowed"
)

// KindBadGateway is the error kind (HTTP 502) of a provider answer the
// proxy cannot pass on.
const KindBadGateway = "bad_gateway"

// Config bounds the proxy. The zero value is usable.
type Config struct {
	// Policy decides which addresses may be dialled; the zero value refuses
	// private, loopback, link-local and metadata addresses.
	Policy netguard.Policy
	// MaxRequestBytes bounds a request body; 0 → DefaultMaxRequestBytes.
	MaxRequestBytes int64
	// MaxResponseBytes bounds a response body; 0 → DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Timeout bounds one proxied request, retries and both bodies
	// included; 0 → DefaultTimeout.
	Timeout time.Duration
	// RootCAs are the authorities trusted for providers' TLS certificates;
	// nil → the system's.
	RootCAs *x509.CertPool
}

// Outcome is what the proxy reports of each request, for metrics.
type Outcome struct {
	Provider string        // the provider's catalogue key
	Status   int           // the provider's last status; 0 when none arrived
	Upstream time.Duration // waiting for the provider's response headers, all attempts
}

// Forwarder forwards requests to providers' APIs. It is safe for
// concurrent use.
type Forwarder struct {
	engine    *connect.Engine
	cfg       Config
	transport *http.Transport
	observe   func(Outcome)
	logger    *slog.Logger
}

// New returns a Forwarder that takes credentials from engine and reports
// each request to observe (which may be nil).
func New(engine *connect.Engine, cfg Config, observe func(Outcome), logger *slog.Logger) *Forwarder {
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if observe == nil {
		observe = func(Outcome) {}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Forwarder{engine: engine, cfg: cfg, transport: newTransport(cfg.Policy, cfg.RootCAs), observe: observe, logger: logger}
}

// newTransport returns the proxy's transport: it streams bodies (unlike
// the engine's client, which buffers small token responses), dials only
// addresses the policy allows, ignores proxy environment variables (which
// would bypass that check), and leaves Content-Encoding to the two ends.
func newTransport(policy netguard.Policy, roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		DialContext:            policy.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  60 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true,
	}
}

// Request is one request to forward.
type Request struct {
	VendorID     string
	ConnectionID string
	// Path is the provider API's path, relative to its base URL, as sent
	// (still percent-encoded).
	Path string
	// Body is the request body without the API's own size limit.
	Body io.ReadCloser
}

// Forward sends r to the connection's provider and streams the answer to
// w. An error is returned only while nothing has been written; it is an
// *oriel.Error (or an *AnswerError) for the caller to answer. A failure
// after the answer has started aborts the response, so that the client
// sees a truncated body rather than a complete-looking one.
func (f *Forwarder) Forward(w http.ResponseWriter, r *http.Request, in Request) error {
	retries, err := parseRetries(r)
	if err != nil {
		return err
	}
	call, err := f.engine.APICall(r.Context(), in.VendorID, in.ConnectionID)
	if err != nil {
		return refusedError(err, nil)
	}
	target, err := Target(call.BaseURL, in.Path, r.URL.RawQuery)
	if err != nil {
		return err
	}
	if f.cfg.Policy.CheckURL(target) != nil {
		return destinationError()
	}
	if r.ContentLength > f.cfg.MaxRequestBytes {
		return tooLargeError(f.cfg.MaxRequestBytes)
	}
	body, replayable, err := f.requestBody(w, r, in.Body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), f.cfg.Timeout)
	defer cancel()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(f.cfg.Timeout)) // beyond the server's own, for large bodies
	_ = rc.SetWriteDeadline(time.Now().Add(f.cfg.Timeout))
	_ = rc.EnableFullDuplex() // the answer may start while the request body still streams in

	x := &exchange{f: f, w: w, r: r, call: call, target: target, body: body, replayable: replayable, retries: retries, vendorID: in.VendorID}
	defer func() { f.observe(Outcome{Provider: call.Provider.Key, Status: x.status, Upstream: x.upstream}) }()
	resp, err := x.run(ctx)
	if err != nil {
		return err
	}
	f.logger.Info("proxied", "vendor_id", in.VendorID, "connection_id", in.ConnectionID, "provider", call.Provider.Key,
		"status", resp.StatusCode, "attempts", x.attempts, "refreshed", x.refreshed)
	return f.relay(w, resp)
}

// exchange is one proxied request, over its attempts.
type exchange struct {
	f          *Forwarder
	w          http.ResponseWriter
	r          *http.Request
	call       *connect.APICall
	target     *url.URL
	body       requestBody
	replayable bool
	retries    int // Oriel-Retries left
	vendorID   string

	attempts  int
	refreshed bool
	status    int
	upstream  time.Duration
}

// run sends the request until it gets the answer to pass on: after at most
// one refresh on a 401 and the retries asked for on 429 and 5xx.
func (x *exchange) run(ctx context.Context) (*http.Response, error) {
	for {
		x.attempts++
		req, err := x.request(ctx)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := x.f.transport.RoundTrip(req)
		x.upstream += time.Since(start)
		if err != nil {
			if x.canRetry() && transient(err) && x.pause(ctx, backoff(x.attempts)) == nil {
				continue
			}
			return nil, transportError(err, x.f.cfg.MaxRequestBytes)
		}
		x.status = resp.StatusCode
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !x.refreshed && x.call.Refreshable():
			x.refreshed = true
			again, err := x.refresh(ctx, resp)
			if again || err != nil {
				resp.Body.Close()
				if err != nil {
					return nil, err
				}
				continue
			}
		case retryableStatus(resp.StatusCode) && x.canRetry():
			if wait, ok := retryDelay(resp.Header, x.attempts, time.Now()); ok {
				discard(resp)
				if err := x.pause(ctx, wait); err != nil {
					return nil, transportError(err, 0)
				}
				continue
			}
		}
		return resp, nil
	}
}

// canRetry reports whether the request may be sent again for a 429, a 5xx
// or a network failure: Oriel-Retries asked for it, and the method is
// idempotent with a body that can be replayed.
func (x *exchange) canRetry() bool {
	return x.retries > 0 && x.replayable && idempotent(x.r.Method)
}

// refresh handles the provider's 401 to a refreshable connection: it
// replaces the credentials and reports whether to send the request again.
// When the body cannot be replayed, the 401 is passed on, marked with
// RefreshedHeader. When the grant is gone, the error is connection_error
// with the provider's answer.
func (x *exchange) refresh(ctx context.Context, resp *http.Response) (again bool, err error) {
	answer := quote(resp, x.call.Secrets())
	err = x.call.RefreshRejected(ctx, x.f.engine, x.vendorID)
	switch {
	case oriel.ErrorCode(err) == connect.CodeReauthorizationRequired:
		return false, &AnswerError{
			Err: oriel.Errorf(oriel.ECONFLICT, CodeConnectionError,
				"%s refused the connection's credentials (HTTP %d) and they could not be refreshed; the customer must connect again",
				x.call.Provider.DisplayName, resp.StatusCode),
			Answer: answer,
		}
	case err != nil:
		return false, refusedError(err, x.call.Secrets())
	case !x.replayable:
		x.w.Header().Set(RefreshedHeader, "true")
		return false, nil
	}
	return true, nil
}

// request builds one attempt's request to the provider.
func (x *exchange) request(ctx context.Context) (*http.Request, error) {
	body, err := x.body.open()
	if err != nil {
		return nil, err
	}
	u := *x.target
	req := &http.Request{
		Method:        x.r.Method,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        outboundHeader(x.r.Header),
		Body:          body,
		ContentLength: x.body.length,
		Host:          u.Host,
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	x.call.Authorize(req)
	return req.WithContext(ctx), nil
}

// requestBody is the body of a proxied request: kept in memory (replayable)
// or streamed once.
type requestBody struct {
	data   []byte        // a kept body
	stream io.ReadCloser // a streamed body, sent once
	length int64         // -1 when unknown
	sent   bool
}

// open returns a reader of the body for one attempt, nil for none.
func (b *requestBody) open() (io.ReadCloser, error) {
	switch {
	case b.stream != nil && b.sent:
		return nil, errors.New("proxy: a streamed body cannot be sent twice") // canRetry prevents it
	case b.stream != nil:
		b.sent = true
		return b.stream, nil
	case b.length > 0:
		return io.NopCloser(bytes.NewReader(b.data)), nil
	}
	return nil, nil
}

// requestBody reads the request's body (bounded by MaxRequestBytes) and
// reports whether it can be sent more than once.
func (f *Forwarder) requestBody(w http.ResponseWriter, r *http.Request, raw io.ReadCloser) (requestBody, bool, error) {
	if r.ContentLength == 0 || raw == nil || raw == http.NoBody {
		return requestBody{}, true, nil
	}
	body := http.MaxBytesReader(w, raw, f.cfg.MaxRequestBytes)
	if r.ContentLength < 0 || r.ContentLength > replayBytes {
		return requestBody{stream: body, length: r.ContentLength}, false, nil
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return requestBody{}, false, transportError(err, f.cfg.MaxRequestBytes)
	}
	return requestBody{data: data, length: int64(len(data))}, true, nil
}

// relay passes the provider's answer on: status, headers (but hop-by-hop
// ones, cookies and Oriel's own) and the body, streamed and bounded.
func (f *Forwarder) relay(w http.ResponseWriter, resp *http.Response) error {
	defer resp.Body.Close()
	if resp.ContentLength > f.cfg.MaxResponseBytes {
		return oriel.Errorf(KindBadGateway, CodeResponseTooLarge,
			"the provider's answer (%d bytes) is larger than this server's limit of %d bytes", resp.ContentLength, f.cfg.MaxResponseBytes)
	}
	h := w.Header()
	h.Set(RequestIDHeader, h.Get("X-Request-Id"))
	for k, vs := range inboundHeader(resp.Header) {
		h[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	var total int64
	for {
		n, err := resp.Body.Read(buf)
		if total += int64(n); total > f.cfg.MaxResponseBytes {
			f.logger.Warn("proxied answer cut: larger than the limit", "limit", f.cfg.MaxResponseBytes)
			panic(http.ErrAbortHandler)
		}
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil // the client went away
			}
			_ = rc.Flush() // stream: server-sent events must not wait in a buffer
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			f.logger.Warn("proxied answer cut: the provider's body failed", "code", oriel.ErrorCode(transportError(err, 0)))
			panic(http.ErrAbortHandler)
		}
	}
}

// hopByHop are the headers of one connection (RFC 9110 §7.6.1), never forwarded.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// withoutHopByHop returns a copy of h without hop-by-hop headers, those
// that its Connection header names, and names.
func withoutHopByHop(h http.Header, names ...string) http.Header {
	out := h.Clone()
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			out.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range append(hopByHop, names...) {
		out.Del(name)
	}
	for k := range out {
		if strings.HasPrefix(k, "Oriel-") {
			delete(out, k)
		}
	}
	return out
}

// outboundHeader is what the provider gets of the vendor's headers: not
// the vendor's Oriel API key, cookies, or Oriel's own headers.
func outboundHeader(h http.Header) http.Header {
	return withoutHopByHop(h, "Authorization", "Cookie", "Host", "Expect")
}

// inboundHeader is what the vendor gets of the provider's headers: not its
// cookies (a session at the provider is a credential) or framing headers
// that the server sets itself.
func inboundHeader(h http.Header) http.Header {
	return withoutHopByHop(h, "Set-Cookie", "Set-Cookie2")
}

// parseRetries reads Oriel-Retries: absent or 0 to MaxRetries, and only on
// an idempotent method.
func parseRetries(r *http.Request) (int, error) {
	v := r.Header.Values(RetriesHeader)
	if len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.Atoi(v[0])
	if len(v) > 1 || err != nil || n < 0 || n > MaxRetries {
		return 0, oriel.Errorf(oriel.EINVALID, CodeRetriesInvalid, "%s must be a whole number from 0 to %d", RetriesHeader, MaxRetries)
	}
	if n > 0 && !idempotent(r.Method) {
		return 0, oriel.Errorf(oriel.EINVALID, CodeRetriesInvalid,
			"%s applies to idempotent methods only (GET, HEAD, OPTIONS, PUT, DELETE), not %s", RetriesHeader, r.Method)
	}
	return n, nil
}

// idempotent reports whether method is idempotent (RFC 9110 §9.2.2).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableStatus reports whether an answer is worth another attempt.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDelay is how long to wait before attempt+1: exponential backoff
// with jitter, or the provider's Retry-After (seconds or an HTTP date)
// when longer. ok is false when Retry-After asks for more than MaxRetryWait.
func retryDelay(h http.Header, attempt int, now time.Time) (wait time.Duration, ok bool) {
	wait = backoff(attempt)
	v := h.Get("Retry-After")
	if v == "" {
		return wait, true
	}
	var after time.Duration
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		after = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		after = t.Sub(now)
	}
	if after > MaxRetryWait {
		return 0, false
	}
	return max(wait, after), true
}

// backoff is the wait before attempt+1: half of retryBase·2^(attempt-1)
// plus a random part of up to as much.
func backoff(attempt int) time.Duration {
	d := retryBase << (attempt - 1) / 2
	return d + rand.N(d)
}

// pause uses up one retry: it waits for d before it, or fails when ctx
// ends first.
func (x *exchange) pause(ctx context.Context, d time.Duration) error {
	x.retries--
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// discard reads a little of an answer that is not passed on, so that its
// connection can be reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// transient reports whether a failed attempt may succeed when repeated.
func transient(err error) bool {
	if errors.Is(err, netguard.ErrDestinationNotAllowed) {
		return false
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	_, isNet := errors.AsType[net.Error](err)
	return isNet
}

// transportError names why no answer came, without the error's text,
// which holds the URL and so, for some providers, a credential.
func transportError(err error, maxRequest int64) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLargeError(maxRequest)
	}
	switch {
	case errors.Is(err, netguard.ErrDestinationNotAllowed):
		return destinationError()
	case errors.Is(err, context.DeadlineExceeded):
		return oriel.Errorf(oriel.EUNAVAILABLE, connect.CodeProviderUnavailable, "the provider did not answer in time; try again later")
	case errors.Is(err, context.Canceled):
		return oriel.Errorf(oriel.EUNAVAILABLE, connect.CodeProviderUnavailable, "the request was cancelled before the provider answered")
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return oriel.Errorf(oriel.EUNAVAILABLE, connect.CodeProviderUnavailable, "the provider's TLS certificate is not trusted")
	}
	return oriel.Errorf(oriel.EUNAVAILABLE, connect.CodeProviderUnavailable, "the provider could not be reached; try again later")
}

// destinationError is the error of an address the policy refuses.
func destinationError() error {
	return oriel.Errorf(oriel.EFORBIDDEN, CodeDestinationNotAllowed,
		"the provider's API address is private, loopback, link-local or a metadata service, which Oriel does not call")
}

// tooLargeError is the error of a request body over the limit.
func tooLargeError(limit int64) error {
	return oriel.Errorf(oriel.ETOOLARGE, CodeRequestTooLarge, "the request body is larger than this server's limit of %d bytes for proxied requests", limit)
}
