package connect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orielhq/oriel"
)

// The provider API fields of the catalogue (api_base_url and api_auth), as
// /work/wt/PROXY-FIELDS.md defines them with branch i15-catalogue, which
// owns them: this file declares the same API, and its version replaces this
// one when the branches meet.

// AuthPlacement is where a request to a provider's API carries the
// connection's credential.
type AuthPlacement string

// Credential placements.
const (
	AuthBearer AuthPlacement = "bearer" // Authorization: Bearer <value>
	AuthHeader AuthPlacement = "header" // <name>: <value>
	AuthBasic  AuthPlacement = "basic"  // Authorization: Basic base64(<username>:<password>)
	AuthQuery  AuthPlacement = "query"  // ?<name>=<value>
)

// AccessTokenPlaceholder names the current OAuth2 access token in APIAuth
// templates of oauth2 providers.
const AccessTokenPlaceholder = "access_token"

// APIAuth describes how a request to a provider's API carries the
// connection's credentials. Value, Username, Password and the Headers'
// values are templates whose {name} placeholders name the provider's
// credential or connection-config fields, or {access_token}; FillTemplate
// fills them.
type APIAuth struct {
	In       AuthPlacement     `json:"in"`
	Name     string            `json:"name,omitempty"`     // header (In=header) or query parameter (In=query)
	Value    string            `json:"value,omitempty"`    // In=bearer, header or query
	Username string            `json:"username,omitempty"` // In=basic
	Password string            `json:"password,omitempty"` // In=basic
	Headers  map[string]string `json:"headers,omitempty"`  // extra headers, such as an API version
}

// Auth returns how requests to p's API carry credentials: the entry's
// api_auth, or the kind's default — the access token as a Bearer token for
// OAuth2, the username and password for basic. It is nil for an api_key
// provider without api_auth.
func (p *Provider) Auth() *APIAuth {
	switch {
	case p.APIAuth != nil:
		return p.APIAuth
	case p.Kind == KindOAuth2:
		return &APIAuth{In: AuthBearer, Value: "{" + AccessTokenPlaceholder + "}"}
	case p.Kind == KindBasic:
		return &APIAuth{In: AuthBasic, Username: "{username}", Password: "{password}"}
	}
	return nil
}

// BaseURL returns the root of p's API for a connection whose
// connection-config values are cfg, or an EUNPROCESSABLE error with code
// CodeNoAPIBase when the catalogue does not know it.
func (p *Provider) BaseURL(cfg map[string]string) (string, error) {
	if p.APIBase == "" {
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeNoAPIBase,
			"the catalogue does not know the API address of %s", p.DisplayName)
	}
	return p.resolve(p.APIBase, cfg)
}

// CodeNoAPIBase: the provider's entry has no api_base_url.
const CodeNoAPIBase = "provider_api_unknown"

// FillTemplate replaces every {name} in tmpl by values[name] (empty when
// absent). It does no validation: use it for header, query and basic-auth
// values of an APIAuth, never for URLs (see BaseURL).
func FillTemplate(tmpl string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string { return values[m[1:len(m)-1]] })
}

// checkAPI checks p's api_base_url and api_auth.
func (p *Provider) checkAPI() error {
	if p.APIBase != "" {
		if err := checkTemplate(p.APIBase, p.ConnectionConfig); err != nil {
			return fmt.Errorf("api_base_url: %w", err)
		}
	}
	a := p.APIAuth
	if a == nil {
		return nil
	}
	if p.Generic {
		return errors.New("api_auth: a generic provider has none")
	}
	templates := []string{a.Value}
	switch a.In {
	case AuthBearer:
	case AuthHeader, AuthQuery:
		if !headerNameRE.MatchString(a.Name) {
			return errors.New("api_auth: name must be a lower-case header or parameter name")
		}
	case AuthBasic:
		templates = []string{a.Username, a.Password}
	default:
		return errors.New("api_auth: in must be bearer, header, basic or query")
	}
	for k, v := range a.Headers {
		if !headerNameRE.MatchString(k) || v == "" {
			return fmt.Errorf("api_auth: header %q needs a lower-case name and a value", k)
		}
		templates = append(templates, v)
	}
	for _, t := range templates {
		if hasControl(t) || strings.Count(t, "{") != len(placeholders(t)) {
			return errors.New("api_auth: unbalanced braces or control characters")
		}
		for _, name := range placeholders(t) {
			if (name != AccessTokenPlaceholder || p.Kind != KindOAuth2) && p.field(name) == nil {
				return fmt.Errorf("api_auth: {%s} is not a declared field", name)
			}
		}
	}
	return nil
}
