package connect

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/orielhq/oriel"
)

// Error codes of the catalogue's rejections (all EUNPROCESSABLE).
const (
	// CodeConfigInvalid: a connection-config value is missing or would not
	// form a safe provider URL (catalogue H17).
	CodeConfigInvalid = "connection_config_invalid"
	// CodeFieldsInvalid: values entered for a provider's form fields are invalid.
	CodeFieldsInvalid = "fields_invalid"
	// CodeEndpointInvalid: a vendor-supplied OAuth2 endpoint URL is not acceptable.
	CodeEndpointInvalid = "endpoint_invalid"
	// CodeEndpointsMissing: the generic oauth2 provider was used without endpoints.
	CodeEndpointsMissing = "endpoints_missing"
	// CodeNotOAuth2: an OAuth2 operation was asked of an api_key or basic provider.
	CodeNotOAuth2 = "provider_not_oauth2"
	// CodeScopeInvalid: a scope is empty, repeated or holds a separator or
	// a character RFC 6749 forbids.
	CodeScopeInvalid = "scope_invalid"
)

// placeholderRE matches a {name} placeholder in a template.
var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// hostSafeRE is what an interpolated value may look like, whatever its
// field's pattern says: DNS-label characters and dots, so that it can never
// add a scheme, user info, port, path, query, fragment or percent-escape.
var hostSafeRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$`)

// placeholders returns the names of the placeholders in tmpl.
func placeholders(tmpl string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		names = append(names, m[1])
	}
	return names
}

// AuthURL returns the provider's authorization endpoint for a connection
// whose connection-config values are cfg.
func (p *Provider) AuthURL(cfg map[string]string) (string, error) {
	return p.endpoint(p.AuthorizationEndpoint, cfg)
}

// TokenURL returns the provider's token endpoint for a connection whose
// connection-config values are cfg.
func (p *Provider) TokenURL(cfg map[string]string) (string, error) {
	return p.endpoint(p.TokenEndpoint, cfg)
}

// RevocationURL returns the provider's revocation endpoint for a connection
// whose connection-config values are cfg, or "" when the provider has none.
func (p *Provider) RevocationURL(cfg map[string]string) (string, error) {
	if p.Kind == KindOAuth2 && p.RevocationEndpoint == "" {
		return "", nil
	}
	return p.endpoint(p.RevocationEndpoint, cfg)
}

// endpoint resolves one of p's OAuth2 endpoint templates.
func (p *Provider) endpoint(tmpl string, cfg map[string]string) (string, error) {
	switch {
	case p.Kind != KindOAuth2 && p.Kind != KindClientCredentials:
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeNotOAuth2, "%s does not use OAuth 2.0", p.DisplayName)
	case tmpl == "":
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeEndpointsMissing,
			"the %s integration needs its authorization and token URLs", p.DisplayName)
	}
	return p.resolve(tmpl, cfg)
}

// resolve fills the placeholders of a checked template with values, each
// validated against its field and the host-safe character set; the result
// is checked again as a whole. Templates without placeholders were checked
// when loaded (or by WithEndpoints) and are returned as they are.
func (p *Provider) resolve(tmpl string, values map[string]string) (string, error) {
	if !strings.Contains(tmpl, "{") {
		return tmpl, nil
	}
	var err error
	out := placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		f := p.field(m[1 : len(m)-1])
		v := f.value(values)
		msg := f.problem(v)
		if msg == "" && !hostSafe(v) {
			msg = f.Label + " may only hold letters, digits, dots, hyphens and underscores."
		}
		if msg != "" && err == nil {
			err = oriel.Errorf(oriel.EUNPROCESSABLE, CodeConfigInvalid, "%s", msg)
		}
		return v
	})
	if err != nil {
		return "", err
	}
	if checkStaticURL(out) != nil {
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeConfigInvalid,
			"the connection settings do not form a valid %s address", p.DisplayName)
	}
	return out, nil
}

// hostSafe reports whether v may be interpolated into a URL.
func hostSafe(v string) bool {
	return hostSafeRE.MatchString(v) && !strings.Contains(v, "..")
}

// checkTemplate checks a catalogue URL template: https, placeholders only
// for fields (among fields) that are non-secret and constrained by a
// pattern or options, a host placeholder only as whole leading labels (as in
// "{subdomain}.zendesk.com"), and with every placeholder filled in, a URL
// that checkStaticURL accepts.
func checkTemplate(tmpl string, fields []*Field) error {
	rest, ok := strings.CutPrefix(tmpl, "https://")
	if !ok {
		return errors.New("must start with https://")
	}
	if strings.Count(tmpl, "{") != strings.Count(tmpl, "}") || len(placeholders(tmpl)) != strings.Count(tmpl, "{") {
		return errors.New("has unbalanced or nested braces")
	}
	host, _, _ := strings.Cut(rest, "/")
	if n := strings.Count(host, "{"); n > 1 ||
		n == 1 && !(strings.HasPrefix(host, "{") && (strings.HasSuffix(host, "}") || strings.Contains(host, "}."))) {
		return errors.New("a host placeholder must stand for whole leading labels, as in {subdomain}.example.com")
	}
	for _, name := range placeholders(tmpl) {
		i := indexField(fields, name)
		if i < 0 {
			return fmt.Errorf("{%s} is not a declared field", name)
		}
		if f := fields[i]; f.Secret || (f.Pattern == "" && len(f.Options) == 0) {
			return fmt.Errorf("{%s} must name a non-secret field with a pattern or options", name)
		}
	}
	return checkStaticURL(placeholderRE.ReplaceAllString(tmpl, "placeholder.example"))
}

// indexField returns the index of the field with this name, or -1.
func indexField(fields []*Field, name string) int {
	for i, f := range fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// checkStaticURL checks a provider URL: absolute https with a DNS host name,
// no port, user info, query or fragment.
func checkStaticURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "https" || u.Opaque != "":
		return errors.New("must be an absolute https URL")
	case u.User != nil || strings.Contains(raw, "@"):
		return errors.New("must not contain user info")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must have neither query nor fragment")
	case u.Port() != "":
		return errors.New("must not name a port")
	case strings.Contains(raw, "%") || strings.Contains(raw, `\`):
		return errors.New("must not hold escapes or backslashes")
	}
	return checkDNSName(u.Hostname())
}

// checkDNSName accepts a lower-case, dotted DNS name that is not an IP address.
func checkDNSName(host string) error {
	if _, err := netip.ParseAddr(host); err == nil {
		return errors.New("must name a host, not an IP address")
	}
	if !strings.Contains(host, ".") || !dnsNameRE.MatchString(host) {
		return errors.New("must name a public host such as api.example.com")
	}
	return nil
}

// dnsNameRE is a lower-case DNS name whose last label is alphabetic.
var dnsNameRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
