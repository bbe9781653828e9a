package partner

import (
	"go/build"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// newTestApp returns Northwind's handler with a fresh signing key.
func newTestApp(t *testing.T) http.Handler {
	t.Helper()
	key, err := LoadOrCreateSigningKey(filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{
		OrielURL: "http://oriel.test:8080", AppURL: "http://127.0.0.1:3000", VendorID: "vnd_test",
		SigningKey: key, APIKey: "sk_test", CRMConnections: map[string]string{"acme": "conn_acme", "globex": "conn_globex"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// serve sends r to h and returns the response.
func serve(h http.Handler, r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// switchTo signs in as user and returns the session cookie.
func switchTo(t *testing.T, h http.Handler, user string) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/session", strings.NewReader(url.Values{"user": {user}, "next": {"/raw"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := serve(h, r)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/raw" {
		t.Fatalf("POST /session: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return resp.Cookies()[0]
}

var linkRE = regexp.MustCompile(`src="(http://oriel\.test:8080/direct_link/embedded/connections/(conn_\w+)\?dl_token=[^"]+)"`)

func TestRawPageFramesAFreshLinkForTheSignedInUser(t *testing.T) {
	h := newTestApp(t)
	get := func(cookie *http.Cookie) (link, connection string) {
		r := httptest.NewRequest(http.MethodGet, "/raw", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		resp := serve(h, r)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
			!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-src http://oriel.test:8080;") {
			t.Fatalf("GET /raw: %d, headers %v", resp.StatusCode, resp.Header)
		}
		m := linkRE.FindStringSubmatch(body(t, resp))
		if m == nil {
			t.Fatal("GET /raw: no direct link")
		}
		return m[1], m[2]
	}
	first, conn := get(nil)
	if second, _ := get(nil); second == first || conn != "conn_acme" {
		t.Errorf("links %s and %s for %s: want two links to Acme's connection", first, second, conn)
	}
	if _, conn := get(switchTo(t, h, "grace")); conn != "conn_globex" {
		t.Errorf("Globex's admin gets a link to %s", conn)
	}
}

func TestEveryPageRenders(t *testing.T) {
	h := newTestApp(t)
	for _, p := range menu {
		resp := serve(h, httptest.NewRequest(http.MethodGet, p.Path, nil))
		page := body(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" ||
			!strings.Contains(page, "<title>"+p.Title+" · Northwind</title>") || !strings.Contains(page, `aria-current="page"`) {
			t.Errorf("GET %s: %d\n%s", p.Path, resp.StatusCode, page)
		}
	}
	if resp := serve(h, httptest.NewRequest(http.MethodGet, "/nowhere", nil)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d", resp.StatusCode)
	}
}

func TestSessionCookieMustBeSigned(t *testing.T) {
	h := newTestApp(t)
	cookie := switchTo(t, h, "wes")
	forged := &http.Cookie{Name: sessionCookie, Value: "grace." + strings.SplitN(cookie.Value, ".", 2)[1]}
	for _, c := range []*http.Cookie{forged, {Name: sessionCookie, Value: "grace"}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		if page := body(t, serve(h, r)); strings.Contains(page, `data-user="grace"`) || !strings.Contains(page, `data-user="alice"`) {
			t.Errorf("cookie %q signed in as Grace, or not as the default user", c.Value)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	if page := body(t, serve(h, r)); !strings.Contains(page, `data-user="wes"`) {
		t.Error("the signed cookie does not sign Wes in")
	}
}

func TestSwitchUserStaysOnThisApp(t *testing.T) {
	h := newTestApp(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", ""} {
		r := httptest.NewRequest(http.MethodPost, "/session", strings.NewReader(url.Values{"user": {"alice"}, "next": {next}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp := serve(h, r); resp.Header.Get("Location") != "/" {
			t.Errorf("next %q redirects to %q", next, resp.Header.Get("Location"))
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/session", strings.NewReader("user=mallory"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp := serve(h, r); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown user: %d", resp.StatusCode)
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	h := newTestApp(t)
	for _, path := range []string{"/session", "/api/oriel-token"} {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader("user=grace"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		if resp := serve(h, r); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestSSORedirectsToAFreshLink(t *testing.T) {
	h := newTestApp(t)
	resp := serve(h, httptest.NewRequest(http.MethodGet, "/sso", nil))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "http://oriel.test:8080/direct_link/sso?dl_path=%2Fconnections&dl_token=") {
		t.Errorf("GET /sso: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Northwind is a vendor's app: it may use Oriel's public packages only.
func TestImportsOnlyPublicPackages(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/orielhq/oriel") && imp != "github.com/orielhq/oriel/directlink" && imp != "github.com/orielhq/oriel/client" {
			t.Errorf("partner imports %s", imp)
		}
	}
}
