package oauthdev

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// me is the protected resource's answer: who the token acts for.
type me struct {
	Subject  string `json:"sub"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// Contact is one of the contacts GET /api/contacts lists.
type Contact struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Company string `json:"company"`
}

// contacts are the Demo CRM's made-up contacts.
var contacts = []Contact{
	{"con_1", "Ada Lovelace", "ada@analytical.example", "Analytical Engines"},
	{"con_2", "Grace Hopper", "grace@cobol.example", "Compiler Co."},
	{"con_3", "Alan Turing", "alan@bletchley.example", "Bletchley Park"},
	{"con_4", "Katherine Johnson", "katherine@orbit.example", "Orbital Mechanics"},
}

// maxExportBytes bounds GET /api/export.
const maxExportBytes = 1 << 30

// handleMe serves GET /api/me, a protected resource that accepts only a
// valid bearer access token in the Authorization header (RFC 6750 §2.1),
// so a test request can prove a token works.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	g, ok := s.bearer(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, me{
		Subject: userID, Name: userName, Email: userEmail, ClientID: g.clientID, Scope: strings.Join(g.scopes, " "),
	})
}

// handleContacts serves GET /api/contacts: the user's contacts, for the
// demo's page of data from the connected app. It also sets a rate-limit
// header and a cookie, as real APIs do.
func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	w.Header().Set("X-RateLimit-Remaining", "99")
	http.SetCookie(w, &http.Cookie{Name: "crm_session", Value: "resource-session", Path: "/", HttpOnly: true})
	writeJSON(w, http.StatusOK, map[string]any{"data": contacts})
}

// handleExport serves GET /api/export?bytes=N: N bytes (at most 1 GiB) of
// generated CSV-like text, written as they are made, with a Content-Length
// unless chunked=1 is given. It lets a test stream a large answer.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	n, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
	if err != nil || n < 0 || n > maxExportBytes {
		writeJSON(w, http.StatusBadRequest, oauthError{Code: "invalid_request", Description: "bytes must be 0 to 1073741824"})
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	if r.URL.Query().Get("chunked") != "1" {
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	}
	line := bytes.Repeat([]byte("con_0,Ada Lovelace,ada@analytical.example,Analytical Engines\n"), 512)
	for n > 0 {
		k, err := w.Write(line[:min(n, int64(len(line)))])
		if err != nil {
			return // the client went away
		}
		n -= int64(k)
	}
}

// handleEcho serves POST /api/echo: it answers the request body as it
// reads it, with the request's Content-Type, so a test can stream a body
// through the proxy and back.
func (s *Server) handleEcho(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	_ = http.NewResponseController(w).EnableFullDuplex()
	_, _ = io.Copy(w, r.Body)
}

// bearer checks the request's bearer token and returns its grant; on
// failure it answers 401 (RFC 6750 §3) and ok is false. A queued
// resource fault answers instead, and the call is counted either way.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (g *grant, ok bool) {
	s.mu.Lock()
	s.resourceCalls++
	fault := s.takeResourceFault()
	s.mu.Unlock()
	if fault != nil {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		writeJSON(w, fault.Status, oauthError{Code: "server_error", Description: "injected by oauthdev"})
		return nil, false
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthdev"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Code: "invalid_request", Description: "send a bearer token"})
		return nil, false
	}
	s.mu.Lock()
	g, ok = s.activeAccessToken(token)
	s.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthdev", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Code: "invalid_token", Description: "the access token is expired, revoked or unknown"})
		return nil, false
	}
	return g, true
}

// ResourceFault makes the protected resources answer Status (with
// Retry-After, when set) instead of serving, Times times (0 means 1).
type ResourceFault struct {
	Status     int
	RetryAfter string
	Times      int
}

// InjectResourceFault queues f for the next resource requests.
func (s *Server) InjectResourceFault(f ResourceFault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resourceFaults = append(s.resourceFaults, &f)
}

// ResourceCalls returns how many requests the protected resources received.
func (s *Server) ResourceCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resourceCalls
}

// takeResourceFault uses up one time of the first queued resource fault
// and returns it, or nil; the caller holds s.mu.
func (s *Server) takeResourceFault() *ResourceFault {
	if len(s.resourceFaults) == 0 {
		return nil
	}
	f := s.resourceFaults[0]
	if f.Times--; f.Times == 0 {
		s.resourceFaults = s.resourceFaults[1:]
	}
	return f
}
