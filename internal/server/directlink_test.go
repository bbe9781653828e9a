package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

const (
	appOrigin = "https://app.acme.test"
	// missingConnection is the widget page of a connection that does not exist.
	missingConnection = "/direct_link/embedded/connections/con_42"
)

// linkEnv is an env whose vendor can open direct links: its app's origin is
// allowed, it has a signing key, and customer "acme" (Acme Corp) has user
// "ada" (Ada Lovelace, a viewer) and a connection of the vendor's api-key
// integration "keys", whose widget page is conn.
type linkEnv struct {
	*env
	key    *linktokentest.Key
	connID string
	conn   string // the path of connID's widget page
}

var (
	linkKeyOnce sync.Once
	linkKeyPair *linktokentest.Key
)

// linkKey is one RSA-2048 key, kid "k1", for all the tests.
func linkKey(t testing.TB) *linktokentest.Key {
	linkKeyOnce.Do(func() { linkKeyPair = linktokentest.NewKey(t, keys.RS256, "k1") })
	return linkKeyPair
}

func newLinkEnv(t *testing.T, s *store.SQL, config ...func(*Config)) *linkEnv {
	t.Helper()
	e := &linkEnv{env: newEnv(t, s, append([]func(*Config){withKeys(t)}, config...)...), key: linkKey(t)}
	ctx := context.Background()
	_, err := s.UpdateVendor(ctx, e.vendor.ID, oriel.VendorUpdate{AllowedOrigins: &[]string{appOrigin}})
	must(t, err)
	must(t, s.CreateSigningKey(ctx, signingKey(e.vendor.ID, e.key.KID, e.key.PublicKey)))
	c := &oriel.Customer{VendorID: e.vendor.ID, ExternalID: "acme", Name: "Acme Corp"}
	must(t, s.CreateCustomer(ctx, c))
	must(t, s.CreateUser(ctx, &oriel.User{VendorID: e.vendor.ID, CustomerID: c.ID, ExternalID: "ada", Name: "Ada Lovelace", Role: oriel.RoleViewer}))
	_, err = s.PutIntegration(ctx, &oriel.Integration{VendorID: e.vendor.ID, Key: "keys", Provider: "api-key", DisplayName: "Acme Keys"})
	must(t, err)
	conn := &oriel.Connection{VendorID: e.vendor.ID, CustomerID: c.ID, Integration: "keys"}
	must(t, s.CreateConnection(ctx, conn))
	e.connID, e.conn = conn.ID, "/direct_link/embedded/connections/"+conn.ID
	return e
}

// withKeys gives the server a fresh keyring for sessions.
func withKeys(t testing.TB) func(*Config) {
	var b [seal.KeySize]byte
	rand.Read(b[:])
	k, err := seal.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString(b[:]))
	if err != nil {
		t.Fatal(err)
	}
	return func(c *Config) { c.Keys = k }
}

// link is a signed token and its jti.
type link struct{ token, jti string }

// sign makes a token for sub (relative to the env's vendor) with extra
// claims, e.g. `"origin":"https://x"`.
func (e *linkEnv) sign(sub, extra string) link {
	e.t.Helper()
	jti := "jti-" + rand.Text()
	payload := fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":%q`, e.vendor.ID+":"+sub, e.clock.Now().Unix(), jti)
	if extra != "" {
		payload += "," + extra
	}
	return link{e.key.Sign(e.t, e.key.Header(), payload+"}"), jti}
}

// jwtLike matches the start of a compact JWS: a JSON header and payload,
// each base64url-encoded, so each begins "eyJ". A bare "eyJ" is not enough:
// pages hold random base64url (nonces, session tokens) that may contain it.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.eyJ`)

// get requests path, in which "{token}" stands for l's token, and checks
// that the response does not hold the token or its jti.
func (e *linkEnv) get(path string, l link, headers ...string) *result {
	e.t.Helper()
	r := e.doAs("", "GET", strings.ReplaceAll(path, "{token}", url.QueryEscape(l.token)), nil, headers...)
	body := string(r.body)
	if jwtLike.MatchString(body) || l.token != "" && strings.Contains(body, l.token) || l.jti != "" && strings.Contains(body, l.jti) {
		e.t.Fatalf("%s: the response body holds the token or its jti", r.req)
	}
	return r
}

