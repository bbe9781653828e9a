package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
)

// access says who may call a route, and so which middleware guards it.
type access int

const (
	// public routes answer anyone.
	public access = iota
	// vendorAPI routes need a vendor API key (Authorization: Bearer sk_…); they
	// are rate limited per key (Config.APIRate), and their POSTs honour
	// Idempotency-Key.
	vendorAPI
	// oauthClient routes are the OAuth token endpoints (oauthclient.go): a
	// vendor API key authenticates them as for vendorAPI, with a rate limit
	// per key of their own (Config.TokenRate), but they answer errors in
	// RFC 6749's shape.
	oauthClient
	// widgetRead routes need a widget session or a bound access token
	// (widgetauth.go, widgettoken.go) and serve only its customer's data.
	widgetRead
	// widgetManage routes are widgetRead routes that change a connection:
	// a viewer's session is refused (403 role_forbidden).
	widgetManage
	// widgetEmployee routes are the employee dashboard's: they need a
	// session or token bound to a user (403 user_binding_required
	// otherwise) and serve that employee's own data; their POSTs honour
	// Idempotency-Key, scoped to the employee.
	widgetEmployee
	// vendorProxy routes are vendorAPI routes whose bodies stream through
	// to a provider: no Idempotency-Key handling, which would buffer them.
	vendorProxy
)

// route is one entry of the routing table.
type route struct {
	method  string
	path    string // a ServeMux path pattern, which is also its OpenAPI path
	access  access
	handler handler
}

