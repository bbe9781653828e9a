package oauthdev

import "net/http"

// handleRevoke serves POST /revoke (RFC 7009). Revoking a refresh token
// revokes its whole grant, access tokens included; revoking an access token
// revokes just it. Unknown tokens are not an error.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	form, clientID, oerr := readClientForm(w, r)
	s.mu.Lock()
	s.count(clientID, func(c *callCounts) { c.revoke++ })
	s.mu.Unlock()
	if oerr != nil {
		writeError(w, oerr, usedBasic(r))
		return
	}
	client, oerr := s.authenticate(r, form)
	if oerr != nil {
		writeError(w, oerr, usedBasic(r))
		return
	}
	token := form.Get("token")
	if token == "" {
		writeError(w, invalidRequest("token is required"), false)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var g *grant
	if rt := s.refresh[token]; rt != nil {
		g = rt.grant
	} else if at := s.access[token]; at != nil {
		g = at.grant
	}
	switch {
	case g == nil:
	case g.clientID != client.ID:
		writeError(w, invalidRequest("the token was not issued to this client"), false)
		return
	case s.refresh[token] != nil:
		g.revoked = true
	default:
		s.access[token].revoked = true
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
