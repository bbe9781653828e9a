package connect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
)

// ClientTokenMargin: a client credentials access token is fetched again
// once it expires within this margin, so that no request carries a token
// about to lapse.
const ClientTokenMargin = time.Minute

// TokenRefusal is the error of a token endpoint that refused a client
// credentials connection's client id and secret (invalid_client, or HTTP
// 400 or 401). It carries the endpoint's answer for the caller to quote,
// with the client secret already replaced by "[redacted]".
type TokenRefusal struct {
	Err      *oriel.Error
	Provider string // the provider's display name
	Status   int
	// oauthError is the endpoint's OAuth error code, when it is a safe one.
	oauthError string
	Header     http.Header
	Body       []byte
}

func (e *TokenRefusal) Error() string { return e.Err.Error() }

// Unwrap exposes the *oriel.Error.
func (e *TokenRefusal) Unwrap() error { return e.Err }

// clientTokens caches the access tokens of client credentials connections
// in memory, per connection and per client id and secret, so that a
// re-entered secret never reuses a token of the old one.
type clientTokens struct {
	mu     sync.Mutex
	tokens map[string]*oauth2.Token
}

// clientTokenKey names the cache entry of a connection's token.
func clientTokenKey(vendorID, connectionID string, cred *oriel.Credentials) string {
	sum := sha256.Sum256([]byte(cred.Fields["client_id"] + "\x00" + cred.Fields["client_secret"]))
	return vendorID + "\x00" + connectionID + "\x00" + string(sum[:])
}

// clientToken returns a usable access token of the client credentials
// connection whose stored credentials are cred: the cached one, or a new
// one from the provider's token endpoint, fetched once for all concurrent
// callers. A non-empty rejected is a token the provider refused: when it is
// still the cached one, it is dropped and a new one fetched.
func (e *Engine) clientToken(ctx context.Context, vendorID, connectionID string, p *Provider, cred *oriel.Credentials, rejected string) (string, error) {
	key := clientTokenKey(vendorID, connectionID, cred)
	c := &e.ccTokens
	c.mu.Lock()
	tok := c.tokens[key]
	if tok != nil && (tok.AccessToken == rejected || !tok.Expiry.IsZero() && !e.now().Add(ClientTokenMargin).Before(tok.Expiry)) {
		delete(c.tokens, key)
		tok = nil
	}
	c.mu.Unlock()
	if tok != nil {
		return tok.AccessToken, nil
	}
	flight := e.flights.DoChan("cc\x00"+key, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*RequestTimeout)
		defer cancel()
		tok, err := e.fetchClientToken(ctx, p, cred.Fields)
		if err != nil {
			e.log().Warn("client credentials token refused or unavailable", "vendor_id", vendorID, "connection_id", connectionID, "code", oriel.ErrorCode(err))
			return nil, err
		}
		c.mu.Lock()
		if c.tokens == nil {
			c.tokens = map[string]*oauth2.Token{}
		}
		c.tokens[key] = tok
		c.mu.Unlock()
		return tok, nil
	})
	select {
	case r := <-flight:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(*oauth2.Token).AccessToken, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// fetchClientToken asks p's token endpoint for an access token with the
// client id and secret in fields (RFC 6749 §4.4), retrying transient
// failures. A refusal of the id and secret is a *TokenRefusal. Errors name the failure, never the secret.
func (e *Engine) fetchClientToken(ctx context.Context, p *Provider, fields map[string]string) (*oauth2.Token, error) {
	cfg, err := p.ClientCredentialsConfig(fields)
	if err != nil {
		return nil, err
	}
	var tok *oauth2.Token
	err = retry(ctx, func() error {
		tok, err = cfg.Token(e.oauth2Context(ctx))
		return err
	})
	if err == nil && tok.AccessToken == "" {
		err = oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderUnavailable, "%s's token endpoint answered without an access token", p.DisplayName)
	}
	if err == nil {
		return tok, nil
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok && clientRefused(re) {
		return nil, &TokenRefusal{
			Err: oriel.Errorf(oriel.EUNPROCESSABLE, CodeCredentialsRejected,
				"%s's token endpoint refused the connection's client ID and secret (%s); the customer must enter them again",
				p.DisplayName, safeOAuthError(re.ErrorCode)),
			Provider: p.DisplayName, Status: re.Response.StatusCode, oauthError: safeOAuthError(re.ErrorCode), Header: re.Response.Header,
			Body: bytes.ReplaceAll(re.Body, []byte(fields["client_secret"]), []byte("[redacted]")),
		}
	}
	return nil, providerError(err, "the token request")
}

// clientRefused reports whether a token endpoint's error answer blames the
// client's id and secret.
func clientRefused(re *oauth2.RetrieveError) bool {
	return re.Response != nil && (re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" ||
		re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusBadRequest)
}
