// Package connect holds what Oriel knows about the third-party apps an end
// customer connects: the provider catalogue (how each provider authenticates)
// and the connections made with it.
package connect

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Kind is how a provider authenticates a connection.
type Kind string

// Provider kinds.
const (
	KindOAuth2 Kind = "oauth2"  // OAuth 2.0 authorization code grant
	KindAPIKey Kind = "api_key" // one or more named keys the user pastes
	KindBasic  Kind = "basic"   // HTTP Basic: fields "username" and "password"
	// KindClientCredentials: OAuth 2.0 client credentials grant (RFC 6749
	// §4.4). The user pastes the client_id and client_secret of an app
	// registered in their own account; Oriel trades them for access tokens.
	KindClientCredentials Kind = "oauth2_client_credentials"
)

// RefreshTokens says whether and how an OAuth2 provider issues refresh tokens.
type RefreshTokens string

// Refresh token behaviours.
const (
	// RefreshNone: no refresh token; access tokens are long-lived and the
	// user reconnects when one stops working.
	RefreshNone RefreshTokens = "none"
	// RefreshReusable: one refresh token, valid across refreshes.
	RefreshReusable RefreshTokens = "reusable"
	// RefreshRotating: each refresh returns a new refresh token and
	// invalidates the old one, so the new one must be stored atomically with
	// the access token and refreshes must never run concurrently.
	RefreshRotating RefreshTokens = "rotating"
)

// TokenAuthMethod is how a client authenticates at a provider's token
// endpoint (RFC 7591 names).
type TokenAuthMethod string

// Token endpoint authentication methods.
const (
	ClientSecretBasic TokenAuthMethod = "client_secret_basic" // HTTP Basic header
	ClientSecretPost  TokenAuthMethod = "client_secret_post"  // client_id and client_secret form fields
)

// RevocationBody is the encoding a provider's revocation endpoint expects.
type RevocationBody string

// Revocation request encodings.
const (
	RevocationForm RevocationBody = "form" // RFC 7009: application/x-www-form-urlencoded "token=…"
	RevocationJSON RevocationBody = "json" // {"token": "…"} (Notion, Intuit)
)

// Provider describes one third-party app: how to authenticate with it and
// what to ask the user for. Providers from the catalogue are shared: treat
// them as read-only.
type Provider struct {
	Key         string `json:"key"`          // stable identifier, ^[a-z0-9-]+$
	DisplayName string `json:"display_name"` // as the provider spells its name
	Kind        Kind   `json:"kind"`
	// Generic marks the catalogue's vendor-configured kinds ("oauth2",
	// "api_key", "basic") as opposed to a named provider.
	Generic  bool   `json:"generic,omitempty"`
	Category string `json:"category"`
	DocsURL  string `json:"docs_url"` // the provider's own documentation of this auth method
	Color    string `json:"color"`    // brand colour, #RRGGBB
	Monogram string `json:"monogram,omitempty"`
	// Logo is the path of the provider's logo, served by Oriel: a monogram
	// (see MonogramPath) of Monogram, or of the display name's initials, on Color.
	Logo string `json:"logo,omitempty"`

	// OAuth2 only (TokenEndpoint, scopes and TokenAuthMethod also for
	// client credentials). The endpoints are URL templates that may hold {field}
	// placeholders naming ConnectionConfig fields; AuthURL, TokenURL and
	// RevocationURL resolve them for one connection.
	AuthorizationEndpoint string         `json:"authorization_url,omitempty"`
	TokenEndpoint         string         `json:"token_url,omitempty"`
	RevocationEndpoint    string         `json:"revocation_url,omitempty"` // empty: no standard revocation
	RevocationBody        RevocationBody `json:"revocation_body,omitempty"`
	// Issuer, when set, is the provider's RFC 8414 issuer; the provider
	// then returns it as "iss" in every authorization response (RFC 9207).
	Issuer              string            `json:"issuer,omitempty"`
	ScopeSeparator      string            `json:"scope_separator,omitempty"`
	DefaultScopes       []string          `json:"default_scopes,omitempty"`
	PKCE                bool              `json:"pkce,omitempty"` // the provider verifies PKCE S256
	RefreshTokens       RefreshTokens     `json:"refresh_tokens,omitempty"`
	TokenAuthMethod     TokenAuthMethod   `json:"token_auth_method,omitempty"`
	AuthorizationParams map[string]string `json:"authorization_params,omitempty"` // extra authorization request parameters

	// ConnectionConfig are the non-secret values a connection needs, such
	// as a subdomain; Credentials are what an api_key or basic user enters.
	ConnectionConfig []*Field     `json:"connection_config,omitempty"`
	Credentials      []*Field     `json:"credentials,omitempty"`
	TestRequest      *TestRequest `json:"test_request,omitempty"`

	// APIBase is the root URL of the provider's API (a template with the
	// same placeholder rules as the OAuth2 endpoints); "" when Oriel does
	// not know it. APIAuth says how a request to it carries the connection's
	// credentials; nil means the kind's default (see Auth).
	APIBase string   `json:"api_base_url,omitempty"`
	APIAuth *APIAuth `json:"api_auth,omitempty"`

	// Provenance records where the entry's facts come from and when they
	// were checked.
	Provenance *Provenance `json:"provenance"`
}

