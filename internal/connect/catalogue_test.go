package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
)

// sampleValue returns a valid value of f for building example URLs.
func sampleValue(t *testing.T, f *Field) string {
	t.Helper()
	for _, v := range []string{f.Default, f.Placeholder, "acme"} {
		if v != "" && f.problem(v) == "" {
			return v
		}
	}
	if len(f.Options) > 0 {
		return f.Options[0].Value
	}
	t.Fatalf("field %q: no valid sample value; give it a placeholder", f.Name)
	return ""
}

// sampleConfig returns valid values for every form field of p.
func sampleConfig(t *testing.T, p *Provider) map[string]string {
	t.Helper()
	cfg := map[string]string{}
	for _, f := range p.ConnectionConfig {
		cfg[f.Name] = sampleValue(t, f)
	}
	return cfg
}

// assertProviderURL checks, independently of the loader, that raw is a URL
// a provider entry may hold.
func assertProviderURL(t *testing.T, what, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("%s %q does not parse: %v", what, raw, err)
		return
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") {
		t.Errorf("%s %q: want https, a host, no user info and no fragment", what, raw)
	}
}

func TestCatalogueEntriesAreWellFormed(t *testing.T) {
	keyRE := regexp.MustCompile(`^[a-z0-9-]+$`)
	ps := Catalogue()
	if !slices.IsSortedFunc(ps, func(a, b *Provider) int { return strings.Compare(a.Key, b.Key) }) {
		t.Error("Catalogue() is not sorted by key")
	}
	seen := map[string]bool{}
	count := map[string]int{}
	for _, p := range ps {
		t.Run(p.Key, func(t *testing.T) {
			if !keyRE.MatchString(p.Key) || seen[p.Key] {
				t.Errorf("key %q is malformed or repeated", p.Key)
			}
			seen[p.Key] = true
			if p.DisplayName == "" || p.Category == "" {
				t.Error("display name and category are required")
			}
			assertProviderURL(t, "docs_url", p.DocsURL)
			assertSVGLogo(t, p.Logo)
			for _, f := range p.FormFields() {
				if f.Name == "" || f.Label == "" {
					t.Errorf("field %+v needs a name and a label", f)
				}
				if f.Pattern != "" && (!strings.HasPrefix(f.Pattern, "^") || !strings.HasSuffix(f.Pattern, "$")) {
					t.Errorf("field %q: pattern %q is not anchored", f.Name, f.Pattern)
				}
			}
			switch {
			case p.Kind == KindOAuth2 && !p.Generic:
				count["oauth2"]++
				assertOAuth2Entry(t, p)
			case p.Kind == KindAPIKey && !p.Generic:
				if !slices.ContainsFunc(p.Credentials, func(f *Field) bool { return f.Secret }) {
					t.Error("an api_key provider needs a secret field")
				}
				if p.TestRequest != nil {
					count["api_key with test"]++
					assertTestRequest(t, p)
				}
			case p.Kind == KindBasic && !p.Generic:
				if len(p.Credentials) != 2 || p.Credentials[0].Name != "username" || p.Credentials[1].Name != "password" {
					t.Error("a basic provider's fields are username and password")
				}
				if p.TestRequest != nil {
					count["basic with test"]++
					assertTestRequest(t, p)
				}
			case p.Generic:
				count["generic "+string(p.Kind)]++
			}
		})
	}
	for what, min := range map[string]int{
		"oauth2": 25, "api_key with test": 3, "basic with test": 1,
		"generic oauth2": 1, "generic api_key": 1, "generic basic": 1,
	} {
		if count[what] < min {
			t.Errorf("catalogue has %d %s providers, want at least %d", count[what], what, min)
		}
	}
}

// assertOAuth2Entry checks an OAuth2 provider's endpoints and settings.
func assertOAuth2Entry(t *testing.T, p *Provider) {
	t.Helper()
	if p.ScopeSeparator != " " && p.ScopeSeparator != "," {
		t.Errorf("scope separator %q", p.ScopeSeparator)
	}
	if !slices.Contains([]RefreshTokens{RefreshNone, RefreshReusable, RefreshRotating}, p.RefreshTokens) ||
		!slices.Contains([]TokenAuthMethod{ClientSecretBasic, ClientSecretPost}, p.TokenAuthMethod) {
		t.Errorf("refresh_tokens %q / token_auth_method %q", p.RefreshTokens, p.TokenAuthMethod)
	}
	for _, tmpl := range []string{p.AuthorizationEndpoint, p.TokenEndpoint, p.RevocationEndpoint} {
		for _, name := range placeholders(tmpl) {
			if indexField(p.ConnectionConfig, name) < 0 {
				t.Errorf("%s: {%s} is not a declared connection_config field", tmpl, name)
			}
		}
	}
	cfg := sampleConfig(t, p)
	for what, resolve := range map[string]func(map[string]string) (string, error){
		"authorization_url": p.AuthURL, "token_url": p.TokenURL, "revocation_url": p.RevocationURL,
	} {
		u, err := resolve(cfg)
		if err != nil {
			t.Errorf("%s with %v: %v", what, cfg, err)
		} else if u != "" || what != "revocation_url" {
			assertProviderURL(t, what, u)
		}
	}
}

