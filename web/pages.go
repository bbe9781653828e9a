package web

import (
	"cmp"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orielhq/oriel"
)

// Frame is what the shell of every page needs.
type Frame struct {
	// Nonce is the response's CSP nonce; the page's one script carries it.
	Nonce string
	// ParentOrigin is the verified origin of the page that frames this one:
	// the only origin the widget script posts to or listens to. Leave it
	// empty when the origin is not known, or the page is not framed; then
	// the page sends and accepts no message.
	ParentOrigin string
	// Session is the opaque session token the page keeps in memory, or "".
	Session string
	// Theme is the vendor's appearance; the zero Theme is Oriel's own look.
	Theme Theme
}

// Viewer is who is signed in, as the pages show it.
type Viewer struct {
	Name     string // the user's name, email or external id; "Administrator" for a customer-level session
	Initials string // of Name, for the avatar
	Customer string // the customer's name, or its external id
	// CustomerInitials are of Customer, for the workspace's brand mark.
	CustomerInitials string
	Role             oriel.Role
}

// NewViewer describes a session of customer c, as user u (nil for a
// customer-level session) with role.
func NewViewer(c *oriel.Customer, u *oriel.User, role oriel.Role) Viewer {
	v := Viewer{Name: "Administrator", Customer: cmp.Or(c.Name, c.ExternalID, c.ID), Role: role}
	if u != nil {
		v.Name = cmp.Or(u.Name, u.Email, u.ExternalID, u.ID)
	}
	v.Initials, v.CustomerInitials = initials(v.Name), initials(v.Customer)
	return v
}

// initials returns up to two capital letters for an avatar: the first
// letters of the first and last words of name.
func initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return "?"
	}
	first, _ := utf8.DecodeRuneInString(words[0])
	out := string(unicode.ToUpper(first))
	if len(words) > 1 {
		last, _ := utf8.DecodeRuneInString(words[len(words)-1])
		out += string(unicode.ToUpper(last))
	}
	return out
}

// ConnectionPage is the embedded connection widget,
// /direct_link/embedded/connections/{id}. Its script (connections.js) loads
// the connection from the widget API and renders it.
type ConnectionPage struct {
	Frame
	Viewer
	ConnectionID string
}

func (ConnectionPage) template() string { return "connection" }

// WidgetPage is an SDK-mode widget, /widgets/connections (ConnectionID "")
// or /widgets/connection/{id}. It loads with no credential and shows a
// loader until the host page's SDK hands it a bound access token
// (docs/protocol.md); then connections.js renders the connections as on the
// direct-link pages. Its Frame's ParentOrigin is the claimed parent_origin,
// which the widget API checks against the token's allowed origins.
type WidgetPage struct {
	Frame
	ConnectionID string
}

func (WidgetPage) template() string { return "widget" }

// DashboardPage is the employee dashboard: SDK mode at
// /widgets/employee-dashboard (no Viewer until the host page's SDK hands it
// a token), or by direct link at /direct_link/embedded/employee-dashboard
// for the session's user. Its script (dashboard.js) loads everything from
// the benefits widget API.
type DashboardPage struct {
	Frame
	Viewer Viewer // the zero Viewer in SDK mode
}

func (DashboardPage) template() string { return "dashboard" }

// SDK reports whether the page is in SDK mode (it has no session).
func (p DashboardPage) SDK() bool { return p.Session == "" }

// CanManage reports whether the viewer may connect and disconnect, or only
// see the status (a viewer).
func (v Viewer) CanManage() bool { return v.Role != oriel.RoleViewer }

// WorkspacePage is the customer's workspace, open at one of its sections
// (/connections …): in an iframe for Fully Embedded (Embedded true), or at
// the top level after SSO. It holds every section of Sections, shows the
// one whose Key is Current (the first when none is) and switches between
// them in the page, so an embedded workspace keeps its session.
type WorkspacePage struct {
	Frame
	Viewer
	Embedded bool
	Sections []Section
	Current  string
}

func (WorkspacePage) template() string { return "workspace" }

// Shown returns the key of the section shown first.
func (p WorkspacePage) Shown() string {
	if p.Current == "" && len(p.Sections) > 0 {
		return p.Sections[0].Key
	}
	return p.Current
}

// Section is one section of the workspace: a widget kind's place in its
// navigation. Its markup is the template "section-{Key}" (in a shared part,
// templates/_*.html), and its scripts and stylesheets are static assets.
type Section struct {
	Key     string // the widget kind
	Path    string // its page, the dl_path that opens the workspace at it
	Label   string
	Scripts []string // the URLs of its scripts
	Styles  []string // the URLs of its stylesheets
}