// page checks that r is an HTML page with status, framed by parent (or by
// no one when parent is ""), with the security headers of catalogue G01.
func (r *result) page(status int, parent string) string {
	r.t.Helper()
	r.want(status)
	h := r.header
	csp := h.Get("Content-Security-Policy")
	ancestors := "'none'"
	if parent != "" {
		ancestors = parent
	}
	nonce := regexp.MustCompile(`'nonce-([A-Za-z0-9_-]{22})'`).FindStringSubmatch(csp)
	if nonce == nil {
		r.t.Fatalf("%s: CSP %q has no nonce", r.req, csp)
	}
	want := pageCSP(nonce[1], parent)
	switch {
	case csp != want || !strings.Contains(csp, "; frame-ancestors "+ancestors+";"):
		r.t.Fatalf("%s: CSP\n%q, want\n%q", r.req, csp, want)
	case strings.Contains(csp, "*") || len(h.Values("Content-Security-Policy")) != 1:
		r.t.Fatalf("%s: CSP %q", r.req, h.Values("Content-Security-Policy"))
	case h.Get("X-Frame-Options") != "":
		r.t.Fatalf("%s: X-Frame-Options %q conflicts with frame-ancestors", r.req, h.Get("X-Frame-Options"))
	case h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store":
		r.t.Fatalf("%s: headers %v", r.req, h)
	case h.Get("Content-Type") != "text/html; charset=utf-8":
		r.t.Fatalf("%s: Content-Type %q", r.req, h.Get("Content-Type"))
	case !strings.Contains(string(r.body), `nonce="`+nonce[1]+`"`):
		r.t.Fatalf("%s: the page's script does not carry the CSP nonce", r.req)
	}
	return string(r.body)
}

// errorPage checks r is an error page with status and code, whose boot data
// lets it post the error to parent only when parent is known.
func (r *result) errorPage(status int, code, parent string) string {
	r.t.Helper()
	body := r.page(status, parent)
	if !strings.Contains(body, `<code class="mono">`+code+`</code>`) {
		r.t.Fatalf("%s: error page does not show code %s:\n%s", r.req, code, body)
	}
	if parent == "" {
		if strings.Contains(body, "data-") {
			r.t.Fatalf("%s: error page without a known origin carries data:\n%s", r.req, body)
		}
		return body
	}
	for _, attr := range []string{`data-parent-origin="` + parent + `"`, `data-error-code="` + code + `"`, `data-error-message="`} {
		if !strings.Contains(body, attr) {
			r.t.Fatalf("%s: error page lacks %s", r.req, attr)
		}
	}
	if strings.Contains(body, "data-session") {
		r.t.Fatalf("%s: an error page holds a session", r.req)
	}
	return body
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The widgets open framed by the verified origin only, with the security
// headers of catalogue G01 (C18).
func TestDirectLinkWidgets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newLinkEnv(t, s)
		for _, path := range []string{e.conn + "?dl_token={token}", "/direct_link/embedded/app?dl_path=/connections&dl_token={token}"} {
			body := e.get(path, e.sign("Eacme:Eada", "")).page(http.StatusOK, appOrigin)
			for _, want := range []string{`data-parent-origin="` + appOrigin + `"`, `data-session="ors_`, "Ada Lovelace", "Acme Corp", ">viewer<"} {
				if !strings.Contains(body, want) {
					t.Fatalf("%s: page lacks %s", path, want)
				}
			}
		}
		body := e.get(e.conn+"?dl_token={token}", e.sign("Eacme", `"origin":"HTTPS://APP.acme.test:443"`)).page(http.StatusOK, appOrigin)
		if !strings.Contains(body, e.connID) || !strings.Contains(body, "Administrator") {
			t.Fatal("customer-level widget does not show the connection and the administrator")
		}
	})
}