// assertTestRequest builds p's test request from sample values and checks it.
func assertTestRequest(t *testing.T, p *Provider) {
	t.Helper()
	values := sampleConfig(t, p)
	for _, f := range p.Credentials {
		values[f.Name] = sampleCredential(f)
	}
	req, err := p.NewTestRequest(context.Background(), values)
	if err != nil {
		t.Fatalf("NewTestRequest: %v", err)
	}
	assertProviderURL(t, "test request URL", req.URL.String())
	if len(p.TestRequest.ExpectStatus) == 0 || !p.TestRequest.Accepts(p.TestRequest.ExpectStatus[0]) {
		t.Error("test request needs an expected status")
	}
}

// sampleCredential returns a value of f that matches its pattern: one of a
// few made by hand, or the pattern's literal prefix followed by a run of
// "a" (a letter and a hex digit) of some length.
func sampleCredential(f *Field) string {
	candidates := []string{
		"sk-ant-api03-" + strings.Repeat("a", 40), "sk-proj-" + strings.Repeat("b", 40),
		"SG." + strings.Repeat("c", 22) + "." + strings.Repeat("d", 43), "rk_test_" + strings.Repeat("e", 24),
		"AC" + strings.Repeat("0", 32), strings.Repeat("f", 32), strings.Repeat("A1", 32),
		"key-" + strings.Repeat("9", 32), "someone@example.com", "secret value",
		"ghp_" + strings.Repeat("a", 36), "pat" + strings.Repeat("a", 14) + "." + strings.Repeat("a", 64),
		"pat-na1-" + strings.Repeat("a", 36), "shippo_live_" + strings.Repeat("a", 40), "ntn_" + strings.Repeat("a", 40),
		"sk-or-v1-" + strings.Repeat("a", 64), "123-abc-456", "EZAK" + strings.Repeat("a", 30),
		strings.Repeat("a", 32) + "-us21", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", strings.Repeat("A", 20),
	}
	prefix := strings.TrimPrefix(f.Pattern, "^")
	if i := strings.IndexAny(prefix, `[(\.{$`); i >= 0 {
		prefix = prefix[:i]
	}
	for n := 1; n <= 300; n++ {
		candidates = append(candidates, prefix+strings.Repeat("a", n))
	}
	for _, v := range candidates {
		if f.problem(v) == "" {
			return v
		}
	}
	return "unmatched"
}

// assertSVGLogo checks that logo is the path of a monogram that
// MonogramSVG draws: well-formed XML whose root is <svg> in the SVG
// namespace, without scripts or links.
func assertSVGLogo(t *testing.T, logo string) {
	t.Helper()
	file, ok := strings.CutPrefix(logo, LogoPathPrefix)
	if !ok {
		t.Fatalf("logo %q is not under %s", logo, LogoPathPrefix)
	}
	file, err := url.PathUnescape(file)
	if err != nil {
		t.Fatal(err)
	}
	svg, ok := MonogramSVG(file)
	if !ok {
		t.Fatalf("logo %q is not a monogram Oriel serves", logo)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var root *xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("logo is not well-formed XML: %v\n%s", err, svg)
		}
		if el, ok := tok.(xml.StartElement); ok {
			if root == nil {
				root = &el
			}
			if el.Name.Local == "script" || el.Name.Local == "foreignObject" {
				t.Errorf("logo holds <%s>", el.Name.Local)
			}
			for _, a := range el.Attr {
				if strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "href" {
					t.Errorf("logo has attribute %s", a.Name.Local)
				}
			}
		}
	}
	if root == nil || root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("logo root is %v, want svg in the SVG namespace", root)
	}
}

