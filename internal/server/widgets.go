package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/web"
)

// The widget registry: every kind of widget Oriel serves, each one entry
// that the server mounts from (routes), and that a test checks the browser
// SDK's kinds, the React components and docs/protocol.md against
// (widgets_test.go). Adding a kind means one entry here, its page (a
// template and a script in web/) and its widget API.

// binding is the entity a widget's credential must be bound to.
type binding string

const (
	// customerBound widgets serve a customer's data: any session or token
	// of the customer, user-bound ones included, may open them.
	customerBound binding = "customer"
	// userBound widgets serve one user's own data (an employee's): a
	// customer-level session or token is refused with user_binding_required.
	userBound binding = "user"
)

// widgetKind is one kind of widget and everything the server mounts for it.
type widgetKind struct {
	// name is the kind as the SDK's `widget` option names it; its SDK-mode
	// page is /widgets/{name}, followed by /{param} when it has one.
	name string
	// component is the @oriel/react component that mounts it.
	component string
	// param names the path parameter of its pages ("" for none), and
	// check refuses a malformed value before anything else is done.
	param string
	check func(string) error
	// binding is the entity its credential must be bound to.
	binding binding
	// events are the host-page messages it sends besides those every widget
	// sends (ready, tokenAck, tokenExpired, authError, error, heightChange).
	events []string
	// sdkPage is its SDK-mode page, served with no credential.
	sdkPage func(f web.Frame, param string) web.Page
	// linkPath is its direct-link page's ServeMux pattern (with one
	// wildcard, its param, when it has one), "" for none; linkPage renders
	// it for the session a link opened, or refuses it (an *auth.Rejection
	// keeps the page framed).
	linkPath string
	linkPage func(s *Server, r *http.Request, sess *auth.Session, f web.Frame, param string) (web.Page, error)
	// linkConnection says that its param names a connection, which must be
	// the session's customer's: it is checked before the link's jti is
	// spent (auth.Link).
	linkConnection bool
	// section is its place in the workspace (Fully Embedded and SSO), nil
	// for none.
	section *web.Section
	// api lists its widget API routes: widgetRead or widgetManage for a
	// customer-bound kind, widgetEmployee (which checks the binding) for a
	// user-bound one.
	api []route
}

// sdkPath is the ServeMux pattern of k's SDK-mode page.
func (k widgetKind) sdkPath() string {
	if k.param == "" {
		return "/widgets/" + k.name
	}
	return "/widgets/" + k.name + "/{" + k.param + "}"
}