// Error pages: framed by the origin and posting the error once the origin
// is verified, else framed by no one and silent; never echoing the token.
func TestDirectLinkErrorPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newLinkEnv(t, s)
		valid := e.sign("Eacme:Eada", "")
		e.get(e.conn+"?dl_token={token}", valid).page(http.StatusOK, appOrigin)
		forged := linktokentest.NewKey(t, keys.EdDSA, "k1")
		cases := []struct {
			name, path   string
			link         link
			status       int
			code, parent string
		}{
			{"replayed (G13)", e.conn + "?dl_token={token}", valid, 401, "jti_replayed", appOrigin},
			{"stale", e.conn + "?dl_token={token}", link{token: e.key.Sign(t, e.key.Header(), linktokentest.Claims(e.vendor.ID+":Eacme", e.clock.Now().Add(-time.Hour)))}, 401, "token_too_old", appOrigin},
			{"user of no customer", e.conn + "?dl_token={token}", e.sign("Eacme:Enobody", ""), 401, "user_not_found", appOrigin},
			{"forged", e.conn + "?dl_token={token}", link{token: forged.Sign(t, `{"alg":"RS256","kid":"k1"}`, linktokentest.Claims(e.vendor.ID+":Eacme", e.clock.Now()))}, 401, "signature_invalid", ""},
			{"origin not allowed", e.conn + "?dl_token={token}", e.sign("Eacme", `"origin":"https://evil.test"`), 403, "origin_not_allowed", ""},
			{"CSP injection in origin (C21)", e.conn + "?dl_token={token}", e.sign("Eacme", `"origin":"https://app.acme.test; script-src *"`), 400, "origin_malformed", ""},
			{"unknown customer", e.conn + "?dl_token={token}", e.sign("Enope", ""), 401, "customer_not_found", ""},
			{"no token", e.conn, link{}, 400, "token_missing", ""},
			{"empty token", e.conn + "?dl_token=", link{}, 400, "token_missing", ""},
			{"token twice (A14)", e.conn + "?dl_token={token}&dl_token=x", e.sign("Eacme", ""), 400, "token_duplicated", ""},
			{"query too long (A12)", e.conn + "?dl_token=" + strings.Repeat("a", 13<<10), link{}, 400, "token_too_large", ""},
			{"token too long (A12)", e.conn + "?dl_token=" + strings.Repeat("a", 8<<10+1), link{}, 400, "token_too_large", ""},
			{"bad escape", e.conn + "?dl_token=%zz", link{}, 400, "query_invalid", ""},
			{"bad connection id", "/direct_link/embedded/connections/con%2042?dl_token={token}", e.sign("Eacme", ""), 400, "connection_id_invalid", ""},
			{"unknown app page", "/direct_link/embedded/app?dl_path=/nope&dl_token={token}", e.sign("Eacme", ""), 404, "page_not_found", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e.get(tc.path, tc.link).errorPage(tc.status, tc.code, tc.parent)
			})
		}

		t.Run("referrer on another origin (C19)", func(t *testing.T) {
			e.get(e.conn+"?dl_token={token}", e.sign("Eacme", ""), "Referer", "https://evil.test/page").errorPage(403, "origin_mismatch", appOrigin)
			e.get(e.conn+"?dl_token={token}", e.sign("Eacme", ""), "Referer", appOrigin+"/settings?tab=1").page(200, appOrigin)
		})
		t.Run("a malformed URL does not use up the token", func(t *testing.T) {
			l := e.sign("Eacme", "")
			e.get("/direct_link/embedded/connections/bad%20id?dl_token={token}", l).errorPage(400, "connection_id_invalid", "")
			e.get("/direct_link/embedded/app?dl_path=//evil.test&dl_token={token}", l).errorPage(400, "path_invalid", "")
			e.get(e.conn+"?dl_token={token}", l).page(200, appOrigin)
		})
		t.Run("HEAD does not use up the token", func(t *testing.T) {
			l := e.sign("Eacme", "")
			r := e.doAs("", "HEAD", e.conn+"?dl_token="+l.token, nil)
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET" {
				t.Fatalf("HEAD: %d, Allow %q", r.status, r.header.Get("Allow"))
			}
			e.get(e.conn+"?dl_token={token}", l).page(200, appOrigin)
		})
	})
}

// With the database down, links are refused with 503 (C17, J13); without
// encryption keys, no session can be opened.
func TestDirectLinkUnavailable(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	l := e.sign("Eacme", "")
	must(t, e.store.Close())
	e.get(e.conn+"?dl_token={token}", l).errorPage(503, auth.CodeUnavailable, "")

	e = newLinkEnv(t, storetest.SQLite(t), func(c *Config) { c.Keys = nil })
	e.get(e.conn+"?dl_token={token}", e.sign("Eacme", "")).errorPage(503, codeSessionsUnavailable, "")
	e.doAs("", "GET", "/connections", nil).page(503, "")
}

