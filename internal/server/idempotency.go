package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
)

// idempotencyKeyMaxLen bounds an Idempotency-Key; a UUID is 36 characters.
const idempotencyKeyMaxLen = 255

// idempotent makes a POST safe to retry: with an Idempotency-Key header, the
// first successful response is stored and every retry of the same request
// (same method, path and body) gets it back with Idempotent-Replayed: true,
// instead of running again. The same key with a different request answers
// 422 idempotency_key_reused; a retry while the first is still running, 409
// idempotency_in_progress. A failed request is not remembered, so it may be
// retried with the same key.
func (s *Server) idempotent(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return next(w, r)
		}
		if len(key) > idempotencyKeyMaxLen || !printableASCII(key) {
			return oriel.Errorf(oriel.EINVALID, codeIdempotencyKeyInvalid, "Idempotency-Key must be 1–%d printable ASCII characters (a UUID is a good choice)", idempotencyKeyMaxLen)
		}
		body, err := readBody(r)
		if err != nil {
			return err
		}
		vendorID, key := idempotencyScope(r, key)
		prior, done, err := s.store.BeginIdempotent(r.Context(), vendorID, key, requestHash(r, body))
		if err != nil {
			return err
		}
		if done {
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prior.Status)
			w.Write(prior.Body)
			return nil
		}

		// The key is claimed: settle it however the handler ends, before the
		// client sees anything, even if the client has gone away.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
		defer cancel()
		settled := false
		defer func() {
			if !settled { // the handler panicked
				s.settle(ctx, r, vendorID, key, nil)
			}
		}()
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		err = next(buf, r)
		settled = true
		s.settle(ctx, r, vendorID, key, replayable(r, buf, err))
		if err != nil {
			return err
		}
		w.WriteHeader(buf.status)
		w.Write(buf.body.Bytes())
		return nil
	}
}

// idempotencyScope returns the vendor whose keys hold key and the key as
// stored: the vendor API's keys are the vendor's; an employee's (a widget
// session's) are that user's own, so two employees never share one.
func idempotencyScope(r *http.Request, key string) (vendorID, scoped string) {
	if st := stateOf(r); st.apiKey != nil {
		return st.apiKey.VendorID, key
	}
	sess := sessionOf(r)
	return sess.VendorID, sess.User.ID + ":" + key
}

// replayable returns what a retry should get, or nil (release the key) when
// the handler did not succeed.
func replayable(r *http.Request, buf *bufferedResponse, err error) *store.IdempotentResponse {
	if err != nil || buf.status/100 != 2 {
		return nil
	}
	body := buf.body.Bytes()
	if st := stateOf(r); st.replay != nil {
		body = st.replay
	}
	return &store.IdempotentResponse{Status: buf.status, Body: body}
}

// settle stores resp as key's response, or releases the key when resp is
// nil. The request's work is done either way, so a failure is logged, not
// answered.
func (s *Server) settle(ctx context.Context, r *http.Request, vendorID, key string, resp *store.IdempotentResponse) {
	var err error
	if resp != nil {
		err = s.store.FinishIdempotent(ctx, vendorID, key, *resp)
	} else {
		err = s.store.AbandonIdempotent(ctx, vendorID, key)
	}
	if err != nil {
		s.logger.ErrorContext(ctx, "cannot settle idempotency key", "request_id", stateOf(r).id, "err", err)
	}
}

// requestHash identifies a request for idempotency: method, path and body.
func requestHash(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

// printableASCII reports whether s is non-empty and all printable ASCII.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// bufferedResponse holds a response until the idempotency record is
// written, so a client never sees a result that a retry could not replay.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader records the status (200 until a handler says otherwise).
func (b *bufferedResponse) WriteHeader(status int) { b.status = status }

func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
