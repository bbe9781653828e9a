package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// tokenWorld is a world whose acme also has an admin, bob, and which issues
// bound access tokens.
type tokenWorld struct {
	*world
	bobID string
}

func newTokenWorld(t *testing.T, s *store.SQL) *tokenWorld {
	t.Helper()
	w := &tokenWorld{world: newWorld(t, s)}
	bob := &oriel.User{VendorID: w.vendor.ID, CustomerID: w.acmeID, ExternalID: "bob", Role: oriel.RoleAdmin}
	must(t, s.CreateUser(context.Background(), bob))
	w.bobID = bob.ID
	return w
}

// token issues a bound access token for entity with the vendor's API key.
func (w *tokenWorld) token(entity map[string]any) string {
	w.t.Helper()
	var got accessTokenResponse
	w.do("POST", issuePath, grant(entity)).want(http.StatusOK).into(&got)
	return got.AccessToken
}

// sdk calls the widget API as an SDK-mode page framed by parent does.
func (w *tokenWorld) sdk(token, parent, method, path string, body any) *result {
	w.t.Helper()
	return w.doAs(token, method, path, body, parentOriginHeader, parent)
}

// widgetCall is one widget API endpoint of a connection (path after its id).
type widgetCall struct {
	method, path string
	manage       bool
}

var widgetCalls = []widgetCall{
	{"GET", "", false}, {"POST", "/fields", true}, {"POST", "/disconnect", true}, {"POST", "/oauth-start", true},
}

func (c widgetCall) body() any {
	if c.path == "/fields" {
		return map[string]any{"values": map[string]string{"api_key": "x"}}
	}
	return nil
}

// Row-level security for bound access tokens (issue 5): every entity sees
// its customer's connections only, on every endpoint; another customer's,
// another vendor's and a missing connection answer the same 404; a viewer
// changes nothing.
func TestWidgetAPIAccessTokenMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newTokenWorld(t, s)
		entities := []struct {
			name   string
			entity map[string]any
			role   oriel.Role
		}{
			{"customer-bound", map[string]any{"type": "customer", "id": "Eacme"}, oriel.RoleAdmin},
			{"user-bound admin", map[string]any{"type": "user", "id": w.bobID}, oriel.RoleAdmin},
			{"user-bound viewer", map[string]any{"type": "user", "id": "Eada", "customer": "Eacme"}, oriel.RoleViewer},
		}
		others := map[string]string{
			"customer B of the vendor": w.globexCRM.ID,
			"another vendor's":         w.otherVendor.ID,
			"nonexistent":              "con_nope",
		}
		for _, e := range entities {
			t.Run(e.name, func(t *testing.T) {
				tok := w.token(e.entity)

				var viewer map[string]any
				w.sdk(tok, appOrigin, "GET", "/widget-api/viewer", nil).want(http.StatusOK).into(&viewer)
				matchSchema(t, "WidgetViewer", viewer)
				if viewer["role"] != string(e.role) || viewer["can_manage"] != (e.role != oriel.RoleViewer) {
					t.Fatalf("viewer %v, want role %s", viewer, e.role)
				}

				// The employee dashboard acts for a user only, whatever the
				// role (TestBenefitsWidgetMatrix covers its routes in depth).
				for _, path := range []string{"/widget-api/benefits/overview", "/widget-api/benefits/dependents", "/widget-api/benefits/elections"} {
					if r := w.sdk(tok, appOrigin, "GET", path, nil); e.entity["type"] == "customer" {
						r.problem(http.StatusForbidden, codeUserBindingRequired)
					} else {
						r.want(http.StatusOK)
					}
				}

				var page listPage[map[string]any]
				w.sdk(tok, appOrigin, "GET", "/widget-api/connections", nil).want(http.StatusOK).into(&page)
				var ids []string
				for _, c := range page.Data {
					ids = append(ids, field(c, "id"))
				}
				if !slices.Equal(ids, []string{w.keys.ID, w.crm.ID}) {
					t.Fatalf("the list holds %v, want acme's %s and %s only", ids, w.keys.ID, w.crm.ID)
				}
				w.sdk(tok, appOrigin, "GET", "/widget-api/connections/"+w.crm.ID, nil).want(http.StatusOK)

				for other, id := range others {
					for _, call := range widgetCalls {
						r := w.sdk(tok, appOrigin, call.method, "/widget-api/connections/"+id+call.path, call.body())
						if e.role == oriel.RoleViewer && call.manage {
							// The role is checked before the id: the answer is the
							// same for every id, so it tells nothing about other.
							r.problem(http.StatusForbidden, codeRoleForbidden)
							continue
						}
						if detail := r.problem(http.StatusNotFound, codeConnectionNotFound); detail != "no such connection" {
							t.Fatalf("%s (%s): detail %q differs from a missing connection's", r.req, other, detail)
						}
						if strings.Contains(string(r.body), id) && id != "con_nope" {
							t.Fatalf("%s (%s): the answer names the connection: %s", r.req, other, r.body)
						}
					}
				}
				if e.role == oriel.RoleViewer {
					for _, call := range widgetCalls {
						if call.manage {
							w.sdk(tok, appOrigin, call.method, "/widget-api/connections/"+w.keys.ID+call.path, call.body()).problem(http.StatusForbidden, codeRoleForbidden)
						}
					}
				}
			})
		}
		if w.status(w.globexCRM) != "disconnected" || w.status(w.keys) != "disconnected" || w.idp.TokenCalls(idpClientID) != 0 {
			t.Fatal("a connection changed")
		}
	})
}