// routes lists every route the server answers: this table, the provider
// proxy's and the widget registry's (widgets.go). The OpenAPI test checks them against
// openapi.json in both directions.
func (s *Server) routes() []route {
	return append([]route{
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.serveMetrics},
		{"GET", "/openapi.json", public, s.serveOpenAPI},

		{"GET", "/v1/vendor", vendorAPI, s.getVendor},
		{"PATCH", "/v1/vendor", vendorAPI, s.updateVendor},

		{"POST", "/v1/customers", vendorAPI, s.createCustomer},
		{"GET", "/v1/customers", vendorAPI, list(s.listCustomers)},
		{"GET", "/v1/customers/{customer}", vendorAPI, s.getCustomer},
		{"PATCH", "/v1/customers/{customer}", vendorAPI, s.updateCustomer},
		{"DELETE", "/v1/customers/{customer}", vendorAPI, s.deleteCustomer},

		{"POST", "/v1/customers/{customer}/users", vendorAPI, s.createUser},
		{"GET", "/v1/customers/{customer}/users", vendorAPI, list(s.listUsers)},
		{"GET", "/v1/customers/{customer}/users/{user}", vendorAPI, s.getUser},
		{"PATCH", "/v1/customers/{customer}/users/{user}", vendorAPI, s.updateUser},
		{"DELETE", "/v1/customers/{customer}/users/{user}", vendorAPI, s.deleteUser},

		{"POST", "/v1/signing-keys", vendorAPI, s.createSigningKey},
		{"GET", "/v1/signing-keys", vendorAPI, list(s.listSigningKeys)},
		{"DELETE", "/v1/signing-keys/{id}", vendorAPI, s.deleteSigningKey},
		{"PUT", "/v1/signing-key", vendorAPI, s.replaceSigningKeys},
		{"POST", "/v1/direct-links/inspect", vendorAPI, s.inspectDirectLink},

		{"POST", "/v1/api-keys", vendorAPI, s.createAPIKey},
		{"GET", "/v1/api-keys", vendorAPI, list(s.listAPIKeys)},
		{"DELETE", "/v1/api-keys/{id}", vendorAPI, s.revokeAPIKey},

		{"POST", accessTokensPath, oauthClient, s.issueAccessToken},
		{"POST", "/v1/auth/access-tokens/revoke", oauthClient, s.revokeAccessToken},

		{"POST", "/v1/customers/{customer}/benefit-plans", vendorAPI, s.createPlan},
		{"GET", "/v1/customers/{customer}/benefit-plans", vendorAPI, list(s.listPlans)},
		{"GET", "/v1/customers/{customer}/benefit-plans/{id}", vendorAPI, s.getPlan},
		{"PATCH", "/v1/customers/{customer}/benefit-plans/{id}", vendorAPI, s.updatePlan},
		{"DELETE", "/v1/customers/{customer}/benefit-plans/{id}", vendorAPI, s.deletePlan},
		{"POST", "/v1/customers/{customer}/enrollment-windows", vendorAPI, s.createWindow},
		{"GET", "/v1/customers/{customer}/enrollment-windows", vendorAPI, list(s.listWindows)},
		{"GET", "/v1/customers/{customer}/enrollment-windows/{id}", vendorAPI, s.getWindow},
		{"DELETE", "/v1/customers/{customer}/enrollment-windows/{id}", vendorAPI, s.deleteWindow},
		{"GET", "/v1/customers/{customer}/users/{user}/dependents", vendorAPI, list(s.listUserDependents)},
		{"GET", "/v1/customers/{customer}/users/{user}/dependents/{id}", vendorAPI, s.getUserDependent},
		{"GET", "/v1/benefit-elections", vendorAPI, list(s.listElections)},
		{"GET", "/v1/benefit-elections/{id}", vendorAPI, s.getElection},
		{"POST", "/v1/benefit-elections/{id}/activate", vendorAPI, s.activateElection},
		{"POST", "/v1/benefit-elections/{id}/terminate", vendorAPI, s.terminateElection},
		{"GET", "/v1/customers/{customer}/life-event-rules", vendorAPI, s.listLifeEventRules},
		{"PUT", "/v1/customers/{customer}/life-event-rules", vendorAPI, s.putLifeEventRule},
		{"DELETE", "/v1/customers/{customer}/life-event-rules/{type}", vendorAPI, s.resetLifeEventRule},
		{"GET", "/v1/life-events", vendorAPI, list(s.listLifeEvents)},
		{"GET", "/v1/life-events/{id}", vendorAPI, s.getLifeEvent},
		{"POST", "/v1/life-events/{id}/approve", vendorAPI, s.approveLifeEvent},
		{"POST", "/v1/life-events/{id}/deny", vendorAPI, s.denyLifeEvent},
		{"GET", "/v1/life-events/{id}/documents/{document}", vendorAPI, s.vendorDocument},
		{"GET", "/v1/providers", vendorAPI, list(s.listProviders)},

		{"GET", "/v1/integrations", vendorAPI, list(s.listIntegrations)},
		{"PUT", "/v1/integrations/{key}", vendorAPI, s.putIntegration},
		{"GET", "/v1/integrations/{key}", vendorAPI, s.getIntegration},
		{"DELETE", "/v1/integrations/{key}", vendorAPI, s.deleteIntegration},
		{"PUT", "/v1/integrations/{key}/logo", vendorAPI, s.putIntegrationLogo},
		{"DELETE", "/v1/integrations/{key}/logo", vendorAPI, s.deleteIntegrationLogo},

		{"POST", "/v1/customers/{customer}/connections", vendorAPI, s.createConnection},
		{"GET", "/v1/customers/{customer}/connections", vendorAPI, list(s.listCustomerConnections)},
		{"GET", "/v1/connections", vendorAPI, list(s.listConnections)},
		{"GET", "/v1/connections/{id}", vendorAPI, s.getConnection},
		{"DELETE", "/v1/connections/{id}", vendorAPI, s.deleteConnection},
		{"GET", "/v1/connections/{id}/credentials", vendorAPI, s.getCredentials},

		{"POST", "/v1/webhook-endpoints", vendorAPI, s.createWebhookEndpoint},
		{"GET", "/v1/webhook-endpoints", vendorAPI, list(s.listWebhookEndpoints)},
		{"DELETE", "/v1/webhook-endpoints/{id}", vendorAPI, s.deleteWebhookEndpoint},
		{"GET", "/v1/webhook-events", vendorAPI, list(s.listWebhookEvents)},
		{"POST", "/v1/webhook-events/{id}/retry", vendorAPI, s.retryWebhookEvent},

		{"POST", "/v1/appointment-types", vendorAPI, s.createAppointmentType},
		{"GET", "/v1/appointment-types", vendorAPI, list(s.listAppointmentTypes)},
		{"GET", "/v1/appointment-types/{id}", vendorAPI, s.getAppointmentType},
		{"PATCH", "/v1/appointment-types/{id}", vendorAPI, s.updateAppointmentType},
		{"POST", "/v1/appointment-types/{id}/slots", vendorAPI, s.pushAppointmentSlots},
		{"GET", "/v1/appointment-types/{id}/slots", vendorAPI, s.listAppointmentSlots},
		{"DELETE", "/v1/appointment-types/{id}/slots/{slot}", vendorAPI, s.deleteAppointmentSlot},
		{"GET", "/v1/appointments", vendorAPI, list(s.listAppointments)},
		{"GET", "/v1/appointments/{id}", vendorAPI, s.getAppointment},
		{"POST", "/v1/appointments/{id}/cancel", vendorAPI, s.cancelAppointment},

		{"GET", "/v1/appearance", vendorAPI, s.getAppearance},
		{"PUT", "/v1/appearance", vendorAPI, s.putAppearance},

		{"GET", "/direct_link/embedded/app", public, getOnly(s.embeddedApp)},
		{"GET", "/direct_link/sso", public, getOnly(s.directLinkSSO)},
		{"GET", "/static/{file}", public, s.serveStatic},
		{"GET", "/logos/{file}", public, s.serveLogo},
		{"GET", "/sdk/{file}", public, s.serveSDK},

		{"GET", "/widget-api/viewer", widgetRead, s.widgetViewerOf},

		{"GET", "/oauth/start", public, getOnly(s.oauthStart)},
		{"GET", "/oauth/callback", public, getOnly(s.oauthCallback)},
	}, slices.Concat(s.proxyRoutes(), s.widgetRoutes())...)
}

