package connect

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
)

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
// templates of oauth2 and oauth2_client_credentials providers.
const AccessTokenPlaceholder = "access_token"

// APIAuth describes how a request to a provider's API carries the
// connection's credentials. Value, Username and Password are templates
// whose {name} placeholders name the provider's credential or
// connection-config fields, or {access_token}; FillTemplate fills them.
type APIAuth struct {
	In       AuthPlacement `json:"in"`
	Name     string        `json:"name,omitempty"`     // header (In=header) or query parameter (In=query)
	Value    string        `json:"value,omitempty"`    // In=bearer, header or query
	Username string        `json:"username,omitempty"` // In=basic
	Password string        `json:"password,omitempty"` // In=basic
	// Headers are extra headers, such as an API version or a second key;
	// their values are templates too.
	Headers map[string]string `json:"headers,omitempty"`
}

// Auth returns how requests to p's API carry credentials: the entry's
// api_auth, or the kind's default — the access token as a Bearer token for
// OAuth2 kinds, the username and password for basic. It is nil for an
// api_key provider without api_auth.
func (p *Provider) Auth() *APIAuth {
	switch {
	case p.APIAuth != nil:
		return p.APIAuth
	case p.Kind == KindOAuth2 || p.Kind == KindClientCredentials:
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
		if strings.HasSuffix(p.APIBase, "/") {
			return errors.New("api_base_url: must not end with /")
		}
	}
	a := p.APIAuth
	if a == nil {
		if p.APIBase != "" && p.Auth() == nil {
			return errors.New("api_auth: an api_key provider with an api_base_url must say how the key is sent")
		}
		return nil
	}
	if p.Generic {
		return errors.New("api_auth: a generic provider has none")
	}
	var templates []string
	switch a.In {
	case AuthBearer:
		if a.Name != "" || a.Username != "" || a.Password != "" || a.Value == "" {
			return errors.New("api_auth: bearer takes a value only")
		}
		templates = []string{a.Value}
	case AuthHeader, AuthQuery:
		nameRE := headerNameRE
		if a.In == AuthQuery {
			nameRE = queryNameRE
		}
		if !nameRE.MatchString(a.Name) || a.Username != "" || a.Password != "" || a.Value == "" {
			return fmt.Errorf("api_auth: %s takes a name matching %s and a value", a.In, nameRE)
		}
		if a.In == AuthHeader && slices.Contains([]string{"host", "content-length", "content-type"}, a.Name) {
			return fmt.Errorf("api_auth: %s is not a credential header", a.Name)
		}
		templates = []string{a.Value}
	case AuthBasic:
		if a.Name != "" || a.Value != "" || a.Username == "" && a.Password == "" {
			return errors.New("api_auth: basic takes a username and a password, one of which may be empty")
		}
		templates = []string{a.Username, a.Password}
	default:
		return errors.New("api_auth: in must be bearer, header, basic or query")
	}
	for k, v := range a.Headers {
		if !headerNameRE.MatchString(k) || v == "" || k == "host" || k == "content-length" {
			return fmt.Errorf("api_auth: header %q needs a lower-case name and a value", k)
		}
		templates = append(templates, v)
	}
	secret := false
	for _, tmpl := range templates {
		if strings.Count(tmpl, "{") != len(placeholders(tmpl)) || strings.Count(tmpl, "}") != len(placeholders(tmpl)) || hasControl(tmpl) {
			return errors.New("api_auth: unbalanced braces or control characters")
		}
		for _, name := range placeholders(tmpl) {
			f := p.field(name)
			switch {
			case name == AccessTokenPlaceholder && (p.Kind == KindOAuth2 || p.Kind == KindClientCredentials):
				secret = true
			case f == nil:
				return fmt.Errorf("api_auth: {%s} is not a declared field", name)
			case f.Secret:
				secret = true
			}
		}
	}
	if !secret {
		return errors.New("api_auth: sends no secret; name the access token or a secret credential")
	}
	return nil
}