// The parent origin a page sends must be one its customer allows, exactly.
func TestWidgetAPIAccessTokenOrigin(t *testing.T) {
	w := newTokenWorld(t, storetest.SQLite(t))
	tok := w.token(map[string]any{"type": "customer", "id": "Eacme"})
	list := "/widget-api/connections"
	w.sdk(tok, appOrigin, "GET", list, nil).want(http.StatusOK)
	w.doAs(tok, "GET", list, nil).problem(http.StatusForbidden, auth.CodeOriginNotAllowed)
	for _, parent := range []string{"https://evil.test", "HTTPS://app.acme.test", "https://app.acme.test/", "https://app.acme.test:443", "null", "*", ""} {
		w.sdk(tok, parent, "GET", list, nil).problem(http.StatusForbidden, auth.CodeOriginNotAllowed)
	}
	w.doAs(tok, "GET", list, nil, parentOriginHeader, appOrigin, parentOriginHeader, appOrigin).problem(http.StatusForbidden, auth.CodeOriginNotAllowed)

	// A customer's own origins replace the vendor's.
	partner := "https://acme.partner.test"
	w.do("PATCH", "/v1/customers/Eacme", map[string]any{"allowed_origins": []string{partner}}).want(http.StatusOK)
	w.sdk(tok, appOrigin, "GET", list, nil).problem(http.StatusForbidden, auth.CodeOriginNotAllowed)
	w.sdk(tok, partner, "GET", list, nil).want(http.StatusOK)

	// A token is no session cookie, and a session is not checked as a token.
	w.doAs("", "GET", list, nil, "Cookie", w.cookieName()+"="+tok, "X-Oriel-Widget", "1", parentOriginHeader, partner).problem(http.StatusUnauthorized, "token_invalid")
}

// cookieName is the server's session cookie name.
func (w *tokenWorld) cookieName() string { return w.srv.cookieName }

