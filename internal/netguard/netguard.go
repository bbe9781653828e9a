// Package netguard decides which network destinations Oriel may send a
// request to on a vendor's behalf (webhook deliveries, provider API calls),
// so that a URL an API-key holder chooses cannot reach the machine Oriel runs
// on, its private network or a cloud metadata service (server-side request
// forgery).
//
// The check that counts is made on the resolved address at connect time
// (Policy.DialContext), so DNS rebinding cannot get around it; CheckURL
// refuses at registration the URLs whose host is already a literal address.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrDestinationNotAllowed is the error of a request to an address the
// policy refuses. Its text is the stable code shown to vendors; the address
// itself is never part of it.
var ErrDestinationNotAllowed = errors.New("destination_not_allowed")

// Resolver looks up the addresses of a host; *net.Resolver is one. Tests
// inject their own, so that no traffic leaves loopback.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Policy says which destinations may be dialled. The zero value refuses
// every non-public address and resolves with net.DefaultResolver.
type Policy struct {
	// AllowPrivate lets requests reach loopback, private and link-local
	// addresses too: for self-hosters whose receivers live on their own
	// network, and for the demo and --dev.
	AllowPrivate bool
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// Dialer makes the connection to an allowed address; nil means a
	// net.Dialer with a 5-second timeout.
	Dialer interface {
		DialContext(ctx context.Context, network, address string) (net.Conn, error)
	}
}

// blockedPrefixes are the ranges refused unless AllowPrivate is set.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",          // "this network", including the unspecified address
		"10.0.0.0/8",         // RFC 1918
		"100.64.0.0/10",      // carrier-grade NAT (RFC 6598)
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, including cloud metadata 169.254.169.254
		"172.16.0.0/12",      // RFC 1918
		"192.0.0.0/24",       // IETF protocol assignments
		"192.168.0.0/16",     // RFC 1918
		"198.18.0.0/15",      // benchmarking
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved, including broadcast
		"::/128",             // unspecified
		"::1/128",            // loopback
		"fc00::/7",           // unique local
		"fe80::/10",          // link-local
		"fec0::/10",          // deprecated site-local
		"ff00::/8",           // multicast
		"2001:db8::/32",      // documentation
		"100::/64",           // discard-only
		"2002::/16",          // 6to4, which embeds an IPv4 address
		"2001::/32",          // Teredo, which embeds an IPv4 address
		"::ffff:0:0:0/96",    // IPv4-translated
		"0000::/96",          // IPv4-compatible (deprecated)
		"198.51.100.0/24",    // documentation
		"203.0.113.0/24",     // documentation
		"192.0.2.0/24",       // documentation
		"255.255.255.255/32", // broadcast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Allowed reports whether a request may go to addr under a policy that does
// not allow private addresses. IPv4-mapped and NAT64 forms are judged by the
// IPv4 address they carry.
func Allowed(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		return Allowed(addr.Unmap())
	}
	if addr.Is6() && netip.MustParsePrefix("64:ff9b::/96").Contains(addr) {
		b := addr.As16()
		return Allowed(netip.AddrFrom4([4]byte(b[12:16])))
	}
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// allows reports whether the policy lets a request go to addr.
func (p Policy) allows(addr netip.Addr) bool {
	return p.AllowPrivate || Allowed(addr)
}

// blockedNames are host names that lead to metadata services whatever they
// resolve to.
var blockedNames = []string{"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}

// CheckURL refuses, before anything is stored, a URL whose host is a
// literal address the policy would never dial: dotted, decimal, hex or octal
// IPv4 forms, bracketed IPv6, "localhost" and metadata names. Names that
// need resolving pass here and are checked again at connect time.
func (p Policy) CheckURL(u *url.URL) error {
	if p.AllowPrivate {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return ErrDestinationNotAllowed
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ErrDestinationNotAllowed
	}
	for _, n := range blockedNames {
		if host == n {
			return ErrDestinationNotAllowed
		}
	}
	if addr, ok := ParseHostAddr(host); ok && !p.allows(addr) {
		return ErrDestinationNotAllowed
	}
	return nil
}

// ParseHostAddr parses host as an IP address in any form a resolver might
// accept: IPv6 (with or without a zone), dotted-quad IPv4, and the inet_aton
// forms with fewer parts or decimal, hex (0x) and octal (leading 0) numbers
// such as "2852039166", "0xA9FEA9FE", "0" or "127.1".
func ParseHostAddr(host string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, part := range parts {
		n, ok := parseAtonPart(part)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	// The last part fills the remaining bytes; each earlier part is one byte.
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 0xff {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseAtonPart parses one inet_aton number: 0x… hex, 0… octal, or decimal.
func parseAtonPart(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	n, err := strconv.ParseUint(s, base, 32)
	return n, err == nil
}

// DialContext resolves address, refuses it with ErrDestinationNotAllowed
// unless every resolved address is allowed, and dials the first one that
// answers. It is the DialContext of the transports that reach vendor-chosen
// URLs. Because the check is made on the addresses actually dialled, a name
// that resolves differently at delivery time than at registration (DNS
// rebinding) is still refused.
func (p Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var addrs []netip.Addr
	if a, ok := ParseHostAddr(host); ok {
		addrs = []netip.Addr{a}
	} else {
		r := p.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		lookup := "ip"
		switch network {
		case "tcp4":
			lookup = "ip4"
		case "tcp6":
			lookup = "ip6"
		}
		if addrs, err = r.LookupNetIP(ctx, lookup, host); err != nil {
			return nil, err
		}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	for _, a := range addrs {
		if !p.allows(a) {
			return nil, fmt.Errorf("%w", ErrDestinationNotAllowed)
		}
	}
	d := p.Dialer
	if d == nil {
		d = &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	}
	var firstErr error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
