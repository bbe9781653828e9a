package connect

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/orielhq/oriel"
)

// The provider API fields of the catalogue (api_base_url and api_auth), as
// /work/wt/PROXY-FIELDS.md names them: where a provider's API lives and how a
// request to it carries a connection's credentials. The proxy
// (/v1/connections/{id}/proxy/…) reads them.

// CodeNoAPIBaseURL: the connection's provider has no API base URL, in the
// catalogue or (for a generic provider) in the integration's config, so its
// API cannot be called through Oriel.
const CodeNoAPIBaseURL = "provider_api_unknown"

// AuthPlacement is where a provider's API expects the credentials.
type AuthPlacement string

// Credential placements.
const (
	AuthBearer AuthPlacement = "bearer" // Authorization: Bearer {value}
	AuthHeader AuthPlacement = "header" // {name}: {value}
	AuthBasic  AuthPlacement = "basic"  // Authorization: Basic base64({username}:{password})
	AuthQuery  AuthPlacement = "query"  // ?{name}={value}
)

// APIAuth says how a request to a provider's API carries a connection's
// credentials. Value, Username and Password are templates whose {name}
// placeholders name the provider's credential or connection_config fields,
// or {access_token} for an OAuth2 connection's access token.
type APIAuth struct {
	In       AuthPlacement     `json:"in"`
	Name     string            `json:"name,omitempty"`     // in=header: the header; in=query: the parameter
	Value    string            `json:"value,omitempty"`    // in=bearer, header or query
	Username string            `json:"username,omitempty"` // in=basic
	Password string            `json:"password,omitempty"` // in=basic
	Headers  map[string]string `json:"headers,omitempty"`  // fixed extra headers, such as an API version
}

// APIBaseURL returns the provider's API base URL for a connection whose
// connection-config values are cfg.
func (p *Provider) APIBaseURL(cfg map[string]string) (string, error) {
	if p.APIBase == "" {
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeNoAPIBaseURL,
			"%s has no API base URL, so its API cannot be called through Oriel", p.DisplayName)
	}
	return p.resolve(p.APIBase, cfg)
}

// Auth returns how requests to p's API carry credentials: its api_auth, or
// the default of its kind (a bearer access token for OAuth2, the username
// and password for basic). It is nil for an api_key provider without api_auth.
func (p *Provider) Auth() *APIAuth {
	switch {
	case p.APIAuth != nil:
		return p.APIAuth
	case p.Kind == KindOAuth2:
		return &APIAuth{In: AuthBearer, Value: "{access_token}"}
	case p.Kind == KindBasic:
		return &APIAuth{In: AuthBasic, Username: "{username}", Password: "{password}"}
	}
	return nil
}

// FillTemplate replaces each {name} placeholder of tmpl by values[name]
// ("" when absent).
func FillTemplate(tmpl string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string { return values[m[1:len(m)-1]] })
}

// checkAPI checks p's api_base_url and api_auth.
func (p *Provider) checkAPI() error {
	if p.APIBase != "" {
		if p.Generic {
			return errors.New("a generic provider takes its api_base_url from the integration")
		}
		if err := checkTemplate(p.APIBase, p.ConnectionConfig); err != nil {
			return fmt.Errorf("api_base_url: %w", err)
		}
	}
	a := p.APIAuth
	if a == nil {
		return nil
	}
	templates := []string{a.Value}
	switch a.In {
	case AuthBearer:
	case AuthHeader, AuthQuery:
		if !headerNameRE.MatchString(strings.ToLower(a.Name)) {
			return errors.New("api_auth: name must be a header or parameter name")
		}
	case AuthBasic:
		templates = []string{a.Username, a.Password}
	default:
		return errors.New("api_auth: in must be bearer, header, basic or query")
	}
	for k, v := range a.Headers {
		if !headerNameRE.MatchString(k) || strings.ContainsAny(v, "{}") || hasControl(v) {
			return fmt.Errorf("api_auth: header %q needs a lower-case name and a fixed, printable value", k)
		}
	}
	for _, t := range templates {
		if t == "" || hasControl(t) {
			return errors.New("api_auth: every value template is required and printable")
		}
		for _, name := range placeholders(t) {
			if (name != "access_token" || p.Kind != KindOAuth2) && p.field(name) == nil {
				return fmt.Errorf("api_auth: {%s} is not a declared field", name)
			}
		}
	}
	return nil
}

// WithAPIBase returns a copy of the generic provider p whose API lives at
// raw, a URL from the integration's config ("" leaves p without one). It is
// checked like a generic endpoint, and may have neither query nor fragment.
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