func TestMonogramLogos(t *testing.T) {
	for name, want := range map[string]string{
		"Acme CRM": "AC", "salesforce": "S", "Über Eats": "ÜE", "  42 things": "4T", "—": "?", "<script>": "S",
	} {
		if got := Monogram(name); got != want {
			t.Errorf("Monogram(%q) = %q, want %q", name, got, want)
		}
		path := MonogramPath(Monogram(name), "#112233")
		assertSVGLogo(t, path)
		if strings.ContainsAny(strings.TrimPrefix(path, LogoPathPrefix), "/?#<>\"") {
			t.Errorf("MonogramPath(%q) = %q holds URL or markup syntax", name, path)
		}
	}
	for _, file := range []string{
		"m1-A-11223.svg", "m1-a-112233.svg", "m1-ABC-112233.svg", "m1--112233.svg", "m0-A-112233.svg",
		"m1-A-112233.png", "m1-<-112233.svg", "m1-A-112233.svg/x", "m1-&-112233.svg", "m1-A-ffffff.svg",
	} {
		if _, ok := MonogramSVG(file); ok {
			t.Errorf("MonogramSVG(%q) drew a logo", file)
		}
	}
	dark, _ := MonogramSVG("m1-A-FFE01B.svg")
	light, _ := MonogramSVG("m1-A-1F2328.svg")
	if !bytes.Contains(dark, []byte(`fill="#1F2328"`)) || !bytes.Contains(light, []byte(`fill="#FFFFFF"`)) {
		t.Error("letters do not contrast with the background")
	}
}

func TestCatalogueKnownProviderFacts(t *testing.T) {
	for _, c := range []struct {
		key    string
		params map[string]string
		pkce   bool
	}{
		{"google", map[string]string{"access_type": "offline", "prompt": "consent"}, true},
		{"atlassian", map[string]string{"audience": "api.atlassian.com", "prompt": "consent"}, false},
		{"notion", map[string]string{"owner": "user"}, false},
		{"dropbox", map[string]string{"token_access_type": "offline"}, true},
		{"airtable", nil, true},
	} {
		p, ok := LookupProvider(c.key)
		if !ok {
			t.Fatalf("%s missing", c.key)
		}
		if len(c.params) > 0 && !maps.Equal(p.AuthorizationParams, c.params) || p.PKCE != c.pkce {
			t.Errorf("%s: params %v pkce %v, want %v %v", c.key, p.AuthorizationParams, p.PKCE, c.params, c.pkce)
		}
	}
	if _, ok := LookupProvider("no-such-provider"); ok {
		t.Error("LookupProvider found a provider that does not exist")
	}
	ps := Catalogue()
	ps[0] = nil
	if Catalogue()[0] == nil {
		t.Error("Catalogue() returned its own slice; callers could reorder the catalogue")
	}
}