// widgetKinds is the registry.
func (s *Server) widgetKinds() []widgetKind {
	connectionPage := func(s *Server, r *http.Request, sess *auth.Session, f web.Frame, id string) (web.Page, error) {
		return web.ConnectionPage{Frame: f, Viewer: viewerOf(sess), ConnectionID: id}, nil
	}
	return []widgetKind{
		{
			name: "connections", component: "ConnectionsWidget", binding: customerBound,
			events:  []string{"connectionStatusChange"},
			sdkPage: func(f web.Frame, _ string) web.Page { return web.WidgetPage{Frame: f} },
			section: web.NewSection("connections", "/connections", "Connections", "connections.js"),
			api: []route{
				{"GET", "/widget-api/connections", widgetRead, list(s.widgetConnections)},
				{"GET", "/widget-api/integrations", widgetRead, list(s.widgetIntegrations)},
				{"GET", "/widget-api/connections/{id}", widgetRead, s.widgetConnection},
				{"POST", "/widget-api/connections/{id}/fields", widgetManage, s.widgetSubmitFields},
				{"POST", "/widget-api/connections/{id}/disconnect", widgetManage, s.widgetDisconnect},
				{"POST", "/widget-api/connections/{id}/oauth-start", widgetManage, s.widgetStartOAuth},
			},
		},
		{
			// The connection widget shows one connection of the connections
			// widget's API.
			name: "connection", component: "ConnectionWidget", binding: customerBound,
			param: "id", check: checkConnectionID,
			events:         []string{"connectionStatusChange"},
			sdkPage:        func(f web.Frame, id string) web.Page { return web.WidgetPage{Frame: f, ConnectionID: id} },
			linkPath:       "/direct_link/embedded/connections/{connection_id}",
			linkPage:       connectionPage,
			linkConnection: true,
		},
		{
			// The employee dashboard: an employee's own benefits.
			name: "employee-dashboard", component: "EmployeeViewWidget", binding: userBound,
			events:   []string{"enrollmentSubmitted", "lifeEventSubmitted", "appointmentBooked", "appointmentRescheduled", "appointmentCancelled"},
			sdkPage:  func(f web.Frame, _ string) web.Page { return web.DashboardPage{Frame: f} },
			linkPath: "/direct_link/embedded/employee-dashboard",
			linkPage: func(_ *Server, _ *http.Request, sess *auth.Session, f web.Frame, _ string) (web.Page, error) {
				return web.DashboardPage{Frame: f, Viewer: viewerOf(sess)}, nil
			},
			section: web.NewSection("employee-dashboard", "/benefits", "Benefits", "dashboard.js", "dashboard.css"),
			api: []route{
				{"GET", "/widget-api/benefits/overview", widgetEmployee, s.benefitsOverview},
				{"GET", "/widget-api/benefits/plans", widgetEmployee, s.benefitsPlans},
				{"GET", "/widget-api/benefits/dependents", widgetEmployee, s.benefitsDependents},
				{"POST", "/widget-api/benefits/dependents", widgetEmployee, s.addDependent},
				{"PATCH", "/widget-api/benefits/dependents/{id}", widgetEmployee, s.editDependent},
				{"DELETE", "/widget-api/benefits/dependents/{id}", widgetEmployee, s.removeDependent},
				{"GET", "/widget-api/benefits/elections", widgetEmployee, s.benefitsElections},
				{"POST", "/widget-api/benefits/elections", widgetEmployee, s.submitElection},
				{"GET", "/widget-api/life-events", widgetEmployee, s.employeeLifeEvents},
				{"POST", "/widget-api/life-events", widgetEmployee, s.reportLifeEvent},
				{"POST", "/widget-api/life-events/{id}/withdraw", widgetEmployee, s.withdrawLifeEvent},
				{"POST", documentUploadPath, widgetEmployee, s.uploadDocument},
				{"GET", "/widget-api/life-event-documents/{id}", widgetEmployee, s.employeeDocument},
				{"GET", "/widget-api/appointments/types", widgetEmployee, list(s.widgetAppointmentTypes)},
				{"GET", "/widget-api/appointments/types/{id}/slots", widgetEmployee, s.widgetFreeSlots},
				{"POST", "/widget-api/appointments", widgetEmployee, s.widgetBook},
				{"GET", "/widget-api/appointments", widgetEmployee, list(s.widgetAppointments)},
				{"GET", "/widget-api/appointments/{id}", widgetEmployee, s.widgetAppointment},
				{"POST", "/widget-api/appointments/{id}/reschedule", widgetEmployee, s.widgetReschedule},
				{"POST", "/widget-api/appointments/{id}/cancel", widgetEmployee, s.widgetCancel},
				{"GET", "/widget-api/appointments/{id}/ics", widgetEmployee, s.widgetAppointmentICS},
			},
		},
	}
}

// widgetRoutes are the routes the registry mounts: every kind's pages and
// widget API, and the workspace's pages at the top level.
func (s *Server) widgetRoutes() []route {
	var out []route
	for _, k := range s.widgetKinds() {
		out = append(out, route{"GET", k.sdkPath(), public, s.sdkWidgetPage(k)})
		if k.linkPath != "" {
			out = append(out, route{"GET", k.linkPath, public, getOnly(s.linkWidgetPage(k))})
		}
		if k.section != nil {
			out = append(out, route{"GET", k.section.Path, public, s.workspace})
		}
		out = append(out, k.api...)
	}
	return out
}