// A token that is expired, revoked, altered or whose customer is gone gets
// nothing, with the code the widget reports.
func TestWidgetAPIAccessTokenRejected(t *testing.T) {
	w := newTokenWorld(t, storetest.SQLite(t))
	list := "/widget-api/connections"
	revoked := w.token(map[string]any{"type": "customer", "id": "Eacme"})
	w.do("POST", revokePath, map[string]any{"token": revoked}).want(http.StatusOK)
	w.sdk(revoked, appOrigin, "GET", list, nil).problem(http.StatusUnauthorized, codeTokenRevoked)

	altered := w.token(map[string]any{"type": "customer", "id": "Eacme"})
	altered = altered[:len(altered)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(altered, "AA")]
	w.sdk(altered, appOrigin, "GET", list, nil).problem(http.StatusUnauthorized, "token_invalid")
	w.sdk("oat_garbage", appOrigin, "GET", list, nil).problem(http.StatusUnauthorized, "token_invalid")

	globex := w.token(map[string]any{"type": "customer", "id": "Eglobex"})
	w.sdk(globex, appOrigin, "GET", list, nil).want(http.StatusOK)
	w.do("DELETE", "/v1/customers/Eglobex", nil).want(http.StatusNoContent)
	w.sdk(globex, appOrigin, "GET", list, nil).problem(http.StatusUnauthorized, "token_invalid")

	expiring := w.token(map[string]any{"type": "customer", "id": "Eacme"})
	w.clock.Advance(DefaultAccessTokenTTL + 1)
	w.sdk(expiring, appOrigin, "GET", list, nil).problem(http.StatusUnauthorized, "token_expired")
	if strings.Contains(w.logs.String(), "oat_") {
		t.Fatal("a token reached the logs")
	}
}

// The SDK-mode pages load with no data and no credential, framed by the
// claimed parent origin, which must be an origin.
func TestWidgetPages(t *testing.T) {
	w := newTokenWorld(t, storetest.SQLite(t))
	for _, path := range []string{"/widgets/connections", "/widgets/connection/" + w.crm.ID} {
		body := w.doAs("", "GET", path+"?parent_origin=HTTPS://App.Acme.test:443", nil).page(http.StatusOK, appOrigin)
		for _, want := range []string{`data-sdk="true"`, `data-parent-origin="` + appOrigin + `"`, "bridge.js", "connections.js"} {
			if !strings.Contains(body, want) {
				t.Fatalf("%s: the page lacks %s", path, want)
			}
		}
		for _, leak := range []string{"data-session", "Acme", "Demo CRM", w.vendor.ID} {
			if strings.Contains(body, leak) {
				t.Fatalf("%s: the page holds %q before any token", path, leak)
			}
		}
		for _, query := range []string{"", "?parent_origin=", "?parent_origin=null", "?parent_origin=https://app.acme.test/x",
			"?parent_origin=https://app.acme.test&parent_origin=https://evil.test", "?parent_origin=*", "?parent_origin=%zz"} {
			w.doAs("", "GET", path+query, nil).errorPage(http.StatusBadRequest, codeParentOriginInvalid, "")
		}
	}
	w.doAs("", "GET", "/widgets/connection/bad%20id?parent_origin="+appOrigin, nil).errorPage(http.StatusBadRequest, codeConnectionIDInvalid, "")
}

// The SDK's bundles are public, cacheable for a short while, and only those.
func TestSDKBundles(t *testing.T) {
	w := newTokenWorld(t, storetest.SQLite(t))
	for _, name := range []string{"oriel.js", "oriel.mjs", "oriel-react.mjs"} {
		r := w.doAs("", "GET", "/sdk/"+name, nil).want(http.StatusOK)
		h := r.header
		if h.Get("Content-Type") != "text/javascript; charset=utf-8" || h.Get("Access-Control-Allow-Origin") != "*" ||
			h.Get("Cross-Origin-Resource-Policy") != "cross-origin" || h.Get("Cache-Control") != "public, max-age=300, must-revalidate" ||
			h.Get("ETag") == "" || h.Get("X-Content-Type-Options") != "nosniff" || len(r.body) < 500 {
			t.Fatalf("%s: headers %v, %d bytes", name, h, len(r.body))
		}
		w.doAs("", "GET", "/sdk/"+name, nil, "If-None-Match", h.Get("ETag")).want(http.StatusNotModified)
	}
	if !strings.Contains(string(w.doAs("", "GET", "/sdk/oriel.js", nil).body), "Oriel") {
		t.Fatal("oriel.js does not define Oriel")
	}
	for _, name := range []string{"nope.js", "..%2Fstatic%2Fwidget.js", "oriel.d.ts"} {
		w.doAs("", "GET", "/sdk/"+name, nil).problem(http.StatusNotFound, "asset_not_found")
	}
}
