package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
)

// maxBodyBytes bounds every request body; a larger one answers 413.
const maxBodyBytes = 1 << 20

// handler is an HTTP handler that returns its failure for the server to
// answer as a problem document, instead of writing it itself.
type handler func(w http.ResponseWriter, r *http.Request) error

// requestState is what the layers of one request learn about it, shared
// through the context so the outermost one can log and count it.
type requestState struct {
	id     string
	route  string        // the matched path pattern; "" when no route matched
	apiKey *oriel.APIKey // the caller, once authenticated
	// session is the widget session of a widget API caller, once authenticated.
	session *auth.Session
	code    string // the error code answered, if any
	// replay, when set, is the body an idempotent retry gets instead of the
	// one sent (see storeReplay).
	replay []byte
	// body is the request body without the API's size limit, for the
	// proxy, which applies its own.
	body io.ReadCloser
	// bodyRead is the (limited) request body once readBody has read it.
	bodyRead []byte
	// prebound is a token request's body and bound entity, read with its
	// API key (prebind).
	prebound *prebound
	// peer is the address of the connection's other end; client, of the
	// client that sent the request (clientaddr.go), which differs from the
	// peer behind a trusted proxy. Either is invalid when RemoteAddr is
	// not an address.
	peer, client netip.Addr
}

type stateKey struct{}

// stateOf returns r's state; a request that bypassed observe (in a unit
// test) gets a fresh one, whose client is the peer.
func stateOf(r *http.Request) *requestState {
	if st, ok := r.Context().Value(stateKey{}).(*requestState); ok {
		return st
	}
	peer, client := clientAddresses{}.of(r)
	return &requestState{peer: peer, client: client}
}

// observe is the outermost layer: it gives each request an id, its client
// address, security headers and a body limit, and logs and counts the
// result.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		st := &requestState{id: requestID(r.Header.Get("X-Request-Id"))}
		st.peer, st.client = s.clients.of(r)
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		s.secureHeaders(w.Header())
		w.Header().Set("X-Request-Id", st.id)
		rec := &recorder{ResponseWriter: w}
		st.body = r.Body
		r.Body = http.MaxBytesReader(rec, r.Body, maxBodyBytes)

		next.ServeHTTP(rec, r)

		if rec.status == 0 {
			rec.status = http.StatusOK // net/http's answer to a handler that wrote nothing
		}
		elapsed := time.Since(start)
		s.metrics.observe(st.route, r.Method, rec.status, elapsed)
		s.logRequest(r, st, rec, elapsed)
	})
}

// logRequest writes the one line each request gets. It never logs headers,
// query strings or bodies, which may hold secrets.
func (s *Server) logRequest(r *http.Request, st *requestState, rec *recorder, elapsed time.Duration) {
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	// Room for the optional attributes too, so the line costs one allocation.
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("request_id", st.id),
		slog.String("method", r.Method),
		slog.String("route", st.route),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", elapsed),
		slog.String("remote", addressOr(st.client, r.RemoteAddr)),
	)
	if st.peer != st.client {
		attrs = append(attrs, slog.String("peer", r.RemoteAddr)) // the trusted proxy it came through
	}
	if st.code != "" {
		attrs = append(attrs, slog.String("code", st.code))
	}
	if st.apiKey != nil {
		attrs = append(attrs, slog.String("vendor_id", st.apiKey.VendorID), slog.String("api_key_id", st.apiKey.ID))
	}
	if st.session != nil {
		attrs = append(attrs, slog.String("vendor_id", st.session.VendorID), slog.String("session_id", st.session.ID))
	}
	s.logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// addressOr returns addr as text, or fallback when addr is invalid.
func addressOr(addr netip.Addr, fallback string) string {
	if addr.IsValid() {
		return addr.String()
	}
	return fallback
}

// recoverPanics turns a panic into a 500 problem (when nothing was sent yet)
// and logs its stack. The panic value is logged, never sent.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic", "request_id", stateOf(r).id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); !ok || rec.status == 0 {
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// serve adapts a handler to net/http, answering its error as a problem.
func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// named records the route's pattern for logs and metrics.
func named(pattern string, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		stateOf(r).route = pattern
		return next(w, r)
	}
}

// secureHeaders sets the defaults every response carries. A handler that
// serves a page (to be framed, or cached) overrides what it must.
func (s *Server) secureHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	if strings.HasPrefix(s.publicURL, "https://") {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// requestIDEncoding writes generated request ids.
var requestIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// requestID keeps a caller's X-Request-Id when it is sane (1–128 characters
// from a conservative set), so a trace can span systems; otherwise it makes one.
func requestID(incoming string) string {
	if len(incoming) >= 1 && len(incoming) <= 128 && strings.Trim(incoming, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:=+/") == "" {
		return incoming
	}
	var b [16]byte
	rand.Read(b[:])
	return "req_" + requestIDEncoding.EncodeToString(b[:])
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 && status >= 200 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
