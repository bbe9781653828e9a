package oauthdev

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// consentTTL is how long a consent page may wait for the user's decision.
const consentTTL = 10 * time.Minute

// csrfCookie carries the consent page's CSRF token back with its form.
const csrfCookie = "oauthdev_csrf"

// challengeRE is a PKCE S256 code challenge: a base64url SHA-256, unpadded.
var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// IssParam controls the RFC 9207 "iss" parameter of authorization responses.
type IssParam int

// IssParam values.
const (
	IssParamServer  IssParam = iota // the server's issuer (default)
	IssParamOmitted                 // no iss, although the metadata promises one
	IssParamForeign                 // another server's issuer, as in a mix-up attack
)

// ForeignIssuer is the issuer IssParamForeign puts in authorization responses.
const ForeignIssuer = "https://attacker.example"

// SetIssParam changes the "iss" parameter of later authorization responses.
func (s *Server) SetIssParam(p IssParam) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iss = p
}

// handleAuthorize serves GET /authorize: it validates the request and
// answers it as the consent mode says. Errors about the client or the
// redirect URI are shown as a page, never redirected (RFC 6749 §4.1.2.1).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	client := s.clients[q.Get("client_id")]
	mode := s.consent
	s.mu.Unlock()
	if client == nil || len(q["client_id"]) > 1 {
		s.renderError(w, http.StatusBadRequest, "Unknown app",
			"This sign-in link names an app that is not registered with "+s.opts.ProviderName+".")
		return
	}
	if !slices.Contains(client.RedirectURIs, q.Get("redirect_uri")) || len(q["redirect_uri"]) > 1 {
		s.renderError(w, http.StatusBadRequest, "Invalid redirect address",
			"The redirect_uri of this sign-in link is not registered, exactly, for "+client.Name+".")
		return
	}
	req := &authRequest{client: client, redirectURI: q.Get("redirect_uri"), state: q.Get("state")}
	fail := func(code, description string) {
		s.redirect(w, r, req, http.StatusFound, url.Values{"error": {code}, "error_description": {description}})
	}
	for name, values := range q {
		if len(values) > 1 {
			fail("invalid_request", "parameter "+name+" is repeated")
			return
		}
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	case challenge == "":
		fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")
		return
	case method != "S256":
		fail("invalid_request", "only code_challenge_method=S256 is accepted")
		return
	case !challengeRE.MatchString(challenge):
		fail("invalid_request", "code_challenge must be 43 base64url characters")
		return
	}
	scopes, ok := s.grantableScopes(client, q.Get("scope"))
	if !ok {
		fail("invalid_scope", "the request asks for a scope this server does not know")
		return
	}
	req.challenge, req.scopes = challenge, scopes
	switch mode {
	case ConsentApprove:
		s.approve(w, r, req, http.StatusFound)
	case ConsentDeny:
		s.deny(w, r, req, http.StatusFound)
	default:
		s.renderConsent(w, r, req)
	}
}

// grantableScopes parses a space-delimited scope parameter and returns the
// scopes the client may get; ok is false when one is unknown.
func (s *Server) grantableScopes(c *Client, scope string) (scopes []string, ok bool) {
	for _, sc := range strings.Fields(scope) {
		if _, known := s.opts.Scopes[sc]; !known {
			return nil, false
		}
		if !slices.Contains(scopes, sc) && (c.Scopes == nil || slices.Contains(c.Scopes, sc)) {
			scopes = append(scopes, sc)
		}
	}
	return scopes, true
}

// handleConsent serves POST /consent, the consent page's Approve or Deny.
// The pending request is single-use; its CSRF token must come back in both
// the form and the cookie.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, http.StatusBadRequest, "Something went wrong", "The form could not be read.")
		return
	}
	s.mu.Lock()
	req := s.pending[r.PostForm.Get("request_id")]
	delete(s.pending, r.PostForm.Get("request_id"))
	s.mu.Unlock()
	if req == nil || !s.now().Before(req.expires) {
		s.renderError(w, http.StatusBadRequest, "This request has expired",
			"Go back to the app and connect "+s.opts.ProviderName+" again.")
		return
	}
	cookie, err := r.Cookie(csrfCookie)
	if err != nil || !equal(cookie.Value, req.csrf) || !equal(r.PostForm.Get("csrf_token"), req.csrf) {
		s.renderError(w, http.StatusForbidden, "Request not verified",
			"This decision did not come from the consent page. Go back to the app and try again.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Path: PathConsent, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	switch r.PostForm.Get("decision") {
	case "approve":
		s.approve(w, r, req, http.StatusSeeOther)
	case "deny":
		s.deny(w, r, req, http.StatusSeeOther)
	default:
		s.renderError(w, http.StatusBadRequest, "Something went wrong", "Choose Approve or Deny.")
	}
}

// approve redirects to the client with a new authorization code.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *authRequest, status int) {
	s.mu.Lock()
	code := s.issueCode(req)
	s.mu.Unlock()
	s.redirect(w, r, req, status, url.Values{"code": {code}})
}

// deny redirects to the client with error=access_denied.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, req *authRequest, status int) {
	s.redirect(w, r, req, status, url.Values{
		"error": {"access_denied"}, "error_description": {"the user denied access"},
	})
}

// redirect sends the authorization response to the request's redirect URI:
// params, the state exactly as received and, per SetIssParam, "iss".
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, req *authRequest, status int, params url.Values) {
	u, _ := url.Parse(req.redirectURI) // checked by RegisterClient
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if req.state != "" {
		q.Set("state", req.state)
	}
	s.mu.Lock()
	iss := s.iss
	s.mu.Unlock()
	switch iss {
	case IssParamServer:
		q.Set("iss", s.issuerFor(r))
	case IssParamForeign:
		q.Set("iss", ForeignIssuer)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u.String(), status)
}

// equal compares two secrets in constant time.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