func TestTemplatedURLsResolve(t *testing.T) {
	for _, c := range []struct {
		key, field, value, want string
	}{
		{"zendesk", "subdomain", "acme", "https://acme.zendesk.com/oauth/authorizations/new"},
		{"shopify", "shop", "acme-store", "https://acme-store.myshopify.com/admin/oauth/authorize"},
		{"microsoft", "tenant", "", "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"},
		{"microsoft", "tenant", "contoso.onmicrosoft.com", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"},
		{"okta", "okta_domain", "acme.okta.com", "https://acme.okta.com/oauth2/v1/authorize"},
		{"salesforce", "environment", "test", "https://test.salesforce.com/services/oauth2/authorize"},
		{"docusign", "environment", "", "https://account.docusign.com/oauth/auth"},
	} {
		p, _ := LookupProvider(c.key)
		got, err := p.AuthURL(map[string]string{c.field: c.value})
		if err != nil || got != c.want {
			t.Errorf("%s AuthURL(%s=%q) = %q, %v; want %q", c.key, c.field, c.value, got, err, c.want)
		}
	}
	p, _ := LookupProvider("zendesk")
	if _, err := p.TokenURL(nil); oriel.ErrorCode(err) != CodeConfigInvalid {
		t.Errorf("zendesk TokenURL without subdomain: %v, want %s", err, CodeConfigInvalid)
	}
}

// TestTemplatedURLsRejectHostileConfig is catalogue case H17: connection
// config that would point a provider URL elsewhere is rejected, and the
// error does not repeat it. It covers every templated field: those of OAuth2
// endpoints, and those of api_key and basic test requests. A value with URL
// syntax in it is always rejected; one that is merely odd (an IP-like label)
// may pass only if the URL still has the provider's host.
func TestTemplatedURLsRejectHostileConfig(t *testing.T) {
	hostile := []string{
		"evil.test#", "evil.test/", "evil.test?", "127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "0x7f000001",
		"2130706433", "a.provider.com@evil.test", "acme@evil.test", "%2F", "acme%2Fevil", "acme%2e", "..", "acme/../evil",
		`acme\evil.test`, "acme:443", " acme", "acme\n", "acme\r\nHost: evil", "acme.evil.test.", "xn--80ak6aa92e.com#",
		"javascript:alert(1)", "//evil.test", "evil.test", "acme.okta.com.evil.test", "evil.test/acme.okta.com",
	}
	tested := 0
	for _, p := range Catalogue() {
		for tmpl, build := range urlBuilders(t, p) {
			for _, f := range p.FormFields() {
				if !slices.Contains(placeholders(tmpl), f.Name) {
					continue
				}
				for _, v := range hostile {
					tested++
					got, err := build(f.Name, v)
					if err == nil {
						assertKeepsProviderHost(t, p.Key, tmpl, got, v)
						continue
					}
					if code := oriel.ErrorCode(err); oriel.ErrorKind(err) != oriel.EUNPROCESSABLE ||
						code != CodeConfigInvalid && code != CodeFieldsInvalid {
						t.Errorf("%s %s with %s=%q: %v, want %s or %s", p.Key, tmpl, f.Name, v, err, CodeConfigInvalid, CodeFieldsInvalid)
					}
					if strings.Contains(err.Error(), strings.TrimSpace(v)) {
						t.Errorf("%s: error %q repeats the value", p.Key, err)
					}
				}
			}
		}
	}
	if tested < 100 {
		t.Fatalf("only %d hostile values were tried", tested)
	}
}

// assertKeepsProviderHost checks a URL built from tmpl with an odd value:
// the value had no URL syntax, did not make up the whole host, and the host
// is not an IP address and ends with the template's fixed part.
func assertKeepsProviderHost(t *testing.T, key, tmpl, got, value string) {
	t.Helper()
	if strings.ContainsAny(value, "#/?@%\\: \r\n[]") {
		t.Errorf("%s %s accepted %q, which holds URL syntax: %s", key, tmpl, value, got)
		return
	}
	u, err := url.Parse(got)
	templateHost, _, _ := strings.Cut(strings.TrimPrefix(tmpl, "https://"), "/")
	_, fixed, placeholderInHost := strings.Cut(templateHost, "}")
	if !placeholderInHost {
		fixed = templateHost
	}
	if placeholderInHost && fixed == "" {
		t.Errorf("%s %s accepted %q as the whole host: %s", key, tmpl, value, got)
		return
	}
	if err != nil || u.User != nil || u.Fragment != "" || !strings.HasSuffix(u.Hostname(), fixed) ||
		!placeholderInHost && u.Hostname() != fixed || net.ParseIP(u.Hostname()) != nil {
		t.Errorf("%s %s with %q gave %q, which leaves the provider's host %q", key, tmpl, value, got, templateHost)
	}
}

// urlBuilders returns, for each URL template of p, a function that builds
// the URL from valid sample values with one field set to a given value.
func urlBuilders(t *testing.T, p *Provider) map[string]func(field, value string) (string, error) {
	t.Helper()
	sample := func(field, value string) map[string]string {
		values := sampleConfig(t, p)
		for _, f := range p.Credentials {
			values[f.Name] = sampleCredential(f)
		}
		values[field] = value
		return values
	}
	builders := map[string]func(field, value string) (string, error){}
	if p.Kind == KindOAuth2 {
		for tmpl, resolve := range map[string]func(map[string]string) (string, error){
			p.AuthorizationEndpoint: p.AuthURL, p.TokenEndpoint: p.TokenURL, p.RevocationEndpoint: p.RevocationURL,
		} {
			builders[tmpl] = func(field, value string) (string, error) { return resolve(sample(field, value)) }
		}
	}
	if p.APIBase != "" {
		builders[p.APIBase] = func(field, value string) (string, error) { return p.BaseURL(sample(field, value)) }
	}
	if p.TestRequest != nil {
		builders[p.TestRequest.URL] = func(field, value string) (string, error) {
			req, err := p.NewTestRequest(context.Background(), sample(field, value))
			if err != nil {
				return "", err
			}
			return req.URL.String(), nil
		}
	}
	return builders
}

func TestParseCatalogueRejectsMalformedEntries(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"key": "acme", "display_name": "Acme", "kind": "oauth2", "category": "crm", "color": "#112233",
			"docs_url":          "https://docs.acme.example.com/oauth",
			"authorization_url": "https://{subdomain}.acme.com/oauth/authorize",
			"token_url":         "https://{subdomain}.acme.com/oauth/token",
			"scope_separator":   " ", "pkce": true, "refresh_tokens": "rotating", "token_auth_method": "client_secret_basic",
			"connection_config": []any{map[string]any{"name": "subdomain", "label": "Subdomain", "pattern": "^[a-z0-9-]+$"}},
			"api_base_url":      "https://{subdomain}.acme.com/api",
			"provenance":        map[string]any{"checked": "2026-12-04", "grant": "acme", "differences": map[string]any{"grant.token_url": "grant lists an older path."}},
		}
	}
	apiKey := func() map[string]any {
		return map[string]any{
			"key": "acme-key", "display_name": "Acme", "kind": "api_key", "category": "crm", "color": "#112233",
			"docs_url":    "https://docs.acme.example.com/keys",
			"credentials": []any{map[string]any{"name": "api_key", "label": "API key", "secret": true, "pattern": "^[a-z0-9]{20}$"}},
			"test_request": map[string]any{"method": "GET", "url": "https://api.acme.com/me",
				"headers": map[string]any{"authorization": "Bearer {api_key}"}, "expect_status": []any{200}},
			"api_base_url": "https://api.acme.com",
			"api_auth":     map[string]any{"in": "header", "name": "x-api-key", "value": "{api_key}"},
			"provenance":   map[string]any{"checked": "2026-12-04"},
		}
	}
	clientCredentials := func() map[string]any {
		return map[string]any{
			"key": "acme-cc", "display_name": "Acme", "kind": "oauth2_client_credentials", "category": "crm", "color": "#112233",
			"docs_url": "https://docs.acme.example.com/cc", "token_url": "https://auth.acme.com/token",
			"scope_separator": " ", "token_auth_method": "client_secret_basic",
			"credentials": []any{map[string]any{"name": "client_id", "label": "Client ID"},
				map[string]any{"name": "client_secret", "label": "Client secret", "secret": true}},
			"provenance": map[string]any{"checked": "2026-12-04"},
		}
	}
	if _, err := parseCatalogue(catalogueJSON(t, base(), apiKey(), clientCredentials())); err != nil {
		t.Fatalf("the valid base entries are rejected: %v", err)
	}
	for _, c := range []struct {
		name   string
		entry  func() map[string]any
		change func(map[string]any)
		want   string
	}{
		{"key with underscore", base, func(m map[string]any) { m["key"] = "acme_crm" }, "key must match"},
		{"unknown property", base, func(m map[string]any) { m["auth_url"] = "https://x.example.com" }, "unknown field"},
		{"http endpoint", base, func(m map[string]any) { m["token_url"] = "http://{subdomain}.acme.com/token" }, "https://"},
		{"user info", base, func(m map[string]any) { m["token_url"] = "https://user@{subdomain}.acme.com/token" }, "placeholder"},
		{"fragment", base, func(m map[string]any) { m["token_url"] = "https://{subdomain}.acme.com/token#x" }, "fragment"},
		{"query", base, func(m map[string]any) { m["token_url"] = "https://{subdomain}.acme.com/token?a=b" }, "query"},
		{"ip host", base, func(m map[string]any) { m["token_url"] = "https://127.0.0.1/token" }, "IP address"},
		{"undeclared placeholder", base, func(m map[string]any) { m["token_url"] = "https://{region}.acme.com/token" }, "not a declared field"},
		{"placeholder mid-host", base, func(m map[string]any) { m["token_url"] = "https://api-{subdomain}.acme.com/token" }, "whole leading labels"},
		{"field without pattern", base, func(m map[string]any) {
			m["connection_config"] = []any{map[string]any{"name": "subdomain", "label": "Subdomain"}}
		}, "pattern or options"},
		{"unanchored pattern", base, func(m map[string]any) {
			m["connection_config"] = []any{map[string]any{"name": "subdomain", "label": "Subdomain", "pattern": "[a-z]+"}}
		}, "anchored"},
		{"unused config field", base, func(m map[string]any) {
			m["authorization_url"], m["token_url"], m["api_base_url"] = "https://acme.com/authorize", "https://acme.com/token", "https://acme.com"
		}, "not used"},
		{"bad separator", base, func(m map[string]any) { m["scope_separator"] = "+" }, "scope_separator"},
		{"bad refresh", base, func(m map[string]any) { m["refresh_tokens"] = "sometimes" }, "refresh_tokens"},
		{"reserved param", base, func(m map[string]any) { m["authorization_params"] = map[string]any{"redirect_uri": "x"} }, "redirect_uri"},
		{"scope with space", base, func(m map[string]any) { m["default_scopes"] = []any{"read write"} }, "default_scopes"},
		{"logo given", base, func(m map[string]any) { m["logo"] = "data:image/svg+xml;base64,AA==" }, "logo is generated"},
		{"lower-case colour", base, func(m map[string]any) { m["color"] = "#abcdef" }, "color"},
		{"no secret credential", apiKey, func(m map[string]any) {
			m["credentials"] = []any{map[string]any{"name": "api_key", "label": "API key"}}
		}, "secret credential"},
		{"secret in test URL", apiKey, func(m map[string]any) {
			m["test_request"].(map[string]any)["url"] = "https://api.acme.com/{api_key}"
		}, "non-secret field"},
		{"undeclared header placeholder", apiKey, func(m map[string]any) {
			m["test_request"].(map[string]any)["headers"] = map[string]any{"authorization": "Bearer {token}"}
		}, "not a declared field"},
		{"no expected status", apiKey, func(m map[string]any) { m["test_request"].(map[string]any)["expect_status"] = []any{} }, "expect_status"},
		{"basic with other fields", apiKey, func(m map[string]any) { m["kind"] = "basic" }, "username"},
		{"oauth settings on api_key", apiKey, func(m map[string]any) { m["pkce"] = true }, "no OAuth2 settings"},
		{"api_key without test request", apiKey, func(m map[string]any) { delete(m, "test_request") }, "test_request"},
		{"key without pattern", apiKey, func(m map[string]any) {
			m["credentials"] = []any{map[string]any{"name": "api_key", "label": "API key", "secret": true}}
		}, "needs a pattern"},
		{"no provenance", base, func(m map[string]any) { delete(m, "provenance") }, "provenance is required"},
		{"undated provenance", base, func(m map[string]any) { m["provenance"] = map[string]any{"checked": "yesterday"} }, "checked"},
		{"unknown difference", base, func(m map[string]any) {
			m["provenance"].(map[string]any)["differences"] = map[string]any{"grant.pkce": "grant says something else."}
		}, "is not one of"},
		{"difference from an uncited source", base, func(m map[string]any) {
			m["provenance"].(map[string]any)["differences"] = map[string]any{"x_oauth2.token_url": "x/oauth2 lists another URL."}
		}, "does not cite"},
		{"unexplained difference", base, func(m map[string]any) {
			m["provenance"].(map[string]any)["differences"] = map[string]any{"grant.token_url": "old"}
		}, "explanation"},
		{"cross-check on api_key", apiKey, func(m map[string]any) { m["provenance"] = map[string]any{"checked": "2026-12-04", "grant": "acme"} }, "authorization-code"},
		{"api base with query", base, func(m map[string]any) { m["api_base_url"] = "https://{subdomain}.acme.com/api?x=1" }, "api_base_url"},
		{"api base with trailing slash", base, func(m map[string]any) { m["api_base_url"] = "https://api.acme.com/" }, "api_base_url"},
		{"api base on an IP address", base, func(m map[string]any) { m["api_base_url"] = "https://169.254.169.254/api" }, "IP address"},
		{"api base placeholder mid-host", base, func(m map[string]any) { m["api_base_url"] = "https://api.{subdomain}.acme.com" }, "whole leading labels"},
		{"api_key base without auth", apiKey, func(m map[string]any) { delete(m, "api_auth") }, "how the key is sent"},
		{"auth placement unknown", apiKey, func(m map[string]any) { m["api_auth"] = map[string]any{"in": "cookie", "value": "{api_key}"} }, "bearer, header, basic or query"},
		{"auth without a secret", apiKey, func(m map[string]any) { m["api_auth"] = map[string]any{"in": "bearer", "value": "fixed"} }, "no secret"},
		{"auth with undeclared field", apiKey, func(m map[string]any) {
			m["api_auth"] = map[string]any{"in": "bearer", "value": "{api_key}", "headers": map[string]any{"x-user": "{user}"}}
		}, "not a declared field"},
		{"access token on api_key", apiKey, func(m map[string]any) { m["api_auth"] = map[string]any{"in": "bearer", "value": "{access_token}"} }, "not a declared field"},
		{"query auth with a bad name", apiKey, func(m map[string]any) {
			m["api_auth"] = map[string]any{"in": "query", "name": "Api Key", "value": "{api_key}"}
		}, "takes a name"},
		{"client credentials with authorization URL", clientCredentials, func(m map[string]any) { m["authorization_url"] = "https://auth.acme.com/authorize" }, "token_url and scopes only"},
		{"client credentials with other fields", clientCredentials, func(m map[string]any) {
			m["credentials"] = []any{map[string]any{"name": "key", "label": "Key", "secret": true}}
		}, "client_id"},
		{"client credentials without token URL", clientCredentials, func(m map[string]any) { delete(m, "token_url") }, "token_url is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.entry()
			c.change(m)
			_, err := parseCatalogue(catalogueJSON(t, m))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
	if _, err := parseCatalogue(catalogueJSON(t, base(), base())); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate keys: err = %v", err)
	}
}

