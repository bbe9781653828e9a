// Package origin normalises web origins (RFC 6454) the way browsers serialise
// them, so that an origin a vendor configures and one a browser or token
// presents compare equal as plain strings.
package origin

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/orielhq/oriel"
)

// Code is the error code of every rejection by Normalize.
const Code = "origin_invalid"

// maxLen bounds an origin: a 253-character host, a scheme and a port fit well within it.
const maxLen = 300

// Normalize returns s as "scheme://host[:port]": scheme http or https, host in
// lower case (IPv6 in brackets, canonical form), the scheme's default port
// dropped. Anything else a URL may hold (path, even a lone "/", query,
// fragment, user info), wildcards, spaces, ";" and non-ASCII hosts are
// rejected with an EUNPROCESSABLE *oriel.Error whose message says what is
// wrong without repeating s, so callers may use it on untrusted input.
func Normalize(s string) (string, error) {
	if s == "" {
		return "", invalid("is empty; expected scheme://host[:port]")
	}
	if len(s) > maxLen {
		return "", invalid("is longer than %d characters", maxLen)
	}
	for _, c := range s {
		switch {
		case c <= ' ' || c == 0x7f:
			return "", invalid("contains a space or control character")
		case c > 0x7e:
			return "", invalid("contains a non-ASCII character; write an internationalised host name in its punycode (xn--) form")
		case c == '*':
			return "", invalid("contains a wildcard; list every origin explicitly")
		case strings.ContainsRune(`;,\"'<>`, c):
			return "", invalid("contains %q; expected a single scheme://host[:port]", c)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", invalid("is not a valid URL; expected scheme://host[:port]")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", invalid("must start with https:// or http://")
	}
	switch {
	case u.Opaque != "" || u.Host == "":
		return "", invalid("has no host; expected scheme://host[:port]")
	case u.User != nil:
		return "", invalid("contains user info (@); an origin is scheme://host[:port]")
	case u.Path != "" || u.RawPath != "":
		return "", invalid("has a path (remove everything from the first / after the host, a trailing / included)")
	case u.RawQuery != "" || u.ForceQuery:
		return "", invalid("has a query (?); an origin is scheme://host[:port]")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", invalid("has a fragment (#); an origin is scheme://host[:port]")
	}
	host, err := normalizeHost(u.Hostname(), strings.HasPrefix(u.Host, "["))
	if err != nil {
		return "", err
	}
	port, err := normalizePort(scheme, u.Host, u.Port())
	if err != nil {
		return "", err
	}
	return scheme + "://" + host + port, nil
}

// normalizeHost lower-cases a DNS name or IPv4 address and writes an IPv6
// address in canonical, bracketed form.
func normalizeHost(host string, bracketed bool) (string, error) {
	if bracketed {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", invalid("has an invalid IPv6 address")
		}
		return "[" + addr.String() + "]", nil
	}
	host = strings.ToLower(host)
	if len(host) > 253 {
		return "", invalid("has a host name longer than 253 characters")
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 {
			return "", invalid("has an empty or over-long label in its host name (a trailing dot is not allowed)")
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", invalid("has a host name with %q; use letters, digits, '-' and '.'", c)
			}
		}
	}
	return host, nil
}

// normalizePort returns ":port", or "" for no port or the scheme's default one.
func normalizePort(scheme, hostport, port string) (string, error) {
	if port == "" {
		if strings.HasSuffix(hostport, ":") {
			return "", invalid("has an empty port after ':'")
		}
		return "", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", invalid("has an invalid port; use a number from 1 to 65535")
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		return "", nil
	}
	return ":" + strconv.Itoa(n), nil
}

func invalid(format string, args ...any) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, Code, format, args...)
}
