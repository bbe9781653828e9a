package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
)

// Error codes of POST /v1/direct-links/inspect.
const (
	codeLinkRequired   = "link_required"
	codeLinkURLInvalid = "link_url_invalid"
)

// checkURL is the name of the first check of an inspected URL: the link's
// path and query, as the direct-link page checks them before the token.
const checkURL = "url"

// linkInspect is the body of POST /v1/direct-links/inspect: a direct-link
// URL or a bare token, exactly one.
type linkInspect struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

func (b *linkInspect) validate() error {
	if (b.URL == "") == (b.Token == "") {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeLinkRequired, "give exactly one of url (a direct-link URL) and token (the dl_token of one)")
	}
	return nil
}

// linkInspection answers POST /v1/direct-links/inspect.
type linkInspection struct {
	Object string        `json:"object"` // "direct_link_inspection"
	Link   inspectedLink `json:"link"`
	*auth.Inspection
	// Opens says whether the link would open now, in its iframe (or, for
	// SSO, at the top level).
	Opens   bool            `json:"opens"`
	Refusal *inspectRefusal `json:"refusal"`
}

// inspectedLink is what kind of link was inspected.
type inspectedLink struct {
	// Kind is the widget kind a link opens ("connection",
	// "employee-dashboard"), "app" or "sso" for a URL, and "token" for a
	// bare token (inspected as an embedded link without a target).
	Kind         string `json:"kind"`
	Embedded     bool   `json:"embedded"`
	ConnectionID string `json:"connection_id,omitempty"`
	Path         string `json:"path,omitempty"`
}

// inspectRefusal is the first failed check: what opening the link answers.
type inspectRefusal struct {
	Check   string `json:"check"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// ParentOrigin is the verified parent origin when the refusal comes
	// after it: the error page is then framed by it and posts an error
	// message to it. "" means an embedded link shows a blank frame and
	// posts nothing.
	ParentOrigin string `json:"parent_origin"`
}

// inspectDirectLink answers POST /v1/direct-links/inspect: every check of
// opening a link of the caller's, in order, without spending its jti.
func (s *Server) inspectDirectLink(w http.ResponseWriter, r *http.Request) error {
	var in linkInspect
	if err := decode(r, &in); err != nil {
		return err
	}
	if s.links == nil {
		return errSessionsUnavailable
	}
	out := linkInspection{Object: "direct_link_inspection", Link: inspectedLink{Kind: "token", Embedded: true}}
	token, link := in.Token, auth.Link{Embedded: true}
	var urlErr error
	if in.URL != "" {
		u, err := url.Parse(strings.TrimSpace(in.URL))
		if err != nil {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeLinkURLInvalid, "url is not a URL; give the whole direct link, as your page puts it in the iframe")
		}
		var q linkQuery
		q, link, out.Link, urlErr = s.readInspectedURL(u)
		if out.Link.Kind == "" {
			return urlErr
		}
		token = q.token
	}
	out.Inspection = s.links.Inspect(r.Context(), vendorOf(r), token, link)
	if in.URL != "" {
		c := auth.CheckResult{Name: checkURL, Result: auth.ResultPass}
		if e := (*oriel.Error)(nil); errors.As(urlErr, &e) {
			c.Result, c.Code, c.Message = auth.ResultFail, e.Code, e.Message
			out.Refusal = &inspectRefusal{Check: checkURL, Status: statusOf(e), Code: e.Code, Message: e.Message}
		}
		out.Checks = append([]auth.CheckResult{c}, out.Checks...)
	}
	if rej := out.Inspection.Refusal; out.Refusal == nil && rej != nil {
		out.Refusal = &inspectRefusal{Status: statusOf(rej.Err), Code: rej.Err.Code, Message: rej.Err.Message, ParentOrigin: rej.Origin}
		for _, c := range out.Checks {
			if c.Result == auth.ResultFail {
				out.Refusal.Check = c.Name
				break
			}
		}
	}
	out.Opens = out.Refusal == nil
	return reply(w, http.StatusOK, out)
}

// readInspectedURL reads a direct-link URL as its page would: the kind of
// link its path names (a widget kind's link, the workspace or SSO), then its
// query and path checks (an error there is the URL check's refusal), and
// the target the page checks before the jti is spent. An unknown path
// leaves the kind "" and is the error.
func (s *Server) readInspectedURL(u *url.URL) (linkQuery, auth.Link, inspectedLink, error) {
	embedded := auth.Link{Embedded: true}
	p := u.EscapedPath()
	switch p {
	case "/direct_link/embedded/app":
		q, err := readLinkQuery(u.RawQuery, true)
		return q, embedded, inspectedLink{Kind: "app", Embedded: true, Path: q.path}, err
	case "/direct_link/sso":
		q, err := readLinkQuery(u.RawQuery, true)
		return q, auth.Link{}, inspectedLink{Kind: "sso", Path: q.path}, err
	}
	paths := []string{"/direct_link/embedded/app", "/direct_link/sso"}
	for _, k := range s.widgetKinds() {
		if k.linkPath == "" {
			continue
		}
		paths = append(paths, k.linkPath)
		var param string
		var err error
		if open := strings.IndexByte(k.linkPath, '{'); open < 0 {
			if p != k.linkPath {
				continue
			}
		} else if escaped, ok := strings.CutPrefix(p, k.linkPath[:open]); !ok || strings.Contains(escaped, "/") {
			continue
		} else {
			param, err = url.PathUnescape(escaped)
		}
		q, qerr := readLinkQuery(u.RawQuery, false)
		if err == nil && k.check != nil {
			err = k.check(param)
		}
		if qerr != nil {
			err = qerr
		}
		if err == nil {
			embedded.Target, embedded.Connection = linkTarget(k, param)
		}
		link := inspectedLink{Kind: k.name, Embedded: true}
		if k.name == "connection" {
			link.ConnectionID = param
		}
		return q, embedded, link, err
	}
	return linkQuery{}, auth.Link{}, inspectedLink{}, oriel.Errorf(oriel.EUNPROCESSABLE, codeLinkURLInvalid,
		"url is not a direct link: its path must be one of %s", strings.Join(paths, ", "))
}