// catalogueJSON encodes entries as a catalogue file.
func catalogueJSON(t *testing.T, entries ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"providers": entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateFields(t *testing.T) {
	openai, _ := LookupProvider("openai")
	mailgun, _ := LookupProvider("mailgun")
	secret := "sk-proj-" + strings.Repeat("x", 40)
	for _, c := range []struct {
		name   string
		p      *Provider
		values map[string]string
		want   map[string]string // field → substring of the message
	}{
		{"valid", openai, map[string]string{"api_key": secret}, nil},
		{"missing", openai, map[string]string{}, map[string]string{"api_key": "is required"}},
		{"wrong format", openai, map[string]string{"api_key": "pk-" + secret}, map[string]string{"api_key": "expected format"}},
		{"trailing space", openai, map[string]string{"api_key": secret + " "}, map[string]string{"api_key": "space"}},
		{"line break", openai, map[string]string{"api_key": secret + "\nX-Injected: 1"}, map[string]string{"api_key": "line break"}},
		{"too long", openai, map[string]string{"api_key": "sk-" + strings.Repeat("a", maxSecretLen)}, map[string]string{"api_key": "too long"}},
		{"unknown field", openai, map[string]string{"api_key": secret, "org": "x"}, map[string]string{"org": "not a field"}},
		{"default option", mailgun, map[string]string{"api_key": "key-" + strings.Repeat("1", 32)}, nil},
		{"bad option", mailgun, map[string]string{"api_key": "key-" + strings.Repeat("1", 32), "region": "asia"},
			map[string]string{"region": "Choose a Region: US, EU"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.p.ValidateFields(c.values)
			if len(got) != len(c.want) {
				t.Fatalf("ValidateFields = %v, want problems with %v", got, c.want)
			}
			for field, sub := range c.want {
				if !strings.Contains(got[field], sub) {
					t.Errorf("%s: %q, want it to mention %q", field, got[field], sub)
				}
				if v := c.values[field]; v != "" && strings.Contains(got[field], v) {
					t.Errorf("%s: message repeats the value", field)
				}
			}
		})
	}
}

func TestNewTestRequest(t *testing.T) {
	ctx := context.Background()
	build := func(key string, values map[string]string) (*Provider, string, string, string, string) {
		t.Helper()
		p, _ := LookupProvider(key)
		req, err := p.NewTestRequest(ctx, values)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		user, pass, _ := req.BasicAuth()
		return p, req.Method + " " + req.URL.String(), req.Header.Get("Authorization"), user, pass
	}
	openaiKey := "sk-proj-" + strings.Repeat("k", 40)
	if _, line, auth, _, _ := build("openai", map[string]string{"api_key": openaiKey}); line != "GET https://api.openai.com/v1/models" || auth != "Bearer "+openaiKey {
		t.Errorf("openai: %s, Authorization %q", line, auth)
	}
	mailgunKey := "key-" + strings.Repeat("1", 32)
	if _, line, _, user, pass := build("mailgun", map[string]string{"api_key": mailgunKey, "region": "api.eu"}); line != "GET https://api.eu.mailgun.net/v3/domains" || user != "api" || pass != mailgunKey {
		t.Errorf("mailgun: %s, basic %q:%q", line, user, pass)
	}
	trelloKey, trelloToken := strings.Repeat("a", 32), strings.Repeat("B", 64)
	if _, line, _, _, _ := build("trello", map[string]string{"api_key": trelloKey, "token": trelloToken}); line != "GET https://api.trello.com/1/members/me?key="+trelloKey+"&token="+trelloToken {
		t.Errorf("trello: %s", line)
	}
	sid, token := "AC"+strings.Repeat("0", 32), strings.Repeat("f", 32)
	if _, line, _, user, pass := build("twilio", map[string]string{"username": sid, "password": token}); line != "GET https://api.twilio.com/2010-04-01/Accounts/"+sid+".json" || user != sid || pass != token {
		t.Errorf("twilio: %s, basic %q:%q", line, user, pass)
	}
	if _, line, _, user, _ := build("jira-api-token", map[string]string{"subdomain": "acme", "username": "a@acme.example", "password": "t0ken"}); line != "GET https://acme.atlassian.net/rest/api/3/myself" || user != "a@acme.example" {
		t.Errorf("jira: %s, user %q", line, user)
	}

	jira, _ := LookupProvider("jira-api-token")
	_, err := jira.NewTestRequest(ctx, map[string]string{"subdomain": "evil.test#", "username": "a@b.example", "password": "p"})
	if oriel.ErrorCode(err) != CodeFieldsInvalid || !strings.Contains(err.Error(), "subdomain") || strings.Contains(err.Error(), "evil") {
		t.Errorf("jira with a hostile subdomain: %v", err)
	}
	generic, _ := LookupProvider("api-key")
	if req, err := generic.NewTestRequest(ctx, map[string]string{"api_key": "x"}); req != nil || err != nil {
		t.Errorf("generic api_key: %v, %v; want no test request", req, err)
	}
}

func TestOAuth2Config(t *testing.T) {
	client := OAuth2Client{ClientID: "cid", ClientSecret: "secret", RedirectURL: "https://oriel.example.com/oauth/callback"}
	google, _ := LookupProvider("google")
	cfg, err := google.OAuth2Config(client, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cfg.AuthCodeURL("st", append(google.AuthCodeOptions(), oauth2.S256ChallengeOption("v"))...))
	q := u.Query()
	if q.Get("access_type") != "offline" || q.Get("prompt") != "consent" || q.Get("scope") != "openid email" ||
		q.Get("code_challenge_method") != "S256" || cfg.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		t.Errorf("google auth URL %s, style %v", u, cfg.Endpoint.AuthStyle)
	}

	slack, _ := LookupProvider("slack")
	cfg, _ = slack.OAuth2Config(OAuth2Client{ClientID: "cid", Scopes: []string{"chat:write", "users:read"}}, nil)
	u, _ = url.Parse(cfg.AuthCodeURL("st"))
	if got := u.Query().Get("scope"); got != "chat:write,users:read" {
		t.Errorf("slack scope = %q, want comma-separated", got)
	}
	if _, err := slack.OAuth2Config(OAuth2Client{Scopes: []string{"chat:write,admin"}}, nil); oriel.ErrorCode(err) != CodeScopeInvalid {
		t.Errorf("scope holding the separator: %v", err)
	}

	zoom, _ := LookupProvider("zoom")
	if cfg, _ := zoom.OAuth2Config(client, nil); cfg.Endpoint.AuthStyle != oauth2.AuthStyleInHeader {
		t.Error("zoom should authenticate with client_secret_basic")
	}
	zendesk, _ := LookupProvider("zendesk")
	if _, err := zendesk.OAuth2Config(client, map[string]string{"subdomain": "a.provider.com@evil.test"}); oriel.ErrorCode(err) != CodeConfigInvalid {
		t.Errorf("zendesk with a hostile subdomain: %v", err)
	}
	openai, _ := LookupProvider("openai")
	if _, err := openai.OAuth2Config(client, nil); oriel.ErrorCode(err) != CodeNotOAuth2 {
		t.Errorf("OAuth2Config of an api_key provider: %v", err)
	}
}

