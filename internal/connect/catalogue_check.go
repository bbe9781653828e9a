package connect

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var (
	providerKeyRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)
	fieldNameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	colorRE       = regexp.MustCompile(`^#[0-9A-F]{6}$`)
	monogramRE    = regexp.MustCompile(`^[A-Z0-9]{1,2}$`)
	paramNameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	headerNameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	queryNameRE   = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)
)

// categories are the catalogue's provider categories.
var categories = []string{
	"accounting", "ai", "analytics", "communication", "crm", "dev-tools", "documents", "e-commerce",
	"hr", "identity", "marketing", "other", "payments", "productivity", "social", "storage", "support",
}

// Categories returns the catalogue's provider categories, sorted.
func Categories() []string { return slices.Clone(categories) }

// Kinds returns the kinds of provider, in the catalogue's order of preference.
func Kinds() []Kind { return []Kind{KindOAuth2, KindClientCredentials, KindAPIKey, KindBasic} }

// scopeSeparators are the separators providers join scopes with: RFC
// 6749's space, and the comma some older APIs use.
var scopeSeparators = []string{" ", ","}

// reservedAuthParams are authorization request parameters the OAuth2 flow
// sets itself; a catalogue entry must not override them.
var reservedAuthParams = []string{
	"client_id", "code_challenge", "code_challenge_method", "redirect_uri",
	"response_type", "scope", "state",
}

// check reports the first way p is not a well-formed catalogue entry, and
// compiles its field patterns.
func (p *Provider) check() error {
	switch {
	case !providerKeyRE.MatchString(p.Key):
		return errors.New("key must match " + providerKeyRE.String())
	case p.DisplayName == "" || len(p.DisplayName) > 60 || hasControl(p.DisplayName):
		return errors.New("display_name must be 1–60 printable characters")
	case !slices.Contains(categories, p.Category):
		return fmt.Errorf("category must be one of %v", categories)
	case !colorRE.MatchString(p.Color):
		return errors.New("color must be #RRGGBB in upper case")
	case p.Monogram != "" && !monogramRE.MatchString(p.Monogram):
		return errors.New("monogram must be one or two upper-case letters or digits")
	case p.Logo != "":
		return errors.New("logo is generated from color and monogram; remove it")
	}
	if err := checkEndpointURL(p.DocsURL, false); err != nil {
		return fmt.Errorf("docs_url: %w", err)
	}
	if err := p.checkFields(); err != nil {
		return err
	}
	if err := p.checkProvenance(); err != nil {
		return err
	}
	var err error
	switch p.Kind {
	case KindOAuth2:
		err = p.checkOAuth2()
	case KindAPIKey, KindBasic:
		err = p.checkKeyed()
	case KindClientCredentials:
		err = p.checkClientCredentials()
	default:
		err = fmt.Errorf("kind must be %q, %q, %q or %q", KindOAuth2, KindClientCredentials, KindAPIKey, KindBasic)
	}
	if err != nil {
		return err
	}
	return p.checkAPI()
}

// checkFields checks every field on its own and that names are unique.
func (p *Provider) checkFields() error {
	seen := map[string]bool{}
	for _, f := range p.FormFields() {
		if err := f.compile(); err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("field %q is declared twice", f.Name)
		}
		seen[f.Name] = true
	}
	for _, f := range p.ConnectionConfig {
		if f.Secret {
			return fmt.Errorf("connection_config field %q must not be secret; secrets are credentials", f.Name)
		}
		if !p.usesPlaceholder(f.Name) {
			return fmt.Errorf("connection_config field %q is not used by any URL or test request", f.Name)
		}
	}
	return nil
}

// compile checks f and compiles its pattern.
func (f *Field) compile() error {
	switch {
	case !fieldNameRE.MatchString(f.Name):
		return errors.New("name must match " + fieldNameRE.String())
	case f.Label == "" || hasControl(f.Label) || hasControl(f.Help) || hasControl(f.Placeholder):
		return errors.New("label is required; label, help and placeholder must be printable")
	case f.Secret && (f.Default != "" || len(f.Options) > 0):
		return errors.New("a secret field has neither a default nor options")
	}
	if f.Pattern != "" {
		if !strings.HasPrefix(f.Pattern, "^") || !strings.HasSuffix(f.Pattern, "$") {
			return errors.New("pattern must be anchored with ^ and $")
		}
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return fmt.Errorf("pattern: %w", err)
		}
		f.re = re
	}
	seen := map[string]bool{}
	for _, o := range f.Options {
		if o.Value == "" || o.Label == "" || seen[o.Value] {
			return errors.New("options need distinct, non-empty values and labels")
		}
		seen[o.Value] = true
	}
	if f.Default != "" {
		if msg := f.problem(f.Default); msg != "" {
			return fmt.Errorf("default: %s", msg)
		}
	}
	return nil
}

