package connect

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/origin"
)

// StateTTL is how long an authorization may take, from BeginOAuth to the callback.
const StateTTL = 10 * time.Minute

// BeginOAuth starts connecting (or reconnecting) one of the vendor's OAuth2
// connections from the widget session sessionID, whose page has the origin
// widgetOrigin (where CompleteOAuth's result is to be posted). It returns
// the provider's authorization URL, carrying a fresh single-use state of 256
// bits bound to the session, a PKCE S256 challenge, the exact redirect URI,
// the scopes and the provider's extra parameters. Only the state's SHA-256
// is stored, with the PKCE verifier (sealed by the store), for StateTTL.
func (e *Engine) BeginOAuth(ctx context.Context, vendorID, connectionID, sessionID, widgetOrigin string) (string, error) {
	if sessionID == "" {
		return "", oriel.Errorf(oriel.EINVALID, CodeStateInvalid, "an authorization must start from a widget session")
	}
	widgetOrigin, err := origin.Normalize(widgetOrigin)
	if err != nil {
		return "", err
	}
	t, err := e.load(ctx, vendorID, connectionID)
	if err != nil {
		return "", err
	}
	cfg, err := t.oauth2Config(e.RedirectURI())
	if err != nil {
		return "", err
	}
	state, hash := newState()
	verifier := oauth2.GenerateVerifier()
	err = e.Store.CreateOAuthState(ctx, &oriel.OAuthState{
		StateHash:    hash,
		VendorID:     vendorID,
		ConnectionID: connectionID,
		SessionID:    sessionID,
		CodeVerifier: verifier,
		RedirectURI:  cfg.RedirectURL,
		Origin:       widgetOrigin,
		ExpiresAt:    e.now().Add(StateTTL),
	})
	if err != nil {
		return "", err
	}
	// PKCE is sent to every provider: those that do not support it must
	// ignore unknown parameters (RFC 6749 §3.1), and the rest are protected.
	opts := append(t.provider.AuthCodeOptions(), oauth2.S256ChallengeOption(verifier))
	return cfg.AuthCodeURL(state, opts...), nil
}

// Result is what an OAuth callback reports to the widget that started the flow.
type Result struct {
	// Origin is the widget page's origin: the only target to post Event to.
	Origin string
	// Connection is the connection after the callback; nil if it was deleted meanwhile.
	Connection *oriel.Connection
	// Event is the payload of the widget's connectionStatusChange message.
	Event StatusEvent
	// Warnings flag a connection that was made but differs from what was
	// asked (WarningNoRefreshToken, WarningScopeReduced, WarningTokenType).
	Warnings []string
	// MissingScopes are requested scopes the provider did not grant.
	MissingScopes []string
}

// CompleteOAuth finishes an authorization at the redirect URI: query is the
// callback's query, sessionID the widget session presenting it.
//
// A missing, unknown, used or expired state, or one issued to another
// session, is EINVALID CodeStateInvalid and Result is nil: nothing is known
// about where to report, and the provider is not contacted. Once the state is
// valid it is used up, and Result is non-nil even with an error, so the
// callback page can tell the widget at Result.Origin what happened: the
// provider's error (CodeAuthorizationDenied, CodeAuthorizationFailed), an
// "iss" that is absent or foreign where the provider sends one
// (CodeIssuerMismatch, checked before the code is redeemed), or a failed
// code exchange. A failed callback leaves the connection as it was.
func (e *Engine) CompleteOAuth(ctx context.Context, sessionID string, query url.Values) (*Result, error) {
	state, ok := single(query, "state")
	if !ok || state == "" {
		return nil, oriel.Errorf(oriel.EINVALID, CodeStateInvalid, "the callback has no state, or more than one")
	}
	st, err := e.Store.ConsumeOAuthState(ctx, hashState(state), e.now())
	if err != nil {
		return nil, err
	}
	if sessionID == "" || subtle.ConstantTimeCompare([]byte(st.SessionID), []byte(sessionID)) != 1 {
		return nil, oriel.Errorf(oriel.EINVALID, CodeStateInvalid, "the authorization was started in another session")
	}
	res := &Result{Origin: st.Origin, Event: StatusEvent{ID: st.ConnectionID}}
	t, err := e.load(ctx, st.VendorID, st.ConnectionID)
	if err != nil {
		return res.fail(err)
	}
	res.Connection = t.conn
	res.Event = StatusEventOf(t.conn)
	cred, err := e.redeem(ctx, t, st, query, res)
	if err != nil {
		e.log().Warn("oauth callback rejected", "vendor_id", st.VendorID, "connection_id", st.ConnectionID, "code", oriel.ErrorCode(err))
		return res.fail(err)
	}
	if res.Connection, err = e.Store.SetConnected(ctx, st.VendorID, st.ConnectionID, cred); err != nil {
		return res.fail(err)
	}
	res.Event = StatusEventOf(res.Connection)
	e.log().Info("connection connected", "vendor_id", st.VendorID, "connection_id", st.ConnectionID, "warnings", res.Warnings)
	return res, nil
}

// redeem checks the authorization response in query and exchanges its code
// for credentials, noting in res how they differ from what was asked.
func (e *Engine) redeem(ctx context.Context, t *target, st *oriel.OAuthState, query url.Values, res *Result) (*oriel.Credentials, error) {
	iss, ok := single(query, "iss")
	if !ok {
		return nil, oriel.Errorf(oriel.EINVALID, CodeIssuerMismatch, "the callback has more than one iss")
	}
	if err := t.provider.CheckIssuer(iss); err != nil {
		return nil, err
	}
	if providerErr := query.Get("error"); providerErr != "" {
		if providerErr == "access_denied" {
			return nil, oriel.Errorf(oriel.EINVALID, CodeAuthorizationDenied, "access to %s was not granted", t.provider.DisplayName)
		}
		return nil, oriel.Errorf(oriel.EINVALID, CodeAuthorizationFailed,
			"%s refused the authorization: %s", t.provider.DisplayName, safeOAuthError(providerErr))
	}
	code, ok := single(query, "code")
	if !ok || code == "" {
		return nil, oriel.Errorf(oriel.EINVALID, CodeAuthorizationFailed, "%s sent no authorization code", t.provider.DisplayName)
	}
	cfg, err := t.oauth2Config(st.RedirectURI)
	if err != nil {
		return nil, err
	}
	// One attempt only: a code is single-use, so a retry after a lost answer
	// could only fail; the user connects again instead.
	tok, err := cfg.Exchange(e.oauth2Context(ctx), code, oauth2.VerifierOption(st.CodeVerifier))
	if err != nil {
		return nil, providerError(err, "the authorization code")
	}
	requested := t.integration.Scopes
	if len(requested) == 0 {
		requested = t.provider.DefaultScopes
	}
	cred, granted := e.credentialsFrom(tok, t.provider, requested)
	res.MissingScopes = missing(requested, granted)
	res.Warnings = warnings(tok, t.provider, res.MissingScopes)
	return cred, nil
}

// fail records err in the event for the widget and returns it.
func (r *Result) fail(err error) (*Result, error) {
	r.Event.Error = "Something went wrong; please try again."
	if e, ok := errors.AsType[*oriel.Error](err); ok {
		r.Event.Error = e.Message
	}
	return r, err
}

// single returns the only value of key in q ("" when absent); ok is false
// when the parameter is repeated (RFC 6749 §4.1.2: parameters must not repeat).
func single(q url.Values, key string) (string, bool) {
	switch v := q[key]; len(v) {
	case 0:
		return "", true
	case 1:
		return v[0], true
	}
	return "", false
}