// sdkWidgetPage answers k's SDK-mode page, framed by its parent_origin;
// without a valid one, or with a malformed parameter, an error page that no
// one may frame and that posts nothing.
func (s *Server) sdkWidgetPage(k widgetKind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		param := r.PathValue(k.param)
		if k.check != nil {
			if err := k.check(param); err != nil {
				return s.refuse(w, r, err, framed)
			}
		}
		parent, err := claimedParentOrigin(r)
		if err != nil {
			return s.refuse(w, r, err, framed)
		}
		f := web.Frame{Nonce: newNonce(), ParentOrigin: parent}
		return writePage(w, http.StatusOK, f, k.sdkPage(f, param))
	}
}

// linkWidgetPage answers k's direct-link page: the URL is checked first, so
// that a malformed link never uses up its token, then the link is opened,
// its session checked against k's binding, and the page rendered, framed by
// the verified parent origin.
func (s *Server) linkWidgetPage(k widgetKind) handler {
	name := ""
	if open, end := strings.IndexByte(k.linkPath, '{'), strings.IndexByte(k.linkPath, '}'); open >= 0 && end > open {
		name = k.linkPath[open+1 : end]
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		param := r.PathValue(name)
		q, err := readLinkQuery(r.URL.RawQuery, false)
		if err == nil && k.check != nil {
			err = k.check(param)
		}
		if err != nil {
			return s.refuse(w, r, err, framed)
		}
		target, connection := linkTarget(k, param)
		sess, err := s.openLink(w, r, q.token, framed, target, connection)
		var page web.Page
		f := web.Frame{}
		if err == nil {
			f = s.sessionFrame(r, sess, framed)
			page, err = k.linkPage(s, r, sess, f, param)
		}
		if err != nil {
			return s.refuse(w, r, err, framed)
		}
		return writePage(w, http.StatusOK, f, page)
	}
}

// linkTarget is what opening a link to k (at param) checks once the token
// verifies and before its jti is spent, so that a link to the wrong thing
// does not use up its token (auth.Link): target checks the session's
// binding (errUserBindingRequired); connection, when not "", is the
// connection the link opens, which must be the session's customer's.
func linkTarget(k widgetKind, param string) (target func(context.Context, *auth.Session) error, connection string) {
	if k.linkConnection {
		connection = param
	}
	return func(_ context.Context, sess *auth.Session) error {
		if !bound(k.binding, sess) {
			return errUserBindingRequired
		}
		return nil
	}, connection
}

// bound reports whether sess may open a widget of binding b; when it may
// not, the refusal is errUserBindingRequired.
func bound(b binding, sess *auth.Session) bool {
	return b != userBound || sess.User != nil
}

// widgetKindNamed returns the registered kind called name.
func (s *Server) widgetKindNamed(name string) (widgetKind, bool) {
	kinds := s.widgetKinds()
	i := slices.IndexFunc(kinds, func(k widgetKind) bool { return k.name == name })
	if i < 0 {
		return widgetKind{}, false
	}
	return kinds[i], true
}

// workspaceSections are the sections of the workspace, in the order of its
// navigation.
func (s *Server) workspaceSections() []web.Section {
	var out []web.Section
	for _, k := range s.widgetKinds() {
		if k.section != nil {
			out = append(out, *k.section)
		}
	}
	return out
}

// framedRejection makes err, a refusal of a page after its link was
// verified, an auth.Rejection with the session's origin, so that the error
// page stays framed by the parent and posts the error to it.
func framedRejection(err *oriel.Error, sess *auth.Session) error {
	return &auth.Rejection{Err: err, Origin: sess.Origin, VendorID: sess.VendorID}
}
