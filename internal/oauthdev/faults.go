package oauthdev

import (
	"bytes"
	"net/http"
	"time"
)

// Fault is misbehaviour injected into token endpoint responses. Delay is
// applied first; then Error, Status, BodyBytes or ContentType replaces the
// response without touching any grant; otherwise the request is processed,
// with TokenType and OmitRefreshToken altering a successful answer.
type Fault struct {
	// ClientID and Grant select the requests the fault applies to; empty
	// matches any client or grant_type ("authorization_code", "refresh_token").
	ClientID string
	Grant    string
	// Times is how many matching requests the fault affects; 0 means 1.
	Times int

	// Delay holds the response back; if the client gives up first, the
	// request is dropped unprocessed.
	Delay time.Duration
	// Error answers with this OAuth error code, e.g. "invalid_grant"
	// (HTTP 400; 401 for "invalid_client").
	Error string
	// Status answers with this HTTP status and a JSON "server_error" body.
	Status int
	// BodyBytes answers 200 with a JSON object padded to about this size.
	BodyBytes int
	// ContentType answers 200 with an HTML body sent as this content type.
	ContentType string
	// TokenType replaces "Bearer" in a successful response.
	TokenType string
	// OmitRefreshToken leaves refresh_token out of a successful response;
	// on a refresh, the presented refresh token then stays valid.
	OmitRefreshToken bool
}

// InjectFault queues f; the first queued fault matching a token request is used.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns a copy of the first queued fault matching the request
// and uses up one of its times, or nil; the caller holds s.mu.
func (s *Server) takeFault(clientID, grantType string) *Fault {
	for i, f := range s.faults {
		if (f.ClientID == "" || f.ClientID == clientID) && (f.Grant == "" || f.Grant == grantType) {
			if f.Times--; f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			taken := *f
			return &taken
		}
	}
	return nil
}

// apply delays and, for a failing fault, writes the response; it reports
// whether the request should still be processed.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	switch {
	case f.Error == "invalid_client":
		writeError(w, invalidClient(), usedBasic(r))
	case f.Error != "":
		writeJSON(w, http.StatusBadRequest, oauthError{Code: f.Error, Description: "injected by oauthdev"})
	case f.Status != 0:
		writeJSON(w, f.Status, oauthError{Code: "server_error", Description: "injected by oauthdev"})
	case f.BodyBytes > 0:
		writeHugeBody(w, f.BodyBytes)
	case f.ContentType != "":
		w.Header().Set("Content-Type", f.ContentType)
		_, _ = w.Write([]byte("<!DOCTYPE html><title>Down for maintenance</title><h1>Back soon</h1>"))
	default:
		return true
	}
	return false
}

// writeHugeBody answers 200 with a token-shaped JSON object of about n bytes.
func writeHugeBody(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	head := []byte(`{"access_token":"oda_huge","token_type":"Bearer","padding":"`)
	chunk := bytes.Repeat([]byte("a"), 32<<10)
	if _, err := w.Write(head); err != nil {
		return
	}
	for left := n - len(head) - 2; left > 0; left -= len(chunk) {
		if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
			return // the client stopped reading, as it should
		}
	}
	_, _ = w.Write([]byte(`"}`))
}
