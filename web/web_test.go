package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/web"
)

var (
	customer = &oriel.Customer{ID: "cus_1", ExternalID: "acme", Name: "Acme <Corp>"}
	user     = &oriel.User{ID: "usr_1", Name: "Ada Lovelace", Role: oriel.RoleViewer}
	frame    = web.Frame{Nonce: "bm9uY2U", ParentOrigin: "https://app.vendor.test", Session: "ors_secret"}
)

func render(t *testing.T, p web.Page) string {
	t.Helper()
	w := httptest.NewRecorder()
	if err := web.Write(w, http.StatusTeapot, p); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusTeapot || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	return w.Body.String()
}

// sections are the workspace's sections, as the server's widget registry
// makes them.
var sections = []web.Section{*web.NewSection("connections", "/connections", "Connections", "connections.js")}

// Every page is one document whose scripts all come from this host with the
// nonce, the widget runtime first; whose one <style>, if any, is the
// vendor's theme with the nonce; and with no inline script, style attribute
// or event handler (so a strict CSP holds).
func TestPagesAreCSPClean(t *testing.T) {
	viewer := web.NewViewer(customer, user, user.Role)
	themed := frame
	themed.Theme = web.NewTheme(&oriel.Appearance{Mode: "dark", Colors: map[string]string{"primary": "#0A7"}, FontFamily: "Inter", BorderRadius: "6px"})
	pages := map[string]web.Page{
		"connection":         web.ConnectionPage{Frame: frame, Viewer: viewer, ConnectionID: "con_42"},
		"connection themed":  web.ConnectionPage{Frame: themed, Viewer: viewer, ConnectionID: "con_42"},
		"workspace embedded": web.WorkspacePage{Frame: frame, Viewer: viewer, Embedded: true, Sections: sections},
		"workspace top":      web.WorkspacePage{Frame: web.Frame{Nonce: "bm9uY2U"}, Viewer: web.NewViewer(customer, nil, oriel.RoleAdmin), Sections: sections},
		"error with origin":  web.ErrorPage{Frame: themed, Status: 401, Code: "jti_replayed", Message: "used"},
		"error no origin":    web.ErrorPage{Frame: web.Frame{Nonce: "bm9uY2U"}, Status: 401, Code: "signature_invalid", Message: "bad"},
		"oauth callback":     web.CallbackPage{Frame: web.Frame{Nonce: "bm9uY2U"}, OpenerOrigin: "https://oriel.test", Event: `{"id":"c"}`, Name: "CRM", Connected: true},
	}
	scriptTag := regexp.MustCompile(`<script[^>]*>`)
	ownScript := regexp.MustCompile(`^<script src="/static/[a-z]+\.js\?v=[0-9a-f]{12}" nonce="bm9uY2U"( defer)?>$`)
	styleTag := regexp.MustCompile(`(?i)<style[^>]*>`)
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			html := render(t, p)
			if !strings.HasPrefix(html, "<!doctype html>") || strings.Count(html, "</html>") != 1 {
				t.Fatalf("not one document:\n%s", html)
			}
			tags := scriptTag.FindAllString(html, -1)
			if len(tags) == 0 || !strings.HasPrefix(tags[0], `<script src="/static/widget.js?`) || strings.Count(html, "</script>") != len(tags) {
				t.Fatalf("script tags %q, want the widget runtime first", tags)
			}
			for _, tag := range tags {
				if !ownScript.MatchString(tag) || !strings.Contains(html, tag+"</script>") {
					t.Fatalf("script tag %q is not an empty script of this host with the nonce", tag)
				}
			}
			if styles := styleTag.FindAllString(html, -1); len(styles) > 1 || len(styles) == 1 && styles[0] != `<style nonce="bm9uY2U">` {
				t.Fatalf("style tags %q, want at most the theme's, with the nonce", styles)
			}
			for _, bad := range []string{" style=", "javascript:", " onload=", " onclick=", " onerror="} {
				if strings.Contains(strings.ToLower(html), bad) {
					t.Fatalf("page contains %q", bad)
				}
			}
		})
	}
}

// The boot data is escaped, and an error page shares its error only with a
// known parent.
func TestBootData(t *testing.T) {
	evil := web.Frame{Nonce: "n", ParentOrigin: `https://x.test" onload="alert(1)`, Session: `ors_"><script>`}
	html := render(t, web.ConnectionPage{Frame: evil, Viewer: web.NewViewer(customer, nil, oriel.RoleAdmin), ConnectionID: "con_1"})
	if strings.Contains(html, `" onload="`) || strings.Contains(html, `"><script>`) {
		t.Fatalf("boot data not escaped:\n%s", html)
	}
	if !strings.Contains(html, "Acme &lt;Corp&gt;") || strings.Contains(html, "Acme <Corp>") {
		t.Fatal("customer name not escaped")
	}

	known := render(t, web.ErrorPage{Frame: frame, Status: 401, Code: "jti_replayed", Message: "already used"})
	for _, want := range []string{`data-parent-origin="https://app.vendor.test"`, `data-error-code="jti_replayed"`, `data-error-message="already used"`, "This link was already used"} {
		if !strings.Contains(known, want) {
			t.Fatalf("error page with a known origin lacks %s:\n%s", want, known)
		}
	}
	unknown := render(t, web.ErrorPage{Frame: web.Frame{Nonce: "n"}, Status: 401, Code: "signature_invalid", Message: "the signature does not verify"})
	if strings.Contains(unknown, "data-") {
		t.Fatalf("error page with no known origin carries data:\n%s", unknown)
	}
	for _, want := range []string{"You could not be signed in", "signature_invalid", "the signature does not verify", "HTTP 401"} {
		if !strings.Contains(unknown, want) {
			t.Fatalf("error page lacks %q:\n%s", want, unknown)
		}
	}
}