// SSO sets a first-party session cookie and redirects to dl_path; the
// workspace there is never framed and never shows the token.
func TestDirectLinkSSO(t *testing.T) {
	for _, tc := range []struct {
		publicURL, cookie string
		secure            bool
	}{
		{"http://oriel.test", "oriel_session", false},
		{"https://oriel.test", "__Host-oriel_session", true},
	} {
		t.Run(tc.publicURL, func(t *testing.T) {
			e := newLinkEnv(t, storetest.SQLite(t), func(c *Config) { c.PublicURL = tc.publicURL })
			r := e.get("/direct_link/sso?dl_path=/connections&dl_token={token}", e.sign("Eacme:Eada", ""))
			r.want(http.StatusSeeOther)
			if r.header.Get("Location") != "/connections" || !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Fatalf("303 headers %v", r.header)
			}
			cookies := (&http.Response{Header: r.header}).Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies %v", cookies)
			}
			c := cookies[0]
			if c.Name != tc.cookie || c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" ||
				c.MaxAge != int(auth.DefaultSessionTTL.Seconds()) || !strings.HasPrefix(c.Value, "ors_") {
				t.Fatalf("cookie %+v", c)
			}

			body := e.doAs("", "GET", "/connections", nil, "Cookie", c.Name+"="+c.Value).page(http.StatusOK, "")
			for _, want := range []string{"Ada Lovelace", "Acme Corp", "No connections yet"} {
				if !strings.Contains(body, want) {
					t.Fatalf("workspace lacks %s", want)
				}
			}
			if strings.Contains(body, c.Value) || strings.Contains(body, "data-session") || strings.Contains(body, "data-parent-origin") {
				t.Fatal("the top-level workspace exposes the HttpOnly session, or a parent to post to")
			}

			e.doAs("", "GET", "/connections", nil).errorPage(401, codeSessionMissing, "")
			e.doAs("", "GET", "/connections", nil, "Cookie", c.Name+"=ors_garbage").errorPage(401, "token_invalid", "")
			e.clock.Advance(auth.DefaultSessionTTL)
			e.doAs("", "GET", "/connections", nil, "Cookie", c.Name+"="+c.Value).errorPage(401, "token_expired", "")
		})
	}
}

// SSO pages are top level: even after the origin is verified, an error is
// framed by no one and posted nowhere.
func TestDirectLinkSSOErrors(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	l := e.sign("Eacme", "")
	e.get("/direct_link/sso?dl_path=/connections&dl_token={token}", l).want(http.StatusSeeOther)
	r := e.get("/direct_link/sso?dl_path=/connections&dl_token={token}", l)
	r.errorPage(401, "jti_replayed", "")
	if len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatal("a refused SSO link set a cookie")
	}
}

// dl_path must be a page of this host: the open-redirect shapes of catalogue
// H07 are refused, set no cookie, redirect nowhere and use up no token.
func TestDirectLinkNoOpenRedirect(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	l := e.sign("Eacme", "")
	for _, p := range []string{
		"//evil.test", "https://evil.test", "https:evil.test", `/\evil.test`, `\\evil.test`, "javascript:alert(1)",
		"https://app.acme.test.evil.test", "/%2F%2Fevil.test", "%2F%2Fevil.test", "/%5Cevil.test", "/connections/../x",
		"/./connections", "/connections/", "", " /connections", "/connections%0d%0aSet-Cookie:x=y", "/connections\t",
		"/conn%00ections", "/connections?next=//evil.test", "/connections#x", "/conn%65ctions", "/ünïcode",
	} {
		for _, base := range []string{"/direct_link/sso", "/direct_link/embedded/app"} {
			r := e.get(base+"?dl_path="+url.QueryEscape(p)+"&dl_token={token}", l)
			r.errorPage(400, codePathInvalid, "")
			if r.header.Get("Location") != "" || len(r.header.Values("Set-Cookie")) != 0 {
				t.Fatalf("%s %q: Location %q, cookies %v", base, p, r.header.Get("Location"), r.header.Values("Set-Cookie"))
			}
		}
	}
	for _, q := range []string{"dl_token={token}", "dl_path=/connections&dl_path=/connections&dl_token={token}"} {
		e.get("/direct_link/sso?"+q, l).errorPage(400, codePathInvalid, "")
	}
	e.get("/direct_link/sso?dl_path=/nope&dl_token={token}", l).errorPage(404, codePageNotFound, "")
	e.get("/direct_link/sso?dl_path=/connections&dl_token={token}", l).want(http.StatusSeeOther)
}

