package directlink

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Kind is one of the kinds of direct link.
type Kind string

// The kinds of direct link.
const (
	// KindConnection opens one connection widget in an iframe:
	// /direct_link/embedded/connections/{id}. Asset is the connection id.
	KindConnection Kind = "connection"
	// KindApp opens the customer's whole workspace in an iframe ("Fully
	// Embedded"): /direct_link/embedded/app?dl_path=…. Asset is the path.
	KindApp Kind = "app"
	// KindSSO signs the customer in at the top level ("White-label SSO"):
	// /direct_link/sso?dl_path=…. Asset is the path to land on.
	KindSSO Kind = "sso"
	// KindEmployeeDashboard opens the employee dashboard in an iframe:
	// /direct_link/embedded/employee-dashboard. It has no asset, and the
	// link must name a user (an employee): a customer-level link is refused
	// with user_binding_required.
	KindEmployeeDashboard Kind = "employee-dashboard"
)

// Link says what a direct link opens and for whom.
type Link struct {
	Kind Kind `json:"kind"`
	// Asset is the connection id for KindConnection, for KindApp and
	// KindSSO a path on the Oriel host such as "/connections", and empty
	// for KindEmployeeDashboard.
	Asset string `json:"asset"`
	// Customer is an Oriel customer id or "E" + the vendor's external id.
	Customer string `json:"customer,omitempty"`
	// User is an Oriel user id or "E" + external id; empty for a
	// customer-level session, which acts as admin.
	User string `json:"user,omitempty"`
	// Origin is the origin of the page that frames the widget, needed when
	// more than one origin is allowed; empty to let Oriel use the only one.
	Origin string `json:"origin,omitempty"`
}

// URL signs a token for l and returns the direct-link URL under baseURL,
// the Oriel deployment's public URL (see Regions).
func (s *Signer) URL(baseURL string, l Link) (string, error) {
	prefix, err := urlPrefix(baseURL, l.Kind, l.Asset)
	if err == nil && l.Kind == KindEmployeeDashboard && l.User == "" {
		err = errors.New("directlink: an employee-dashboard link acts for one employee: give its user")
	}
	if err != nil {
		return "", err // refuse before signing
	}
	token, err := s.Token(l.Customer, l.User, l.Origin)
	if err != nil {
		return "", err
	}
	return prefix + url.QueryEscape(token), nil
}

// BuildURL returns the URL of a direct link of kind to asset carrying token,
// for tokens signed elsewhere (for example with a key held in a KMS).
func BuildURL(baseURL string, kind Kind, asset, token string) (string, error) {
	prefix, err := urlPrefix(baseURL, kind, asset)
	if err != nil {
		return "", err
	}
	return prefix + url.QueryEscape(token), nil
}

// urlPrefix returns the URL of a direct link up to the value of dl_token.
func urlPrefix(baseURL string, kind Kind, asset string) (string, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return "", fmt.Errorf("directlink: %w", err)
	}
	switch kind {
	case KindConnection:
		if err := CheckConnectionID(asset); err != nil {
			return "", err
		}
		return base + "/direct_link/embedded/connections/" + asset + "?dl_token=", nil
	case KindApp, KindSSO:
		if err := checkPath(asset); err != nil {
			return "", err
		}
		endpoint := "/direct_link/embedded/app"
		if kind == KindSSO {
			endpoint = "/direct_link/sso"
		}
		return base + endpoint + "?dl_path=" + url.QueryEscape(asset) + "&dl_token=", nil
	case KindEmployeeDashboard:
		if asset != "" {
			return "", errors.New("directlink: an employee-dashboard link has no asset")
		}
		return base + "/direct_link/embedded/employee-dashboard?dl_token=", nil
	default:
		return "", fmt.Errorf("directlink: unknown link kind %q; use %q, %q, %q or %q", kind, KindConnection, KindApp, KindSSO, KindEmployeeDashboard)
	}
}

var errBaseURL = errors.New("the base URL must be an absolute http or https URL without query or fragment, such as https://oriel.example.com")

// checkBaseURL accepts an absolute http(s) URL, possibly with a path prefix,
// and returns it without a trailing slash.
func checkBaseURL(raw string) (string, error) {
	u, ok := parseHTTPURL(raw)
	if !ok {
		return "", errBaseURL
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// checkOrigin refuses what is plainly not an origin (scheme://host[:port]);
// Oriel normalises the claim and applies its exact rules.
func checkOrigin(raw string) error {
	if u, ok := parseHTTPURL(raw); !ok || u.Path != "" || strings.ContainsAny(raw, "* ;,") {
		return errors.New("directlink: origin must be scheme://host[:port] with scheme http or https and nothing after the host, not even a '/'")
	}
	return nil
}

// parseHTTPURL parses an absolute http or https URL with a host and without
// user info, query or fragment.
func parseHTTPURL(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	ok := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && u.Opaque == ""
	return u, ok
}

// CheckConnectionID accepts a connection id: 1–128 characters of
// A–Z a–z 0–9 _ -. Oriel's server applies the same rule.
func CheckConnectionID(id string) error {
	ok := id != "" && len(id) <= 128
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		return errors.New("directlink: a connection id is 1–128 characters of A–Z a–z 0–9 _ -")
	}
	return nil
}

// checkPath accepts a path on the Oriel host: it starts with one '/',
// holds no backslash, space or control character and is at most 1024 bytes.
// Oriel checks it again and never redirects off its own host.
func checkPath(p string) error {
	ok := strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && len(p) <= 1024
	for i := 0; ok && i < len(p); i++ {
		ok = p[i] > ' ' && p[i] != 0x7f && p[i] != '\\'
	}
	if !ok {
		return errors.New("directlink: the path must be a path on the Oriel host such as /connections: one leading '/', no backslash, space or control character, at most 1024 bytes")
	}
	return nil
}

// Regions maps region names to the public base URL of the Oriel deployment
// serving each. The hosted regions are named us, eu, sg, jp and au; a
// self-hosted deployment configures the URLs of its own and may add others.
type Regions map[string]string

// BaseURL returns the checked base URL of region.
func (r Regions) BaseURL(region string) (string, error) {
	raw, ok := r[region]
	if !ok {
		names := make([]string, 0, len(r))
		for name := range r {
			names = append(names, name)
		}
		slices.Sort(names)
		if len(names) == 0 {
			return "", fmt.Errorf("directlink: no regions are configured, so region %q has no base URL", region)
		}
		return "", fmt.Errorf("directlink: region %q is not configured; configured regions: %s", region, strings.Join(names, ", "))
	}
	base, err := checkBaseURL(raw)
	if err != nil {
		return "", fmt.Errorf("directlink: region %q: %w", region, err)
	}
	return base, nil
}

// ParseRegions reads regions written as "us=https://us.oriel.example,eu=https://eu.oriel.example".
func ParseRegions(s string) (Regions, error) {
	r := Regions{}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, base, ok := strings.Cut(entry, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, errors.New("directlink: regions are written name=URL,name=URL (for example us=https://us.oriel.example)")
		}
		if _, dup := r[name]; dup {
			return nil, fmt.Errorf("directlink: region %q is configured twice", name)
		}
		if _, err := checkBaseURL(strings.TrimSpace(base)); err != nil {
			return nil, fmt.Errorf("directlink: region %q: %w", name, err)
		}
		r[name] = strings.TrimSpace(base)
	}
	return r, nil
}
