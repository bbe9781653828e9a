package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/web"
)

// placement says where a page may be shown, and so who may frame it.
type placement int

const (
	// topLevel pages (SSO and the workspace it leads to) are framed by no one.
	topLevel placement = iota
	// framed pages (the direct-link widgets) are framed by the session's
	// verified parent origin, and by no one while that origin is unknown.
	framed
)

// pageCSP is the Content-Security-Policy of a page: its one script from this
// host with the response's nonce, styles from this host, and frame-ancestors
// the verified parent origin (already normalised by auth, so it holds no
// space or ';') or 'none'.
func pageCSP(nonce, parent string) string {
	ancestors := "'none'"
	if parent != "" {
		ancestors = parent
	}
	src := "'self' 'nonce-" + nonce + "'"
	return "default-src 'none'; script-src " + src + "; style-src " + src + "; img-src 'self' data:; connect-src 'self'; " +
		"frame-ancestors " + ancestors + "; base-uri 'none'; form-action 'self'"
}

// newNonce returns a fresh CSP nonce: 128 random bits.
func newNonce() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// writePage answers page with status, framed by f.ParentOrigin or, when
// that is empty, by no one; the page must carry f (for its nonce). The
// headers every response carries (nosniff, no-referrer, no-store) come from
// observe; no X-Frame-Options is sent: it cannot name an origin, and CSP
// frame-ancestors supersedes it.
func writePage(w http.ResponseWriter, status int, f web.Frame, page web.Page) error {
	w.Header().Set("Content-Security-Policy", pageCSP(f.Nonce, f.ParentOrigin))
	return web.Write(w, status, page)
}

// sessionFrame is the frame of a page of an open session, in its vendor's
// appearance. A framed page may be framed by, and talk to, the session's
// verified origin, and holds the session token in memory; a top-level page
// gets neither (its session is the HttpOnly cookie).
func (s *Server) sessionFrame(r *http.Request, sess *auth.Session, p placement) web.Frame {
	f := web.Frame{Nonce: newNonce(), Theme: web.NewTheme(sess.Appearance)}
	if p == framed {
		f.ParentOrigin, f.Session = sess.Origin, sess.Token
	}
	return f
}

// refuse answers err as an error page and logs it once. A direct-link
// rejection that came after the parent origin was verified (auth.Rejection
// with an Origin) lets a framed page be framed by that origin, in the
// vendor's appearance, and post the error to it; any other error page is
// framed by no one and posts nothing.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error, p placement) error {
	st := stateOf(r)
	var e *oriel.Error
	if !errors.As(err, &e) {
		return err // a bug: answered as a problem document and logged by fail
	}
	st.code = e.Code
	attrs := []slog.Attr{slog.String("request_id", st.id), slog.String("route", st.route)}
	parent, vendorID := "", ""
	if rej := (*auth.Rejection)(nil); errors.As(err, &rej) {
		attrs = append(attrs, rej.LogAttrs()...)
		if p == framed && rej.Origin != "" {
			parent, vendorID = rej.Origin, rej.VendorID
		}
	} else {
		attrs = append(attrs, slog.String("code", e.Code))
	}
	status, level := statusOf(e), slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.logger.LogAttrs(r.Context(), level, "page refused", attrs...)

	f := web.Frame{Nonce: newNonce(), ParentOrigin: parent, Theme: s.themeOf(r.Context(), vendorID)}
	return writePage(w, status, f, web.ErrorPage{Frame: f, Status: status, Code: e.Code, Message: e.Message})
}