// NewSection returns the section of widget kind key at path, with its
// assets (by file name: .js files are scripts, .css stylesheets). An
// unknown asset panics, at start and in every test.
func NewSection(key, path, label string, assets ...string) *Section {
	s := &Section{Key: key, Path: path, Label: label}
	for _, name := range assets {
		url, err := assetURL(name)
		if err != nil {
			panic(err)
		}
		if strings.HasSuffix(name, ".css") {
			s.Styles = append(s.Styles, url)
		} else {
			s.Scripts = append(s.Scripts, url)
		}
	}
	return s
}

// CallbackPage ends an OAuth authorization in its popup, at
// /oauth/callback: it reports the outcome to the widget that opened the
// popup and closes, or explains the outcome when there is no such widget.
type CallbackPage struct {
	Frame
	// OpenerOrigin is the origin of the widget that opened the popup:
	// Oriel's own. The page posts its one message there only; "" posts
	// nothing.
	OpenerOrigin string
	// Event is the connectionStatusChange payload, as JSON.
	Event string
	// Name is what was connected, as the widget names it.
	Name string
	// Connected tells whether the authorization succeeded; Problem is
	// the safe message of why not.
	Connected bool
	Problem   string
}

func (CallbackPage) template() string { return "callback" }

// ErrorPage explains why a page cannot be shown. Message is the error's
// safe message (it never quotes a token or a claim); the page shows it to
// developers beside the code, under advice for the person who clicked.
type ErrorPage struct {
	Frame
	Status  int
	Code    string
	Message string
}

func (ErrorPage) template() string { return "error" }

// Headline is the page's title.
func (p ErrorPage) Headline() string { return p.copy().headline }

// Advice tells the person who opened the link what to do.
func (p ErrorPage) Advice() string { return p.copy().advice }

// errorCopy is what an error page says to the person who opened the link.
type errorCopy struct{ headline, advice string }

const goBack = "Go back to the app you came from and open this page again."

// errorCopyByCode holds the wording of the errors people meet in practice;
// the others are worded by status (errorCopyByStatus).
var errorCopyByCode = map[string]errorCopy{
	"jti_replayed":         {"This link was already used", "For your security, each sign-in link works only once. " + goBack},
	"token_too_old":        {"This link has expired", "Sign-in links are valid for a few minutes only. " + goBack},
	"token_expired":        {"This link has expired", "Sign-in links are valid for a few minutes only. " + goBack},
	"iat_in_future":        {"This link is not valid yet", "The clocks of the app and of Oriel disagree. Try again in a minute; if this persists, contact the app's support."},
	"token_not_yet_valid":  {"This link is not valid yet", "Try again in a minute; if this persists, contact the app's support."},
	"customer_not_found":   {"Your account is not set up yet", "Your workspace does not exist yet. Contact the app's support."},
	"user_not_found":       {"Your account is not set up yet", "You are not a member of this workspace yet. Ask an administrator to add you."},
	"session_missing":      {"You are signed out", "Sign in again from the app you came from."},
	"session_revoked":      {"You are signed out", "Sign in again from the app you came from."},
	"token_invalid":        {"You are signed out", "Your session is no longer valid. Sign in again from the app you came from."},
	"page_not_found":       {"Page not found", "This page does not exist. Check the link, or go back to the app you came from."},
	"connection_not_found": {"Connection not found", "This connection does not exist, or it is not one of your workspace's. " + goBack},
	"state_invalid":        {"This sign-in could not be completed", closeAndRetry},
	"oauth_ticket_invalid": {"This sign-in window has expired", closeAndRetry},
}

const closeAndRetry = "For your security, each sign-in window works once and only for a few minutes. Close this window and click Connect again."

var errorCopyByStatus = map[int]errorCopy{
	http.StatusBadRequest:         {"This link is not valid", "The link is incomplete or damaged. " + goBack},
	http.StatusUnauthorized:       {"You could not be signed in", "The link could not be verified. " + goBack},
	http.StatusForbidden:          {"This page cannot be shown here", "It is embedded in a site that is not allowed to show it. Contact the app's support."},
	http.StatusNotFound:           {"Page not found", "This page does not exist."},
	http.StatusServiceUnavailable: {"We'll be right back", "Oriel is briefly unavailable. Please try again in a moment."},
}

func (p ErrorPage) copy() errorCopy {
	if c, ok := errorCopyByCode[p.Code]; ok {
		return c
	}
	if c, ok := errorCopyByStatus[p.Status]; ok {
		return c
	}
	return errorCopy{"Something went wrong", "Please try again in a moment. If this persists, contact the app's support."}
}
