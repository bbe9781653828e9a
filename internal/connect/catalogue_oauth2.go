package connect

import (
	"errors"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/orielhq/oriel"
)

// CodeIssuerMismatch: an authorization response's "iss" is absent or names
// another authorization server than the one the flow started with (RFC 9207).
const CodeIssuerMismatch = "issuer_mismatch"

// OAuth2Client is an integration's application registered at a provider.
type OAuth2Client struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string   // exactly as registered at the provider
	Scopes       []string // nil: the provider's DefaultScopes
}

// OAuth2Config returns the golang.org/x/oauth2 configuration for client at
// p, for a connection whose connection-config values are cfg. Scopes are
// joined with the provider's separator. Pass AuthCodeOptions (with state
// and, when p.PKCE, oauth2.S256ChallengeOption) to AuthCodeURL.
func (p *Provider) OAuth2Config(client OAuth2Client, cfg map[string]string) (*oauth2.Config, error) {
	authURL, err := p.AuthURL(cfg)
	if err != nil {
		return nil, err
	}
	tokenURL, err := p.TokenURL(cfg)
	if err != nil {
		return nil, err
	}
	scopes, err := p.joinScopes(client.Scopes)
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{
		ClientID:     client.ClientID,
		ClientSecret: client.ClientSecret,
		RedirectURL:  client.RedirectURL,
		Scopes:       scopes,
		Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: p.authStyle()},
	}, nil
}

// ClientCredentialsConfig returns the golang.org/x/oauth2/clientcredentials
// configuration of an oauth2_client_credentials connection whose fields
// (client_id, client_secret and connection config) are values, asking for
// p's default scopes.
func (p *Provider) ClientCredentialsConfig(values map[string]string) (*clientcredentials.Config, error) {
	if p.Kind != KindClientCredentials {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeNotOAuth2, "%s does not use the client credentials grant", p.DisplayName)
	}
	tokenURL, err := p.TokenURL(values)
	if err != nil {
		return nil, err
	}
	scopes, err := p.joinScopes(nil)
	if err != nil {
		return nil, err
	}
	return &clientcredentials.Config{ClientID: values["client_id"], ClientSecret: values["client_secret"],
		TokenURL: tokenURL, Scopes: scopes, AuthStyle: p.authStyle()}, nil
}

// joinScopes validates scopes (nil: p's defaults) and joins them with p's
// separator as x/oauth2 expects: it joins with spaces itself, and passes a
// single element through as it is.
func (p *Provider) joinScopes(scopes []string) ([]string, error) {
	if scopes == nil {
		scopes = p.DefaultScopes
	}
	if err := p.ValidateScopes(scopes); err != nil {
		return nil, err
	}
	if p.ScopeSeparator != " " && len(scopes) > 0 {
		scopes = []string{strings.Join(scopes, p.ScopeSeparator)}
	}
	return scopes, nil
}

// authStyle is how x/oauth2 sends the client's secret to p's token endpoint.
func (p *Provider) authStyle() oauth2.AuthStyle {
	if p.TokenAuthMethod == ClientSecretBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// AuthCodeOptions returns p's extra authorization request parameters (such
// as Google's access_type=offline) as options for oauth2.Config.AuthCodeURL.
func (p *Provider) AuthCodeOptions() []oauth2.AuthCodeOption {
	var opts []oauth2.AuthCodeOption
	for _, k := range slices.Sorted(maps.Keys(p.AuthorizationParams)) {
		opts = append(opts, oauth2.SetAuthURLParam(k, p.AuthorizationParams[k]))
	}
	return opts
}

// ValidateScopes checks scopes for p: each one a non-empty RFC 6749
// scope-token of at most 200 characters, without p's separator, none repeated.
func (p *Provider) ValidateScopes(scopes []string) error {
	for i, s := range scopes {
		ok := s != "" && len(s) <= 200 && !strings.Contains(s, p.ScopeSeparator) && !slices.Contains(scopes[:i], s)
		for _, c := range []byte(s) {
			ok = ok && c > 0x20 && c < 0x7f && c != '"' && c != '\\'
		}
		if !ok {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeScopeInvalid,
				"scope %d is empty, repeated, too long or holds a space, separator, quote or backslash", i+1)
		}
	}
	return nil
}

