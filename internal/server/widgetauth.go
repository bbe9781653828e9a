package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
)

// Widget API authentication. The widget pages call /widget-api with a bound
// access token in SDK mode (widgettoken.go), or with the session their direct
// link opened:
//
//   - an embedded page holds its session token in memory and sends it as
//     "Authorization: Bearer ors_…"; browsers never attach it by themselves,
//     so such a request cannot be forged by another site;
//   - a top-level page after White-label SSO has its session in an HttpOnly,
//     SameSite=Lax cookie, which the browser does attach by itself, so the
//     request must also prove that one of Oriel's own pages sent it: it
//     carries the X-Oriel-Widget header (which a page of another origin
//     cannot send without a CORS preflight that Oriel never grants), and
//     the browser's Sec-Fetch-Site or Origin header must not name another
//     origin (net/http's CrossOriginProtection).
//
// A session's widget API serves its customer's data only; another
// customer's connection answers exactly as a missing one.

// widgetHeader marks a widget API request sent by Oriel's own pages.
const widgetHeader = "X-Oriel-Widget"

// Error codes of the widget API's authentication.
const (
	codeCSRFRejected  = "csrf_rejected"
	codeRoleForbidden = "role_forbidden"
)

var (
	errBearerMalformed = oriel.Errorf(oriel.EUNAUTHORIZED, codeSessionMissing, "send the widget session as exactly one header: Authorization: Bearer ors_…")
	errCSRFRejected    = oriel.Errorf(oriel.EFORBIDDEN, codeCSRFRejected,
		"this request uses the session cookie but does not come from Oriel's own pages: it needs the X-Oriel-Widget header and the same origin")
	errRoleForbidden = oriel.Errorf(oriel.EFORBIDDEN, codeRoleForbidden, "a viewer can see connections but not change them; ask an administrator of the workspace")
)

// requireSession admits requests that carry a live widget session or bound
// access token, and records the session for the handlers (sessionOf) and
// the logs.
func (s *Server) requireSession(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.links == nil {
			return errSessionsUnavailable
		}
		raw, err := s.sessionToken(r)
		if err != nil {
			return err
		}
		var sess *auth.Session
		if isAccessToken(raw) && r.Header.Get("Authorization") != "" {
			sess, err = s.accessSession(r, raw)
		} else {
			sess, err = s.links.Session(r.Context(), raw)
			if rej := (*auth.Rejection)(nil); errors.As(err, &rej) && rej.Cause != nil {
				attrs := append([]slog.Attr{slog.String("request_id", stateOf(r).id)}, rej.LogAttrs()...)
				s.logger.LogAttrs(r.Context(), slog.LevelError, "widget session not checked", attrs...)
			}
		}
		if err != nil {
			return err
		}
		stateOf(r).session = sess
		return next(w, r)
	}
}

// sessionToken returns the session r presents: its bearer token, or else
// its session cookie when r passes the cross-site checks.
func (s *Server) sessionToken(r *http.Request) (string, error) {
	if values := r.Header.Values("Authorization"); len(values) > 0 {
		scheme, token, _ := strings.Cut(values[0], " ")
		if len(values) > 1 || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return "", errBearerMalformed
		}
		return strings.TrimSpace(token), nil
	}
	c, err := r.Cookie(s.cookieName)
	if err != nil || c.Value == "" {
		return "", errSessionMissing
	}
	if r.Header.Get(widgetHeader) != "1" || s.csrf.Check(r) != nil || !s.sameOriginIfSent(r) {
		return "", errCSRFRejected
	}
	return c.Value, nil
}

// sameOriginIfSent reports whether r's Origin header, when present, is
// Oriel's own origin. (CrossOriginProtection compares it with the Host
// header, which a proxy may have rewritten, and only for unsafe methods.)
func (s *Server) sameOriginIfSent(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == s.origin
}

// requireManager refuses a viewer's session: viewers see status only.
func requireManager(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if sessionOf(r).Role == oriel.RoleViewer {
			return errRoleForbidden
		}
		return next(w, r)
	}
}

// sessionOf returns the widget session that authenticated r.
func sessionOf(r *http.Request) *auth.Session {
	return stateOf(r).session
}