// mount builds the router: every route behind its middleware, and a fallback
// that answers 405 (with Allow) for a known path and 404 for anything else,
// both as problem documents.
func (s *Server) mount() http.Handler {
	mux := http.NewServeMux()
	methods := map[string][]string{} // path pattern → its methods
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.serve(s.guard(rt)))
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	paths := http.NewServeMux() // the same paths without methods, to recognise a 405
	for path := range methods {
		paths.Handle(path, http.NotFoundHandler())
	}
	mux.Handle("/", s.serve(func(w http.ResponseWriter, r *http.Request) error {
		if _, path := paths.Handler(r); path != "" {
			w.Header().Set("Allow", allow(methods[path]))
			return oriel.Errorf(kindMethodNotAllowed, codeMethodNotAllowed, "this method is not allowed here; use %s", allow(methods[path]))
		}
		return oriel.Errorf(oriel.ENOTFOUND, codeRouteNotFound, "no such endpoint; see /openapi.json for the API")
	}))
	return s.refuseUncleanProxyPaths(mux)
}

// guard wraps a route's handler in the middleware its access needs.
func (s *Server) guard(rt route) handler {
	h := rt.handler
	switch rt.access {
	case vendorAPI:
		if rt.method == http.MethodPost {
			h = s.idempotent(h)
		}
		h = s.requireAPIKey(s.rateLimited(s.apiLimiter, h))
	case vendorProxy:
		h = s.requireAPIKey(s.rateLimited(s.apiLimiter, h))
	case oauthClient:
		var prebind func(*http.Request) *oriel.APIKey
		if rt.path == accessTokensPath {
			prebind = s.prebind
		}
		h = s.oauthClient(prebind, s.rateLimited(s.tokenLimiter, h))
	case widgetManage:
		h = s.requireSession(requireManager(h))
	case widgetRead:
		h = s.requireSession(h)
	case widgetEmployee:
		// A document upload streams its body: it is never buffered whole
		// for Idempotency-Key.
		if rt.method == http.MethodPost && rt.path != documentUploadPath {
			h = s.idempotent(h)
		}
		h = s.requireSession(requireEmployee(h))
	}
	return named(rt.path, h)
}

// allow lists methods for an Allow header; GET implies HEAD.
func allow(methods []string) string {
	list := slices.Clone(methods)
	if slices.Contains(list, http.MethodGet) {
		list = append(list, http.MethodHead)
	}
	slices.Sort(list)
	return strings.Join(slices.Compact(list), ", ")
}
