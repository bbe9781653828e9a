package server

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/directlink"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/web"
)

// The direct-link pages (docs/direct-linking.md). Each handler checks the
// URL first, so that a malformed link never uses up its token, then opens
// the link with package auth, then renders. pages.go writes the responses.

// Error codes of the direct-link URLs themselves.
const (
	codeTokenDuplicated     = "token_duplicated"
	codeQueryInvalid        = "query_invalid"
	codePathInvalid         = "path_invalid"
	codePageNotFound        = "page_not_found"
	codeConnectionIDInvalid = "connection_id_invalid"
	codeSessionMissing      = "session_missing"
	codeSessionsUnavailable = "sessions_unavailable"
	codeFrameRequired       = "frame_required"
)

// maxLinkQueryBytes bounds a direct link's query string before it is
// parsed: a token of linktoken.MaxTokenBytes plus a dl_path, with room.
const maxLinkQueryBytes = 12 << 10

// appPages are the workspace pages a Fully Embedded or SSO link may open:
// the paths of the registry's workspace sections (widgets.go).
var appPages = func() []string {
	var paths []string
	for _, section := range (&Server{}).workspaceSections() {
		paths = append(paths, section.Path)
	}
	return paths
}()

var (
	errSessionMissing      = oriel.Errorf(oriel.EUNAUTHORIZED, codeSessionMissing, "no session: sign in through a direct link (/direct_link/sso) first")
	errFrameRequired       = oriel.Errorf(oriel.EFORBIDDEN, codeFrameRequired, "this link opens inside an iframe of the vendor's page; to open the workspace as a page of its own, use /direct_link/sso")
	errSessionsUnavailable = oriel.Errorf(oriel.EUNAVAILABLE, codeSessionsUnavailable, "this server has no encryption keys, so it cannot open sessions; the operator sets ORIEL_ENCRYPTION_KEYS")
)

// getOnly refuses HEAD, which a GET route also matches: it would use up the
// link's single-use token without showing the page.
func getOnly(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			return oriel.Errorf(kindMethodNotAllowed, codeMethodNotAllowed, "a direct link opens with GET only: HEAD would use up its single-use token without showing the page")
		}
		return h(w, r)
	}
}

// embeddedApp answers GET /direct_link/embedded/app ("Fully Embedded"): the
// workspace page dl_path, rendered in the iframe itself (no cookie).
func (s *Server) embeddedApp(w http.ResponseWriter, r *http.Request) error {
	q, err := readLinkQuery(r.URL.RawQuery, true)
	if err != nil {
		return s.refuse(w, r, err, framed)
	}
	sess, err := s.openLink(w, r, q.token, framed, nil, "")
	if err != nil {
		return s.refuse(w, r, err, framed)
	}
	return s.writeWorkspace(w, r, sess, q.path, framed)
}

// directLinkSSO answers GET /direct_link/sso ("White-label SSO"): at the top
// level, it sets the first-party session cookie and redirects (303) to
// dl_path, a page of this host.
func (s *Server) directLinkSSO(w http.ResponseWriter, r *http.Request) error {
	q, err := readLinkQuery(r.URL.RawQuery, true)
	if err != nil {
		return s.refuse(w, r, err, topLevel)
	}
	sess, err := s.openLink(w, r, q.token, topLevel, nil, "")
	if err != nil {
		return s.refuse(w, r, err, topLevel)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName,
		Value:    sess.Token,
		Path:     "/",
		MaxAge:   int(sess.ExpiresAt.Sub(s.now()).Seconds()),
		Secure:   s.secureCookie,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	w.Header().Set("Location", q.path)
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

// workspace answers a workspace section's page (GET /connections …) after
// SSO: the workspace at the top level, for the session in the first-party
// cookie.
func (s *Server) workspace(w http.ResponseWriter, r *http.Request) error {
	if s.links == nil {
		return s.refuse(w, r, errSessionsUnavailable, topLevel)
	}
	c, err := r.Cookie(s.cookieName)
	if err != nil || c.Value == "" {
		return s.refuse(w, r, errSessionMissing, topLevel)
	}
	sess, err := s.links.Session(r.Context(), c.Value)
	if err != nil {
		return s.refuse(w, r, err, topLevel)
	}
	return s.writeWorkspace(w, r, sess, r.URL.Path, topLevel)
}

// serveStatic answers GET /static/{file}: the pages' stylesheet and script.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	return web.ServeAsset(w, r, r.PathValue("file"))
}

// openLink opens the direct-link token for a page of placement p: a framed
// page also passes the origin of the page that asked for it, which must be
// the parent's; target, when not nil, checks the session before the jti is
// spent, and connection, when not "", is the connection the link opens,
// which must be the session's customer's (see auth.Link).
//
// An address whose links were refused more often than Config.LinkFailureRate
// allows (30 a minute by default) gets 429 with Retry-After before any parsing or database work
// (catalogue K04), so a flood of forged tokens costs Oriel next to nothing
// and other addresses are not slowed.
func (s *Server) openLink(w http.ResponseWriter, r *http.Request, token string, p placement, target func(context.Context, *auth.Session) error, connection string) (*auth.Session, error) {
	if s.links == nil {
		return nil, errSessionsUnavailable
	}
	address := clientAddress(r)
	if wait := s.linkFailures.wait(address, s.now()); wait > 0 {
		seconds := retryAfter(w, wait)
		return nil, oriel.Errorf(oriel.ERATELIMITED, codeRateLimited, "too many refused direct links from your address; retry in %d s", seconds)
	}
	link := auth.Link{Embedded: p == framed, Target: target, Connection: connection}
	var sess *auth.Session
	var err error
	if p == framed && r.Header.Get("Sec-Fetch-Dest") == "document" {
		err = s.topLevelRefusal(r, token, link)
	} else {
		link.Referrer = refererOrigin(r)
		sess, err = s.links.Open(r.Context(), token, link)
	}
	if kind := oriel.ErrorKind(err); kind == oriel.EINVALID || kind == oriel.EUNAUTHORIZED {
		s.linkFailures.take(address, s.now())
	}
	return sess, err
}

// topLevelRefusal answers an embedded link that a browser navigated to at
// the top level (catalogue G20), without spending its token: the real
// refusal when the link would be refused in its iframe too, so that opening
// a refused link in a tab shows why, and frame_required only for a link that
// would be accepted. The refusal is shown at the top level: it is framed by
// no one and posts nothing.
func (s *Server) topLevelRefusal(r *http.Request, token string, link auth.Link) error {
	rej := s.links.Inspect(r.Context(), "", token, link).Refusal
	if rej == nil {
		return errFrameRequired
	}
	topLevel := *rej
	topLevel.Origin = ""
	return &topLevel
}

// linkQuery is what a direct link's query string holds.
type linkQuery struct {
	token string // dl_token, exactly once ("" when absent: auth answers token_missing)
	path  string // dl_path, a checked page of this host (Fully Embedded and SSO)
}

// readLinkQuery reads dl_token, and dl_path when withPath, from a link's raw
// query, refusing an oversized or malformed query and repeated parameters before any parsing of
// the token.
func readLinkQuery(rawQuery string, withPath bool) (linkQuery, error) {
	if len(rawQuery) > maxLinkQueryBytes {
		return linkQuery{}, oriel.Errorf(oriel.EINVALID, linktoken.CodeTooLarge, "the query string is longer than %d bytes; a direct-link token is at most %d", maxLinkQueryBytes, linktoken.MaxTokenBytes)
	}
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return linkQuery{}, oriel.Errorf(oriel.EINVALID, codeQueryInvalid, "the query string is not valid URL encoding (a bad %%-escape or a ';')")
	}
	var q linkQuery
	if tokens := values["dl_token"]; len(tokens) > 1 {
		return q, oriel.Errorf(oriel.EINVALID, codeTokenDuplicated, "dl_token is given %d times; send it exactly once", len(tokens))
	} else if len(tokens) == 1 {
		q.token = tokens[0]
	}
	if withPath {
		q.path, err = checkAppPath(values["dl_path"])
	}
	return q, err
}