// Field is one value a user or vendor enters for a connection.
type Field struct {
	Name        string   `json:"name"` // ^[a-z][a-z0-9_]*$, unique within a provider
	Label       string   `json:"label"`
	Placeholder string   `json:"placeholder,omitempty"`
	Help        string   `json:"help,omitempty"`
	Pattern     string   `json:"pattern,omitempty"` // anchored RE2 the whole value must match
	Options     []Option `json:"options,omitempty"` // when set, the value must be one of these
	Default     string   `json:"default,omitempty"` // used when the value is absent
	Secret      bool     `json:"secret,omitempty"`  // stored encrypted, shown masked, never in a URL
	Optional    bool     `json:"optional,omitempty"`

	re *regexp.Regexp // compiled Pattern
}

// Option is one allowed value of a Field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// TestRequest is a request that proves api_key or basic credentials work.
// Its URL may hold {field} placeholders naming non-secret fields with a
// pattern or options; header, query and basic-auth values may name any field.
// A basic provider's test request always carries its username and password.
type TestRequest struct {
	Method       string            `json:"method"` // GET, HEAD or POST (without a body)
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers,omitempty"`
	Query        map[string]string `json:"query,omitempty"`
	BasicAuth    *BasicAuth        `json:"basic_auth,omitempty"`
	ExpectStatus []int             `json:"expect_status"` // statuses that mean "the credentials work"
}

// BasicAuth is an HTTP Basic credential template.
type BasicAuth struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

//go:embed providers.json
var providersJSON []byte

// catalogue is the parsed, checked providers.json, sorted by key.
var catalogue = sync.OnceValue(func() []*Provider {
	ps, err := parseCatalogue(providersJSON)
	if err != nil {
		panic("connect: providers.json: " + err.Error())
	}
	return ps
})

// Catalogue returns every provider, sorted by key.
func Catalogue() []*Provider { return slices.Clone(catalogue()) }

// LookupProvider returns the provider with the given key.
func LookupProvider(key string) (*Provider, bool) {
	ps := catalogue()
	i, ok := slices.BinarySearchFunc(ps, key, func(p *Provider, k string) int { return strings.Compare(p.Key, k) })
	if !ok {
		return nil, false
	}
	return ps[i], true
}

// parseCatalogue decodes and checks a catalogue file strictly: unknown
// fields, duplicate keys and malformed entries are errors.
func parseCatalogue(data []byte) ([]*Provider, error) {
	var file struct {
		Comment   string      `json:"$comment"`
		Providers []*Provider `json:"providers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(file.Providers))
	for i, p := range file.Providers {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("provider %d (%q): %w", i, p.Key, err)
		}
		if seen[p.Key] {
			return nil, fmt.Errorf("provider %q is listed twice", p.Key)
		}
		seen[p.Key] = true
		p.Logo = MonogramPath(p.monogram(), p.Color)
	}
	slices.SortFunc(file.Providers, func(a, b *Provider) int { return strings.Compare(a.Key, b.Key) })
	return file.Providers, nil
}

// FormFields returns the fields a user fills in to connect: the connection
// config followed by the credentials.
func (p *Provider) FormFields() []*Field {
	return slices.Concat(p.ConnectionConfig, p.Credentials)
}

// field returns the connection-config or credential field with this name.
func (p *Provider) field(name string) *Field {
	for _, f := range p.FormFields() {
		if f.Name == name {
			return f
		}
	}
	return nil
}
