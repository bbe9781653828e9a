package oauthdev

import (
	"net/http"
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

// handleMe serves GET /api/me, a protected resource that accepts only a
// valid bearer access token in the Authorization header (RFC 6750 §2.1),
// so a test request can prove a token works.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthdev"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Code: "invalid_request", Description: "send a bearer token"})
		return
	}
	s.mu.Lock()
	g, ok := s.activeAccessToken(token)
	s.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthdev", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Code: "invalid_token", Description: "the access token is expired, revoked or unknown"})
		return
	}
	writeJSON(w, http.StatusOK, me{
		Subject: userID, Name: userName, Email: userEmail, ClientID: g.clientID, Scope: strings.Join(g.scopes, " "),
	})
}