// CheckIssuer checks the "iss" parameter of an authorization response to a
// flow started with p (RFC 9207 mix-up defence): when p has an Issuer, iss
// must be exactly it, and present. Without a known issuer, iss is not checked;
// distinct redirect URIs per provider are then the defence.
func (p *Provider) CheckIssuer(iss string) error {
	if p.Issuer != "" && iss != p.Issuer {
		return oriel.Errorf(oriel.EINVALID, CodeIssuerMismatch,
			"the authorization response did not come from %s", p.DisplayName)
	}
	return nil
}

// Endpoints are the URLs a vendor supplies for the generic oauth2 provider.
type Endpoints struct {
	AuthorizationURL string `json:"authorization_url"`
	TokenURL         string `json:"token_url"`
	RevocationURL    string `json:"revocation_url,omitempty"` // RFC 7009, optional
	// Issuer is the server's RFC 8414 issuer identifier, set when it returns
	// "iss" in authorization responses (RFC 9207); it must then be present
	// and equal in every callback.
	Issuer string `json:"issuer,omitempty"`
	// APIBaseURL is where the provider's API lives, for the proxy; optional.
	APIBaseURL string `json:"api_base_url,omitempty"`
}

// WithEndpoints returns a copy of the generic oauth2 provider p that uses e.
// Every URL must be https with a public DNS host name, no user info and no
// fragment; allowLoopbackHTTP (development only) also admits
// http://127.0.0.1, http://[::1] and http://localhost, with any port.
// Errors are EUNPROCESSABLE with code CodeEndpointInvalid.
func (p *Provider) WithEndpoints(e Endpoints, allowLoopbackHTTP bool) (*Provider, error) {
	if !p.Generic || p.Kind != KindOAuth2 {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeEndpointInvalid,
			"%s has fixed endpoints; only the generic OAuth 2.0 provider takes them from the integration", p.DisplayName)
	}
	for _, u := range []struct{ name, raw string }{
		{"authorization_url", e.AuthorizationURL}, {"token_url", e.TokenURL},
		{"revocation_url", e.RevocationURL}, {"issuer", e.Issuer},
	} {
		if u.raw == "" && (u.name == "revocation_url" || u.name == "issuer") {
			continue
		}
		if err := checkEndpointURL(u.raw, allowLoopbackHTTP); err != nil {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeEndpointInvalid, "%s %v", u.name, err)
		}
	}
	c := *p
	c.AuthorizationEndpoint, c.TokenEndpoint, c.RevocationEndpoint, c.Issuer =
		e.AuthorizationURL, e.TokenURL, e.RevocationURL, e.Issuer
	return c.WithAPIBase(e.APIBaseURL, allowLoopbackHTTP)
}

// checkEndpointURL checks a vendor-supplied endpoint URL (see WithEndpoints).
// A query is allowed: some servers need fixed parameters.
func checkEndpointURL(raw string, allowLoopbackHTTP bool) error {
	if raw == "" {
		return errors.New("is required")
	}
	if len(raw) > 2048 || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r >= 0x7f }) ||
		strings.ContainsAny(raw, `{}\#@`) {
		return errors.New("must be a plain URL of at most 2048 characters without spaces, braces, backslashes, # or @")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return errors.New("must be an absolute URL")
	}
	host := u.Hostname()
	loopback := host == "localhost"
	if ip, err := netip.ParseAddr(host); err == nil {
		loopback = ip.IsLoopback()
	}
	switch {
	case loopback && allowLoopbackHTTP && (u.Scheme == "http" || u.Scheme == "https"):
		return nil
	case u.Scheme != "https":
		return errors.New("must use https")
	}
	return checkDNSName(host)
}
