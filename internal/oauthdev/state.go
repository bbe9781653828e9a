package oauthdev

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// authRequest is a validated authorization request.
type authRequest struct {
	client      *Client
	redirectURI string
	state       string // passed back untouched; "" when absent
	challenge   string // PKCE S256 code_challenge
	scopes      []string

	// While the consent page is shown: its CSRF token and when it lapses.
	csrf    string
	expires time.Time
}

// authCode is an issued authorization code, bound to the request's client,
// redirect URI and code challenge.
type authCode struct {
	req     *authRequest
	expires time.Time
	used    bool
	grant   *grant // the grant the code was redeemed for, revoked if the code is replayed
}

// grant is one authorization of a client by the user: the family of every
// token issued from one code.
type grant struct {
	clientID string
	scopes   []string
	expires  time.Time // absolute expiry of its refresh tokens
	revoked  bool
}

// accessToken is an issued access token.
type accessToken struct {
	grant   *grant
	expires time.Time
	revoked bool
}

// refreshToken is an issued refresh token; used ones are kept to detect reuse.
type refreshToken struct {
	grant *grant
	used  bool
}

// tokenResponse is a successful token endpoint response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// random returns prefix followed by 256 random bits, base64url-encoded.
func random(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// issueCode stores a new authorization code for req; the caller holds s.mu.
func (s *Server) issueCode(req *authRequest) string {
	s.sweep()
	code := random("odc_")
	s.codes[code] = &authCode{req: req, expires: s.now().Add(s.opts.CodeTTL)}
	return code
}

// issueTokens issues an access token for g and, unless withoutRefresh, a
// refresh token; the caller holds s.mu.
func (s *Server) issueTokens(g *grant, withoutRefresh bool) tokenResponse {
	at := random("oda_")
	s.access[at] = &accessToken{grant: g, expires: s.now().Add(s.opts.AccessTokenTTL)}
	resp := tokenResponse{
		AccessToken: at,
		TokenType:   "Bearer",
		ExpiresIn:   int(s.opts.AccessTokenTTL / time.Second),
		Scope:       strings.Join(g.scopes, " "),
	}
	if !withoutRefresh {
		resp.RefreshToken = random("odr_")
		s.refresh[resp.RefreshToken] = &refreshToken{grant: g}
	}
	return resp
}

// activeAccessToken returns the grant of a valid, unexpired access token;
// the caller holds s.mu.
func (s *Server) activeAccessToken(token string) (*grant, bool) {
	at := s.access[token]
	if at == nil || at.revoked || at.grant.revoked || !s.now().Before(at.expires) {
		return nil, false
	}
	return at.grant, true
}

// sweep forgets what can no longer be used or replayed; the caller holds s.mu.
func (s *Server) sweep() {
	now := s.now()
	for id, p := range s.pending {
		if !now.Before(p.expires) {
			delete(s.pending, id)
		}
	}
	for c, ac := range s.codes {
		if !now.Before(ac.expires) {
			delete(s.codes, c)
		}
	}
	for t, at := range s.access {
		if at.revoked || at.grant.revoked || !now.Before(at.expires) {
			delete(s.access, t)
		}
	}
	for t, rt := range s.refresh {
		if rt.grant.revoked || !now.Before(rt.grant.expires) {
			delete(s.refresh, t)
		}
	}
}