// checkAppPath accepts exactly one dl_path that is a path on this host —
// one leading '/', no "//", '\', dot segment, scheme, query, fragment, space,
// control or non-ASCII character — and names a workspace page. So a
// redirect to it never leaves this host.
func checkAppPath(values []string) (string, error) {
	if len(values) != 1 {
		return "", oriel.Errorf(oriel.EINVALID, codePathInvalid, "dl_path must be given exactly once, for example dl_path=/connections")
	}
	p := values[0]
	ok := len(p) <= 1024 && len(p) > 0 && p[0] == '/' && path.Clean(p) == p
	for i := 0; ok && i < len(p); i++ {
		c := p[i]
		ok = c > ' ' && c < 0x7f && c != '\\' && c != '?' && c != '#' && c != '%'
	}
	if !ok {
		return "", oriel.Errorf(oriel.EINVALID, codePathInvalid, "dl_path must be a path on this host such as /connections: one leading '/', no '//', '\\', '..', query, fragment, space or control character")
	}
	if !slices.Contains(appPages, p) {
		return "", oriel.Errorf(oriel.ENOTFOUND, codePageNotFound, "dl_path names no page; the pages are %v", appPages)
	}
	return p, nil
}

// checkConnectionID applies the SDK's rule for connection ids.
func checkConnectionID(id string) error {
	if directlink.CheckConnectionID(id) != nil {
		return oriel.Errorf(oriel.EINVALID, codeConnectionIDInvalid, "a connection id is 1–128 characters of A–Z a–z 0–9 _ -")
	}
	return nil
}

// refererOrigin returns the origin (scheme://host[:port]) of the Referer
// header, or "" when there is none; auth normalises and compares it.
func refererOrigin(r *http.Request) string {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "null" // not an origin any allowed origin can equal
	}
	return u.Scheme + "://" + u.Host
}

// writeWorkspace renders the workspace page of sess open at the section
// path: in the iframe for Fully Embedded, at the top level after SSO. Its
// navigation holds the sections whose widgets sess may open; a section it
// may not open is refused.
func (s *Server) writeWorkspace(w http.ResponseWriter, r *http.Request, sess *auth.Session, path string, p placement) error {
	page := web.WorkspacePage{Viewer: viewerOf(sess), Embedded: p == framed}
	for _, k := range s.widgetKinds() {
		if k.section == nil {
			continue
		}
		if !bound(k.binding, sess) {
			if k.section.Path == path {
				return s.refuse(w, r, framedRejection(errUserBindingRequired, sess), p)
			}
			continue
		}
		page.Sections = append(page.Sections, *k.section)
		if k.section.Path == path {
			page.Current = k.section.Key
		}
	}
	page.Frame = s.sessionFrame(r, sess, p)
	return writePage(w, http.StatusOK, page.Frame, page)
}

func viewerOf(sess *auth.Session) web.Viewer {
	return web.NewViewer(sess.Customer, sess.User, sess.Role)
}