// Who is signed in is shown: the user, or an administrator for a
// customer-level session.
func TestViewer(t *testing.T) {
	html := render(t, web.ConnectionPage{Frame: frame, Viewer: web.NewViewer(customer, user, oriel.RoleViewer), ConnectionID: "con_42"})
	for _, want := range []string{"Ada Lovelace", "Acme &lt;Corp&gt;", ">viewer<", "con_42", ">AL<"} {
		if !strings.Contains(html, want) {
			t.Fatalf("connection page lacks %q", want)
		}
	}
	html = render(t, web.WorkspacePage{Frame: frame, Viewer: web.NewViewer(&oriel.Customer{ExternalID: "ext-9"}, nil, oriel.RoleAdmin), Sections: sections})
	for _, want := range []string{"Administrator", "ext-9", ">admin<", "No connections yet"} {
		if !strings.Contains(html, want) {
			t.Fatalf("workspace page lacks %q", want)
		}
	}
}

func TestServeAsset(t *testing.T) {
	page := render(t, web.ErrorPage{Frame: web.Frame{Nonce: "n"}, Status: 400, Code: "x"})
	versioned := regexp.MustCompile(`/static/(oriel\.css|widget\.js)\?v=[0-9a-f]+`).FindAllString(page, -1)
	if len(versioned) != 2 {
		t.Fatalf("asset links %v, want the stylesheet and the script", versioned)
	}
	for _, url := range versioned {
		for _, tc := range []struct{ url, cache string }{{url, "public, max-age=31536000, immutable"}, {url[:strings.Index(url, "?")], "no-cache"}} {
			r := httptest.NewRequest("GET", tc.url, nil)
			w := httptest.NewRecorder()
			if err := web.ServeAsset(w, r, strings.TrimPrefix(r.URL.Path, web.StaticPrefix)); err != nil {
				t.Fatal(err)
			}
			ct := w.Header().Get("Content-Type")
			if w.Code != 200 || w.Body.Len() == 0 || w.Header().Get("Cache-Control") != tc.cache || !strings.HasPrefix(ct, "text/") || w.Header().Get("ETag") == "" {
				t.Fatalf("%s: %d %v", tc.url, w.Code, w.Header())
			}
		}
	}
	for _, name := range []string{"", "nope.js", "../web.go", "static/widget.js", "templates/shell.html"} {
		err := web.ServeAsset(httptest.NewRecorder(), httptest.NewRequest("GET", "/static/x", nil), name)
		if oriel.ErrorKind(err) != oriel.ENOTFOUND || oriel.ErrorCode(err) != web.CodeAssetNotFound {
			t.Fatalf("%q: %v, want asset_not_found", name, err)
		}
	}
	r := httptest.NewRequest("GET", versioned[0], nil)
	w := httptest.NewRecorder()
	web.ServeAsset(w, r, strings.TrimPrefix(r.URL.Path, web.StaticPrefix))
	r.Header.Set("If-None-Match", w.Header().Get("ETag"))
	w = httptest.NewRecorder()
	web.ServeAsset(w, r, strings.TrimPrefix(r.URL.Path, web.StaticPrefix))
	if w.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d, want 304", w.Code)
	}
}

// The OAuth callback page posts to its opener only when the server names
// the opener's origin, with the event as escaped JSON; a failure explains
// itself.
func TestCallbackPage(t *testing.T) {
	ok := render(t, web.CallbackPage{Frame: web.Frame{Nonce: "n"}, OpenerOrigin: "https://oriel.test", Event: `{"id":"c<1>","connected":true}`, Name: "CRM", Connected: true})
	for _, want := range []string{`data-opener-origin="https://oriel.test"`, `data-status-event="{&#34;id&#34;:&#34;c&lt;1&gt;&#34;,&#34;connected&#34;:true}"`, "CRM is connected", `data-action="close-window"`} {
		if !strings.Contains(ok, want) {
			t.Fatalf("callback page lacks %s:\n%s", want, ok)
		}
	}
	failed := render(t, web.CallbackPage{Frame: web.Frame{Nonce: "n"}, Event: `{"id":"c"}`, Problem: "access was not granted"})
	if strings.Contains(failed, "data-opener-origin") || strings.Contains(failed, "data-status-event") || !strings.Contains(failed, "The app was not connected") || !strings.Contains(failed, "access was not granted") {
		t.Fatalf("callback page without an opener:\n%s", failed)
	}
}