// Logs never hold a token, a jti or a session; every refusal is one line
// with its code and the token's loggable facts (catalogue L01, L02).
func TestDirectLinkLogs(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	ok := e.sign("Eacme:Eada", "")
	okBody := e.get(e.conn+"?dl_token={token}", ok).page(200, appOrigin)
	session := regexp.MustCompile(`data-session="(ors_[^"]+)"`).FindStringSubmatch(okBody)[1]
	refusedLinks := []link{ok, e.sign("Eacme", `"origin":"https://evil.test"`), e.sign("Enope", "")}
	for _, l := range refusedLinks {
		e.get(e.conn+"?dl_token={token}", l)
	}
	sso := e.sign("Eacme", "")
	e.get("/direct_link/sso?dl_path=/connections&dl_token={token}", sso).want(303)

	logs := e.logs.String()
	for _, secret := range []string{"eyJ", ok.token, ok.jti, refusedLinks[1].jti, sso.jti, session, "ors_"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the logs hold %q:\n%s", secret, logs)
		}
	}
	lines := regexp.MustCompile(`(?m)^.*"msg":"page refused".*$`).FindAllString(logs, -1)
	if len(lines) != len(refusedLinks) {
		t.Fatalf("%d refusal lines for %d refusals:\n%s", len(lines), len(refusedLinks), logs)
	}
	for i, code := range []string{"jti_replayed", "origin_not_allowed", "customer_not_found"} {
		for _, want := range []string{`"code":"` + code + `"`, `"vendor_id":"` + e.vendor.ID + `"`, `"kid":"k1"`, `"jti_sha256":"` + auth.HashJTI(refusedLinks[i].jti) + `"`, `"request_id":"req_`} {
			if !strings.Contains(lines[i], want) {
				t.Fatalf("refusal line %d lacks %s: %s", i, want, lines[i])
			}
		}
	}
}

// The pages' assets are served from this host; nothing else is.
func TestStatic(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.doAs("", "GET", "/static/widget.js", nil).want(200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || !strings.Contains(string(r.body), "history.replaceState") {
		t.Fatalf("widget.js: %s", ct)
	}
	e.doAs("", "GET", "/static/oriel.css", nil).want(200)
	e.doAs("", "GET", "/static/nope.js", nil).problem(404, "asset_not_found")
	e.doAs("", "GET", "/static/", nil).problem(404, codeRouteNotFound)
}

// Catalogue K04: an address that floods Oriel with forged links is answered
// 429 with Retry-After before any token work, while a valid link from
// another address still opens.
func TestDirectLinkFloodLimited(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	open := func(addr, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/direct_link/embedded/app?dl_path=/connections&dl_token="+url.QueryEscape(token), nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		return w
	}
	forged := e.sign("Eacme", "").token + "A"
	for i := range DefaultLinkFailureRate.Burst {
		if w := open("198.51.100.7:4000", forged); w.Code == http.StatusTooManyRequests {
			t.Fatalf("refused link %d was already rate limited", i+1)
		}
	}
	w := open("198.51.100.7:4000", e.sign("Eacme", "").token)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after %d refused links the address got %d (Retry-After %q), want 429 with Retry-After", DefaultLinkFailureRate.Burst, w.Code, w.Header().Get("Retry-After"))
	}
	if w := open("203.0.113.9:4000", e.sign("Eacme", "").token); w.Code != http.StatusOK {
		t.Fatalf("a valid link from another address got %d, want 200", w.Code)
	}
}

