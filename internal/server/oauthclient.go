package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/orielhq/oriel"
)

// The token endpoints (POST /v1/auth/access-tokens and …/revoke) speak OAuth
// 2.0 with a JSON body: a vendor's backend is a client_credentials client
// that authenticates with its API key, and every failure is answered in the
// shape of RFC 6749 §5.2, {"error", "error_description"}, instead of a
// problem document, so that OAuth-minded clients understand it.

// OAuth error codes: RFC 6749 §5.2 and §4.1.2.1, and RFC 8707 §2 for
// invalid_target. rate_limited (429) is shared with the rest of the API.
const (
	codeInvalidClient          = "invalid_client"
	codeInvalidRequest         = "invalid_request"
	codeUnsupportedGrantType   = "unsupported_grant_type"
	codeInvalidTarget          = "invalid_target"
	codeServerError            = "server_error"
	codeTemporarilyUnavailable = "temporarily_unavailable"
)

// authFailuresPerMinute is how many failed client authentications one
// address may make in a minute (all at once, at most) before the token
// endpoints answer it 429 without looking at what it sends.
const authFailuresPerMinute = 10

var errTwoCredentials = oriel.Errorf(oriel.EINVALID, codeInvalidRequest, "send exactly one Authorization header")

// oauthClient guards a token endpoint (the route's access oauthClient):
// an address that failed to authenticate too often gets 429 before its
// credentials are looked at; then the API key must be live (else 401
// invalid_client, counted against the address); the key's rate limit
// applies (rateLimited, inside); and whatever fails is answered in OAuth's
// shape. prebind, when not nil, is a cheaper way to the key for a request
// it understands (see prebind): nil from it means "authenticate as usual".
func (s *Server) oauthClient(prebind func(*http.Request) *oriel.APIKey, next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Pragma", "no-cache") // RFC 6749 §5.1; Cache-Control: no-store is on every response
		err := s.authenticateClient(w, r, prebind)
		if err == nil {
			err = next(w, r)
		}
		if err != nil {
			s.failOAuth(w, r, err)
		}
		return nil
	}
}

// authenticateClient admits r when its address is not locked out and it
// presents one live API key, which it records for the handlers (vendorOf)
// and the logs.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request, prebind func(*http.Request) *oriel.APIKey) error {
	address := clientAddress(r)
	if wait := s.tokens.failures.wait(address, s.now()); wait > 0 {
		seconds := retryAfter(w, wait)
		return oriel.Errorf(oriel.ERATELIMITED, codeRateLimited, "too many failed authentications from your address; retry in %d s", seconds)
	}
	if len(r.Header.Values("Authorization")) > 1 {
		return errTwoCredentials
	}
	var k *oriel.APIKey
	if prebind != nil {
		k = prebind(r)
	}
	var err error
	if k == nil {
		k, err = s.authenticate(r)
	}
	var e *oriel.Error
	if errors.As(err, &e) && e.Kind == oriel.EUNAUTHORIZED {
		s.tokens.failures.take(address, s.now())
		w.Header().Set("WWW-Authenticate", `Bearer realm="oriel"`)
		return oriel.Errorf(oriel.EUNAUTHORIZED, codeInvalidClient, "%s", e.Message)
	}
	if err != nil {
		return err
	}
	stateOf(r).apiKey = k
	return nil
}

// oauthError is the body of an RFC 6749 §5.2 error response.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// failOAuth answers err as an OAuth error. Like fail, it sends only what an
// *oriel.Error says, and logs anything else as an internal error.
func (s *Server) failOAuth(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	e := asOAuthError(err)
	if e == nil {
		s.logger.ErrorContext(r.Context(), "request failed", "request_id", st.id, "route", st.route, "err", err)
		e = oriel.Errorf(oriel.EINTERNAL, codeServerError, "an internal error occurred; if it persists, report request id %s", st.id)
	}
	st.code = e.Code
	body, _ := json.Marshal(oauthError{Error: e.Code, Description: e.Message})
	write(w, statusOf(e), "application/json", body)
}

// oauthCodes are the codes the token endpoints answer with.
var oauthCodes = map[string]bool{
	codeInvalidClient: true, codeInvalidRequest: true, codeUnsupportedGrantType: true, codeInvalidTarget: true,
	codeRateLimited: true, codeTemporarilyUnavailable: true,
}

// asOAuthError returns err as an error with an OAuth code: the token
// endpoints' own errors as they are, a malformed request (the decoder's
// invalid_json, unknown_field, body_too_large …) as invalid_request with
// its message (a wrong Content-Type or a stalled body keeps its 415 or
// 408 status), a missing dependency as temporarily_unavailable. It returns
// nil for anything else, which is an internal error.
func asOAuthError(err error) *oriel.Error {
	var e *oriel.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch {
	case oauthCodes[e.Code]:
		return e
	case e.Kind == oriel.EINVALID || e.Kind == oriel.ETOOLARGE || e.Kind == oriel.EUNPROCESSABLE:
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, "%s", e.Message)
	case e.Kind == kindUnsupportedMediaType:
		return oriel.Errorf(kindUnsupportedMediaType, codeInvalidRequest, "%s", e.Message)
	case e.Kind == kindRequestTimeout:
		return oriel.Errorf(kindRequestTimeout, codeInvalidRequest, "%s", e.Message)
	case e.Kind == oriel.EUNAVAILABLE:
		return oriel.Errorf(oriel.EUNAVAILABLE, codeTemporarilyUnavailable, "%s", e.Message)
	}
	return nil
}