// checkOAuth2 checks the OAuth2 part of p.
func (p *Provider) checkOAuth2() error {
	if len(p.Credentials) > 0 || p.TestRequest != nil {
		return errors.New("an oauth2 provider has no credentials or test_request")
	}
	switch {
	case !slices.Contains(scopeSeparators, p.ScopeSeparator):
		return fmt.Errorf("scope_separator must be one of %q", scopeSeparators)
	case p.RefreshTokens != RefreshNone && p.RefreshTokens != RefreshReusable && p.RefreshTokens != RefreshRotating:
		return errors.New("refresh_tokens must be none, reusable or rotating")
	case p.TokenAuthMethod != ClientSecretBasic && p.TokenAuthMethod != ClientSecretPost:
		return errors.New("token_auth_method must be client_secret_basic or client_secret_post")
	case p.RevocationBody != "" && p.RevocationBody != RevocationForm && p.RevocationBody != RevocationJSON:
		return errors.New("revocation_body must be form or json")
	case p.RevocationBody != "" && p.RevocationEndpoint == "":
		return errors.New("revocation_body needs a revocation_url")
	}
	if err := p.ValidateScopes(p.DefaultScopes); err != nil {
		return fmt.Errorf("default_scopes: %w", err)
	}
	for k, v := range p.AuthorizationParams {
		if !paramNameRE.MatchString(k) || slices.Contains(reservedAuthParams, k) {
			return fmt.Errorf("authorization_params: %q is not a parameter a provider entry may set", k)
		}
		if v == "" || hasControl(v) || strings.ContainsAny(v, "{}") {
			return fmt.Errorf("authorization_params: %q needs a plain, non-empty value", k)
		}
	}
	if p.Issuer != "" {
		if err := checkEndpointURL(p.Issuer, false); err != nil {
			return fmt.Errorf("issuer: %w", err)
		}
	}
	if p.Generic {
		if p.AuthorizationEndpoint != "" || p.TokenEndpoint != "" || p.RevocationEndpoint != "" || len(p.ConnectionConfig) > 0 {
			return errors.New("the generic oauth2 provider takes its endpoints from the integration")
		}
		return nil
	}
	if p.AuthorizationEndpoint == "" || p.TokenEndpoint == "" {
		return errors.New("authorization_url and token_url are required")
	}
	for name, tmpl := range map[string]string{
		"authorization_url": p.AuthorizationEndpoint, "token_url": p.TokenEndpoint, "revocation_url": p.RevocationEndpoint,
	} {
		if tmpl == "" {
			continue
		}
		if err := checkTemplate(tmpl, p.ConnectionConfig); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// checkClientCredentials checks an oauth2_client_credentials provider:
// a token URL, scope rules and how the client authenticates, and the
// credentials "client_id" then "client_secret" (secret), which the user
// copies from an app registered in their account.
func (p *Provider) checkClientCredentials() error {
	c := p.Credentials
	switch {
	case len(c) != 2 || c[0].Name != "client_id" || c[0].Secret || c[1].Name != "client_secret" || !c[1].Secret:
		return errors.New(`a client credentials provider's credentials are "client_id" then "client_secret" (secret)`)
	case p.AuthorizationEndpoint != "" || p.RevocationEndpoint != "" || p.PKCE || p.RefreshTokens != "" ||
		p.Issuer != "" || len(p.AuthorizationParams) > 0 || p.TestRequest != nil || p.Generic:
		return errors.New("a client credentials provider has a token_url and scopes only; getting a token is its test")
	case p.TokenEndpoint == "":
		return errors.New("token_url is required")
	case !slices.Contains(scopeSeparators, p.ScopeSeparator):
		return fmt.Errorf("scope_separator must be one of %q", scopeSeparators)
	case p.TokenAuthMethod != ClientSecretBasic && p.TokenAuthMethod != ClientSecretPost:
		return errors.New("token_auth_method must be client_secret_basic or client_secret_post")
	}
	if err := p.ValidateScopes(p.DefaultScopes); err != nil {
		return fmt.Errorf("default_scopes: %w", err)
	}
	if err := checkTemplate(p.TokenEndpoint, p.ConnectionConfig); err != nil {
		return fmt.Errorf("token_url: %w", err)
	}
	return nil
}

// checkKeyed checks an api_key or basic provider.
func (p *Provider) checkKeyed() error {
	if p.AuthorizationEndpoint != "" || p.TokenEndpoint != "" || p.RevocationEndpoint != "" || p.RevocationBody != "" ||
		p.Issuer != "" || p.ScopeSeparator != "" || len(p.DefaultScopes) > 0 || p.PKCE ||
		p.RefreshTokens != "" || p.TokenAuthMethod != "" || len(p.AuthorizationParams) > 0 {
		return fmt.Errorf("a %s provider has no OAuth2 settings", p.Kind)
	}
	if p.Kind == KindBasic {
		c := p.Credentials
		if len(c) != 2 || c[0].Name != "username" || c[0].Secret || c[1].Name != "password" || !c[1].Secret {
			return errors.New(`a basic provider's credentials are "username" then "password" (secret)`)
		}
	} else if !slices.ContainsFunc(p.Credentials, func(f *Field) bool { return f.Secret }) {
		return errors.New("an api_key provider needs at least one secret credential")
	}
	if p.Generic && (p.TestRequest != nil || len(p.ConnectionConfig) > 0) {
		return errors.New("a generic provider has no connection_config or test_request")
	}
	if p.Kind == KindAPIKey && !p.Generic {
		if p.TestRequest == nil {
			return errors.New("an api_key provider needs a test_request that proves the key works")
		}
		for _, f := range p.Credentials {
			if f.Secret && f.Pattern == "" {
				return fmt.Errorf("credential %q needs a pattern that the provider's keys match", f.Name)
			}
		}
	}
	if p.TestRequest != nil {
		if err := p.checkTestRequest(); err != nil {
			return fmt.Errorf("test_request: %w", err)
		}
	}
	return nil
}

// checkTestRequest checks p.TestRequest.
func (p *Provider) checkTestRequest() error {
	t := p.TestRequest
	if t.Method != "GET" && t.Method != "HEAD" && t.Method != "POST" {
		return errors.New("method must be GET, HEAD or POST")
	}
	if err := checkTemplate(t.URL, p.FormFields()); err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if t.BasicAuth != nil && p.Kind == KindBasic {
		return errors.New("a basic provider always sends its username and password; remove basic_auth")
	}
	values := map[string]string{}
	for k, v := range t.Headers {
		if !headerNameRE.MatchString(k) || k == "host" || k == "content-length" {
			return fmt.Errorf("header %q: use a lower-case name other than host and content-length", k)
		}
		values["header "+k] = v
	}
	for k, v := range t.Query {
		if !queryNameRE.MatchString(k) {
			return fmt.Errorf("query parameter %q: name must match %s", k, queryNameRE)
		}
		values["query "+k] = v
	}
	if t.BasicAuth != nil {
		values["basic_auth username"], values["basic_auth password"] = t.BasicAuth.Username, t.BasicAuth.Password
	}
	for where, v := range values {
		for _, name := range placeholders(v) {
			if p.field(name) == nil {
				return fmt.Errorf("%s: {%s} is not a declared field", where, name)
			}
		}
	}
	if len(t.ExpectStatus) == 0 {
		return errors.New("expect_status needs at least one status")
	}
	for _, s := range t.ExpectStatus {
		if s < 200 || s > 399 {
			return fmt.Errorf("expect_status %d is not a success or redirect status", s)
		}
	}
	return nil
}

// usesPlaceholder reports whether any of p's URL or test-request templates
// names the field.
func (p *Provider) usesPlaceholder(name string) bool {
	templates := []string{p.AuthorizationEndpoint, p.TokenEndpoint, p.RevocationEndpoint, p.APIBase}
	if t := p.TestRequest; t != nil {
		templates = append(templates, t.URL)
		for _, v := range t.Headers {
			templates = append(templates, v)
		}
		for _, v := range t.Query {
			templates = append(templates, v)
		}
		if t.BasicAuth != nil {
			templates = append(templates, t.BasicAuth.Username, t.BasicAuth.Password)
		}
	}
	if a := p.APIAuth; a != nil {
		templates = append(templates, a.Value, a.Username, a.Password)
		templates = slices.AppendSeq(templates, maps.Values(a.Headers))
	}
	return slices.ContainsFunc(templates, func(t string) bool { return slices.Contains(placeholders(t), name) })
}

// hasControl reports whether s holds an ASCII or Unicode C0/C1 control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) })
}
