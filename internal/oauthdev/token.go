package oauthdev

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Client authentication methods at the token and revocation endpoints.
const (
	authBasic = "client_secret_basic"
	authPost  = "client_secret_post"
)

// verifierRE is a PKCE code verifier (RFC 7636 §4.1).
var verifierRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Errors the token and revocation endpoints answer with.
func invalidRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_request", desc}
}
func invalidGrant(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_grant", desc}
}
func invalidClient() *oauthError {
	return &oauthError{http.StatusUnauthorized, "invalid_client", "client authentication failed"}
}

// handleToken serves POST /token: the authorization_code, refresh_token
// and client_credentials grants, after any injected fault.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, clientID, oerr := readClientForm(w, r)
	grantType := form.Get("grant_type")
	s.mu.Lock()
	s.count(clientID, func(c *callCounts) {
		c.token++
		if grantType == "refresh_token" {
			c.refresh++
		}
	})
	fault := s.takeFault(clientID, grantType)
	s.mu.Unlock()
	if fault != nil && !fault.apply(w, r) {
		return
	}
	if oerr != nil {
		writeError(w, oerr, usedBasic(r))
		return
	}
	client, oerr := s.authenticate(r, form)
	if oerr != nil {
		writeError(w, oerr, usedBasic(r))
		return
	}
	var resp tokenResponse
	switch grantType {
	case "authorization_code":
		resp, oerr = s.redeemCode(client, form, fault)
	case "refresh_token":
		resp, oerr = s.refreshGrant(client, form, fault)
	case "client_credentials":
		resp, oerr = s.clientCredentialsGrant(client, form)
	case "":
		oerr = invalidRequest("grant_type is required")
	default:
		oerr = &oauthError{http.StatusBadRequest, "unsupported_grant_type", "only authorization_code, refresh_token and client_credentials"}
	}
	if oerr != nil {
		writeError(w, oerr, false)
		return
	}
	if fault != nil && fault.TokenType != "" {
		resp.TokenType = fault.TokenType
	}
	writeJSON(w, http.StatusOK, resp)
}