func TestGenericOAuth2Endpoints(t *testing.T) {
	generic, _ := LookupProvider("oauth2")
	if _, err := generic.AuthURL(nil); oriel.ErrorCode(err) != CodeEndpointsMissing {
		t.Errorf("generic provider without endpoints: %v", err)
	}
	good := Endpoints{AuthorizationURL: "https://auth.acme.example.com/authorize?tenant=1", TokenURL: "https://auth.acme.example.com:8443/token"}
	p, err := generic.WithEndpoints(good, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.TokenURL(nil); got != good.TokenURL {
		t.Errorf("TokenURL = %q", got)
	}
	if got, err := p.RevocationURL(nil); got != "" || err != nil {
		t.Errorf("RevocationURL = %q, %v; want none", got, err)
	}
	if generic.TokenEndpoint != "" {
		t.Error("WithEndpoints changed the catalogue's provider")
	}

	loopback := Endpoints{AuthorizationURL: "http://127.0.0.1:8080/authorize", TokenURL: "http://localhost:8080/token"}
	if _, err := generic.WithEndpoints(loopback, true); err != nil {
		t.Errorf("loopback http in development: %v", err)
	}
	for _, bad := range []string{
		"http://auth.acme.example.com/token", "http://127.0.0.1:8080/token", "https://127.0.0.1/token", "https://10.0.0.5/token",
		"https://169.254.169.254/latest", "https://[::1]/token", "https://localhost/token", "https://intranet/token",
		"https://user:pw@auth.acme.example.com/token", "https://auth.acme.example.com/token#frag", "ftp://auth.acme.example.com/",
		"https://auth.acme.example.com@evil.test/", "//evil.test/token", "/token", "javascript:alert(1)", "https://{x}.acme.com/",
		"https://auth.acme.example.com/to ken", "",
	} {
		if _, err := generic.WithEndpoints(Endpoints{AuthorizationURL: good.AuthorizationURL, TokenURL: bad}, false); oriel.ErrorCode(err) != CodeEndpointInvalid {
			t.Errorf("token_url %q: %v, want %s", bad, err, CodeEndpointInvalid)
		}
	}
	google, _ := LookupProvider("google")
	if _, err := google.WithEndpoints(good, false); oriel.ErrorCode(err) != CodeEndpointInvalid {
		t.Errorf("WithEndpoints on a named provider: %v", err)
	}
}

func TestCheckIssuer(t *testing.T) {
	generic, _ := LookupProvider("oauth2")
	p, err := generic.WithEndpoints(Endpoints{
		AuthorizationURL: "https://as.example.com/authorize", TokenURL: "https://as.example.com/token", Issuer: "https://as.example.com",
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckIssuer("https://as.example.com"); err != nil {
		t.Errorf("matching iss: %v", err)
	}
	for _, iss := range []string{"", "https://evil.example.com", "https://as.example.com/"} {
		var e *oriel.Error
		if err := p.CheckIssuer(iss); !errors.As(err, &e) || e.Code != CodeIssuerMismatch || e.Kind != oriel.EINVALID {
			t.Errorf("iss %q: %v, want %s", iss, err, CodeIssuerMismatch)
		}
	}
	if err := generic.CheckIssuer("https://anything.example.com"); err != nil {
		t.Errorf("provider without a known issuer: %v", err)
	}
}
