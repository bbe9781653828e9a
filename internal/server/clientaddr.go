package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Client addresses. Oriel counts some failures per client address (refused
// direct links, failed client authentication) and logs the address of each
// request. Behind a reverse proxy or load balancer the peer is the proxy, so
// the client's address comes from the header the proxy sets, but only when
// the peer is one of the configured trusted proxies: anyone else could put
// any address in it.

// The headers a trusted proxy may report the client address in.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded"
)

// clientAddresses finds the address of the client that sent a request.
type clientAddresses struct {
	trusted []netip.Prefix // the proxies' networks; none → the peer is the client
	header  string         // HeaderXForwardedFor ("" too) or HeaderForwarded
}

// of returns the peer's address and the client's: the peer itself unless
// it is a trusted proxy; then the rightmost address in the header that is
// not a trusted proxy (the proxies each append the address they received
// from, so everything left of that one could be forged by the client). A
// hop that is not an IP address ("unknown", an obfuscated name, garbage)
// ends the walk at the trusted proxy that reported it. Both are invalid
// when RemoteAddr is not an address.
func (c clientAddresses) of(r *http.Request) (peer, client netip.Addr) {
	peer = parseHop(r.RemoteAddr)
	if !c.isTrusted(peer) {
		return peer, peer
	}
	client = peer
	hops := c.hops(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHop(hops[i])
		if !hop.IsValid() {
			break
		}
		client = hop
		if !c.isTrusted(hop) {
			break
		}
	}
	return peer, client
}

// isTrusted reports whether addr is in a trusted proxy's network.
func (c clientAddresses) isTrusted(addr netip.Addr) bool {
	if !addr.IsValid() {
		return false
	}
	for _, p := range c.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// hops lists the addresses the header names, client first, across all of
// its lines in order.
func (c clientAddresses) hops(h http.Header) []string {
	var hops []string
	if c.header == HeaderForwarded {
		for _, line := range h.Values(HeaderForwarded) {
			for element := range strings.SplitSeq(line, ",") {
				hops = append(hops, forwardedFor(element))
			}
		}
		return hops
	}
	for _, line := range h.Values(HeaderXForwardedFor) {
		for hop := range strings.SplitSeq(line, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// forwardedFor returns the for= value of one RFC 7239 forwarded-element
// ("for=192.0.2.60;proto=https;by=203.0.113.43"), unquoted, or "" when it
// has none.
func forwardedFor(element string) string {
	for pair := range strings.SplitSeq(element, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(name, "for") {
			return strings.Trim(value, `"`)
		}
	}
	return ""
}

// parseHop parses an address as proxies write it: "192.0.2.1",
// "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]" or "[2001:db8::1]:4711".
// IPv4-mapped IPv6 addresses are unmapped. It returns the zero Addr for
// anything else.
func parseHop(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// clientAddress is what per-address limits count by: the client's address
// (see clientAddresses.of), or its /64 network for IPv6, which one host
// usually holds whole; RemoteAddr as it is when it is not an address.
func clientAddress(r *http.Request) string {
	st := stateOf(r)
	if !st.client.IsValid() {
		return r.RemoteAddr
	}
	if st.client.Is6() {
		return netip.PrefixFrom(st.client, 64).Masked().String()
	}
	return st.client.String()
}
