package connect

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/orielhq/oriel"
)

// APICall is what one request to a connection's provider API needs: where
// the API lives, and the connection's current credentials, which Authorize
// puts on a request the way the provider expects. It holds secrets: it
// must never be logged or answered.
type APICall struct {
	// Provider is the connection's provider, with a generic provider's
	// endpoints from its integration.
	Provider *Provider
	// BaseURL is the provider's API base URL for this connection.
	BaseURL *url.URL

	connectionID string
	config       map[string]string
	cred         *oriel.Credentials
}

// APICall returns what a request to the API of one of the vendor's
// connected connections needs. Its credentials are fresh as Credentials
// makes them: refreshed first when they expire within RefreshWindow.
func (e *Engine) APICall(ctx context.Context, vendorID, connectionID string) (*APICall, error) {
	t, err := e.load(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	p := t.provider
	if p.APIBase == "" || apiAuth(p) == nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeNoAPIBase,
			"the catalogue does not say where %s's API is or how it takes credentials, so it cannot be called through Oriel", p.DisplayName)
	}
	cred, err := e.usableCredentials(ctx, t.conn)
	if err != nil {
		return nil, err
	}
	// An OAuth2 connection's settings are its config; an api_key or basic
	// connection's are among the fields the customer entered.
	values := maps.Clone(t.conn.Config)
	if values == nil {
		values = map[string]string{}
	}
	for _, f := range p.FormFields() {
		if v, ok := cred.Fields[f.Name]; ok && !f.Secret {
			values[f.Name] = v
		}
	}
	base, err := p.BaseURL(values)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeConfigInvalid, "the API base URL of %s is not a URL", p.DisplayName)
	}
	if p.Kind == KindClientCredentials {
		if cred.AccessToken, err = e.clientToken(ctx, vendorID, connectionID, p, cred, ""); err != nil {
			return nil, err
		}
	}
	return &APICall{Provider: p, BaseURL: u, connectionID: connectionID, config: values, cred: cred}, nil
}

// apiAuth is how requests to p's API carry credentials: p.Auth(), or for
// the generic api-key provider, its key as a Bearer token (RFC 6750).
func apiAuth(p *Provider) *APIAuth {
	if a := p.Auth(); a != nil {
		return a
	}
	if p.Generic && p.Kind == KindAPIKey {
		return &APIAuth{In: AuthBearer, Value: "{api_key}"}
	}
	return nil
}

// WithAPIBase returns a copy of the generic provider p whose API lives at
// raw, a URL from the integration's config ("" leaves p without one). It is
// checked like a generic endpoint, and may have neither query nor escapes.
func (p *Provider) WithAPIBase(raw string, allowLoopbackHTTP bool) (*Provider, error) {
	if raw != "" {
		u, err := url.Parse(raw)
		if err == nil {
			err = checkEndpointURL(raw, allowLoopbackHTTP)
		}
		if err == nil && (u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "%")) {
			err = errors.New("must have neither query nor escapes")
		}
		if err != nil {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeEndpointInvalid, "api_base_url %v", err)
		}
	}
	c := *p
	c.APIBase = strings.TrimSuffix(raw, "/")
	return &c, nil
}

// Refreshable reports whether c's credentials can be replaced after the
// provider refuses them: OAuth2 tokens of a provider that issues refresh
// tokens, and client credentials tokens, unlike API keys and passwords.
func (c *APICall) Refreshable() bool {
	return c.cred.AccessToken != "" && (c.Provider.Kind == KindClientCredentials || c.Provider.RefreshTokens != RefreshNone)
}

// RefreshRejected replaces c's credentials after the provider refused them
// with HTTP 401 (see Engine.RefreshRejected). A client credentials
// connection drops its cached token and fetches a new one, once for all
// concurrent callers; a refusal of its client id and secret is a
// *TokenRefusal.
func (c *APICall) RefreshRejected(ctx context.Context, e *Engine, vendorID string) error {
	if c.Provider.Kind == KindClientCredentials {
		tok, err := e.clientToken(ctx, vendorID, c.connectionID, c.Provider, c.cred, c.cred.AccessToken)
		if err != nil {
			return err
		}
		c.cred.AccessToken = tok
		return nil
	}
	cred, err := e.RefreshRejected(ctx, vendorID, c.connectionID, c.cred.AccessToken)
	if err != nil {
		return err
	}
	c.cred = cred
	return nil
}

// Authorize puts the credentials on req as the provider's API expects them
// (Provider.Auth), replacing any Authorization header and any query
// parameter or header of the same name that req carried.
func (c *APICall) Authorize(req *http.Request) {
	a := apiAuth(c.Provider)
	values := map[string]string{}
	maps.Copy(values, c.config)
	maps.Copy(values, c.cred.Fields)
	if c.cred.AccessToken != "" {
		values[AccessTokenPlaceholder] = c.cred.AccessToken
	}
	req.Header.Del("Authorization")
	for k, v := range a.Headers {
		req.Header.Set(k, FillTemplate(v, values))
	}
	switch a.In {
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+FillTemplate(a.Value, values))
	case AuthHeader:
		req.Header.Set(a.Name, FillTemplate(a.Value, values))
	case AuthBasic:
		req.SetBasicAuth(FillTemplate(a.Username, values), FillTemplate(a.Password, values))
	case AuthQuery:
		req.URL.RawQuery = setQueryParam(req.URL.RawQuery, a.Name, FillTemplate(a.Value, values))
	}
}

// Secrets returns the secret values c may put on a request, so that a
// caller can scrub them from anything it shows.
func (c *APICall) Secrets() []string {
	out := []string{}
	if c.cred.AccessToken != "" {
		out = append(out, c.cred.AccessToken)
	}
	for _, f := range c.Provider.Credentials {
		if v := c.cred.Fields[f.Name]; f.Secret && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// setQueryParam returns the raw query rawQuery with every name parameter
// replaced by one name=value at the end, leaving the rest as it was sent.
func setQueryParam(rawQuery, name, value string) string {
	var kept []string
	for _, pair := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); pair == "" || err == nil && k == name {
			continue
		}
		kept = append(kept, pair)
	}
	return strings.Join(append(kept, url.QueryEscape(name)+"="+url.QueryEscape(value)), "&")
}