// clientCredentialsGrant runs the client_credentials grant (RFC 6749
// §4.4): an access token for the client itself, without a refresh token.
func (s *Server) clientCredentialsGrant(client *Client, form url.Values) (tokenResponse, *oauthError) {
	scopes, ok := s.grantableScopes(client, form.Get("scope"))
	if !ok {
		return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_scope", "unknown scope"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &grant{clientID: client.ID, scopes: scopes, expires: s.now().Add(s.opts.AccessTokenTTL)}
	return s.issueTokens(g, true), nil
}

// redeemCode runs the authorization_code grant. A code is used up by its
// first redemption attempt; replaying it revokes the tokens it gave.
func (s *Server) redeemCode(client *Client, form url.Values, fault *Fault) (tokenResponse, *oauthError) {
	verifier := form.Get("code_verifier")
	s.mu.Lock()
	defer s.mu.Unlock()
	ac := s.codes[form.Get("code")]
	switch {
	case ac == nil || ac.req.client.ID != client.ID:
		return tokenResponse{}, invalidGrant("unknown authorization code")
	case ac.used:
		if ac.grant != nil {
			ac.grant.revoked = true
		}
		return tokenResponse{}, invalidGrant("authorization code already used; its tokens are revoked")
	}
	ac.used = true
	switch {
	case !s.now().Before(ac.expires):
		return tokenResponse{}, invalidGrant("authorization code expired")
	case form.Get("redirect_uri") != ac.req.redirectURI:
		return tokenResponse{}, invalidGrant("redirect_uri differs from the authorization request")
	case verifier == "":
		return tokenResponse{}, invalidRequest("code_verifier is required")
	case !verifierRE.MatchString(verifier):
		return tokenResponse{}, invalidRequest("code_verifier must be 43-128 unreserved characters")
	}
	sum := sha256.Sum256([]byte(verifier))
	if !equal(base64.RawURLEncoding.EncodeToString(sum[:]), ac.req.challenge) {
		return tokenResponse{}, invalidGrant("code_verifier does not match the code_challenge")
	}
	ac.grant = &grant{clientID: client.ID, scopes: ac.req.scopes, expires: s.now().Add(s.opts.RefreshTokenTTL)}
	return s.issueTokens(ac.grant, fault != nil && fault.OmitRefreshToken), nil
}

// refreshGrant runs the refresh_token grant with rotation: the presented
// refresh token is used up, and presenting a used one revokes its grant.
func (s *Server) refreshGrant(client *Client, form url.Values, fault *Fault) (tokenResponse, *oauthError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[form.Get("refresh_token")]
	switch {
	case rt == nil || rt.grant.clientID != client.ID:
		return tokenResponse{}, invalidGrant("unknown refresh token")
	case rt.used:
		rt.grant.revoked = true
		return tokenResponse{}, invalidGrant("refresh token reused; the grant is revoked")
	case rt.grant.revoked:
		return tokenResponse{}, invalidGrant("the grant is revoked")
	case !s.now().Before(rt.grant.expires):
		return tokenResponse{}, invalidGrant("refresh token expired")
	}
	for _, sc := range strings.Fields(form.Get("scope")) {
		if !slices.Contains(rt.grant.scopes, sc) {
			return tokenResponse{}, &oauthError{http.StatusBadRequest, "invalid_scope", "scope exceeds the grant"}
		}
	}
	keep := fault != nil && fault.OmitRefreshToken // the old token stays valid
	rt.used = !keep
	return s.issueTokens(rt.grant, keep), nil
}

// readClientForm reads a token or revocation request's form: POST,
// application/x-www-form-urlencoded, at most 64 KiB, no query string and no
// parameter twice. clientID is the client the request names, for counting.
func readClientForm(w http.ResponseWriter, r *http.Request) (form url.Values, clientID string, oerr *oauthError) {
	if user, _, ok := r.BasicAuth(); ok {
		clientID, _ = url.QueryUnescape(user)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if mt != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		return url.Values{}, clientID, invalidRequest("send an application/x-www-form-urlencoded body")
	}
	if clientID == "" {
		clientID = r.PostForm.Get("client_id")
	}
	if r.URL.RawQuery != "" {
		return r.PostForm, clientID, invalidRequest("parameters belong in the request body")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return r.PostForm, clientID, invalidRequest("parameter " + name + " is repeated")
		}
	}
	return r.PostForm, clientID, nil
}

// authenticate checks the client's credentials, sent either in an HTTP
// Basic header (form-urlencoded, RFC 6749 §2.3.1) or as client_id and
// client_secret form fields, never both.
func (s *Server) authenticate(r *http.Request, form url.Values) (*Client, *oauthError) {
	id, secret, method := form.Get("client_id"), form.Get("client_secret"), authPost
	if user, pass, ok := r.BasicAuth(); ok {
		if secret != "" {
			return nil, invalidRequest("use one client authentication method, not two")
		}
		u, err1 := url.QueryUnescape(user)
		p, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil || (id != "" && id != u) {
			return nil, invalidClient()
		}
		id, secret, method = u, p, authBasic
	}
	s.mu.Lock()
	c := s.clients[id]
	s.mu.Unlock()
	if c == nil || secret == "" || !equal(hash(secret), hash(c.Secret)) ||
		(c.TokenAuthMethod != "" && c.TokenAuthMethod != method) {
		return nil, invalidClient()
	}
	return c, nil
}

// hash returns the SHA-256 of s, so secrets of different lengths compare in constant time.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return string(sum[:])
}

// usedBasic reports whether r carries HTTP Basic credentials.
func usedBasic(r *http.Request) bool {
	_, _, ok := r.BasicAuth()
	return ok
}

// writeError writes an OAuth error response; a 401 to a client that sent
// an Authorization header names the Basic scheme (RFC 6749 §5.2).
func writeError(w http.ResponseWriter, e *oauthError, basic bool) {
	if e.status == http.StatusUnauthorized && basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauthdev"`)
	}
	writeJSON(w, e.status, e)
}

// writeJSON writes v with the headers every token endpoint response needs.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a write error means the client left
}
