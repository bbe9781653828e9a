package server

import (
	"net/http"
	"strings"

	"github.com/orielhq/oriel/internal/proxy"
)

// The provider API proxy: /v1/connections/{id}/proxy/{path…} forwards the
// vendor's request to the connection's provider with its credentials on
// it (package proxy does the work).

// proxyPath is the proxy's route pattern; its OpenAPI path ends in {path}.
const proxyPath = "/v1/connections/{id}/proxy/{path...}"

// proxyMethods are the methods the proxy forwards; GET brings HEAD.
var proxyMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// proxyRoutes returns a route per proxied method.
func (s *Server) proxyRoutes() []route {
	var routes []route
	for _, m := range proxyMethods {
		routes = append(routes, route{m, proxyPath, vendorProxy, s.proxyRequest})
	}
	return routes
}

// proxyRequest forwards one request to the connection's provider.
func (s *Server) proxyRequest(w http.ResponseWriter, r *http.Request) error {
	path, _ := proxiedPath(r.URL.EscapedPath())
	return s.proxy.Forward(w, r, proxy.Request{
		VendorID: vendorOf(r), ConnectionID: r.PathValue("id"), Path: path, Body: stateOf(r).body,
	})
}

// proxiedPath returns the part of an escaped request path after
// /v1/connections/{id}/proxy/, and whether the path is a proxy path.
func proxiedPath(escaped string) (string, bool) {
	rest, ok := strings.CutPrefix(escaped, "/v1/connections/")
	if !ok {
		return "", false
	}
	_, rest, ok = strings.Cut(rest, "/")
	if !ok {
		return "", false
	}
	return strings.CutPrefix(rest, "proxy/")
}

// refuseUncleanProxyPaths answers 400 proxy_path_invalid to a proxy path
// with "." or ".." segments or "//", which the router would otherwise
// redirect to a cleaned path: such a path is refused, never rewritten.
func (s *Server) refuseUncleanProxyPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path, ok := proxiedPath(r.URL.EscapedPath()); ok {
			if _, err := proxy.Target(s.proxyBase, path, ""); err != nil {
				s.serve(named(proxyPath, func(http.ResponseWriter, *http.Request) error { return err })).ServeHTTP(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