// Catalogue G20: an embedded link opened at the top level is refused without
// spending its token: with frame_required when it would open in its iframe,
// and with its real refusal otherwise, shown at the top level (issue 13).
func TestDirectLinkTopLevelRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newLinkEnv(t, s)
		ctx := context.Background()
		bare := &oriel.Customer{VendorID: e.vendor.ID, ExternalID: "bare", Name: "Bare", AllowedOrigins: []string{"https://bare.test"}}
		must(t, s.CreateCustomer(ctx, bare))
		otherKey := linktokentest.NewKey(t, keys.EdDSA, "k1")
		app := "/direct_link/embedded/app?dl_path=/connections&dl_token={token}"
		cases := []struct {
			name, path string
			link       link
			status     int
			code       string
		}{
			{"accepted", e.conn + "?dl_token={token}", e.sign("Eacme", ""), 403, "frame_required"},
			{"accepted app", app, e.sign("Eacme", ""), 403, "frame_required"},
			{"wrong signing key", e.conn + "?dl_token={token}", link{token: otherKey.Sign(t, `{"alg":"RS256","kid":"k1"}`, linktokentest.Claims(e.vendor.ID+":Eacme", e.clock.Now()))}, 401, "signature_invalid"},
			{"unknown vendor", e.conn + "?dl_token={token}", link{token: e.key.Sign(t, e.key.Header(), linktokentest.Claims("vnd_nope:Eacme", e.clock.Now()))}, 401, "unknown_key"},
			{"origin not allowed", e.conn + "?dl_token={token}", e.sign("Eacme", `"origin":"https://evil.test"`), 403, "origin_not_allowed"},
			{"customer origins without the claim's", app, e.sign("Ebare", `"origin":"https://app.acme.test"`), 403, "origin_not_allowed"},
			{"user of no customer", e.conn + "?dl_token={token}", e.sign("Eacme:Enobody", ""), 401, "user_not_found"},
			{"connection of no customer of the token", missingConnection + "?dl_token={token}", e.sign("Eacme", ""), 404, "connection_not_found"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e.get(tc.path, tc.link, "Sec-Fetch-Dest", "document").errorPage(tc.status, tc.code, "")
				e.get(tc.path, tc.link, "Sec-Fetch-Dest", "document").errorPage(tc.status, tc.code, "")
				framed := e.get(tc.path, tc.link, "Sec-Fetch-Dest", "iframe")
				if tc.code == "frame_required" {
					framed.page(http.StatusOK, appOrigin) // the token was not spent
				} else if framed.status != tc.status {
					t.Fatalf("framed: %d, want %d", framed.status, tc.status)
				}
			})
		}
		t.Run("no allowed origin at all", func(t *testing.T) {
			_, err := s.UpdateVendor(ctx, e.vendor.ID, oriel.VendorUpdate{AllowedOrigins: &[]string{}})
			must(t, err)
			l := e.sign("Eacme", "")
			e.get(e.conn+"?dl_token={token}", l, "Sec-Fetch-Dest", "document").errorPage(403, "no_allowed_origin", "")
			_, err = s.UpdateVendor(ctx, e.vendor.ID, oriel.VendorUpdate{AllowedOrigins: &[]string{appOrigin}})
			must(t, err)
			e.get(e.conn+"?dl_token={token}", l, "Sec-Fetch-Dest", "document").errorPage(403, "frame_required", "")
			e.get(e.conn+"?dl_token={token}", l).page(http.StatusOK, appOrigin)
		})
	})
}

// Issue 9: the connection a link names is checked before its jti is spent,
// so a link to a connection that is not its customer's does not burn the
// token (the refusal, after the origin is verified, is posted to the parent).
func TestDirectLinkWrongConnectionKeepsToken(t *testing.T) {
	e := newLinkEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	other := &oriel.Customer{VendorID: e.vendor.ID, ExternalID: "globex", Name: "Globex"}
	must(t, e.store.CreateCustomer(ctx, other))
	conn := &oriel.Connection{VendorID: e.vendor.ID, CustomerID: other.ID, Integration: "keys"}
	must(t, e.store.CreateConnection(ctx, conn))

	l := e.sign("Eacme:Eada", "")
	e.get("/direct_link/embedded/connections/"+conn.ID+"?dl_token={token}", l).errorPage(404, "connection_not_found", appOrigin)
	e.get(missingConnection+"?dl_token={token}", l).errorPage(404, "connection_not_found", appOrigin)
	e.get(e.conn+"?dl_token={token}", l).page(http.StatusOK, appOrigin)
	e.get(e.conn+"?dl_token={token}", l).errorPage(401, "jti_replayed", appOrigin)
}
