package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		r := e.doAs("", "GET", "/v1/vendor", nil)
		r.problem(401, "api_key_missing")
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="oriel"` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
		for name, header := range map[string]string{
			"basic":        "Basic " + e.secret,
			"no scheme":    e.secret,
			"empty bearer": "Bearer ",
			"not a key":    "Bearer eyJhbGciOi",
			"unknown key":  "Bearer sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"altered key":  "Bearer " + e.secret[:len(e.secret)-1] + "x",
		} {
			t.Run(name, func(t *testing.T) {
				req := httptest.NewRequest("GET", "/v1/vendor", nil)
				req.Header.Set("Authorization", header)
				rec := httptest.NewRecorder()
				e.srv.ServeHTTP(rec, req)
				r := &result{t: t, req: name, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
				r.problem(401, "api_key_invalid")
				if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="oriel", error="invalid_token"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
			})
		}
		e.doAs("", "GET", "/v1/vendor", nil, "Authorization", "bearer "+e.secret).want(200)
		e.do("GET", "/v1/vendor", nil, "Authorization", "Bearer "+e.secret).problem(401, "api_key_invalid") // two headers
		e.doAs("", "GET", "/healthz", nil).want(200)
	})
}

// TestCrossVendor checks that one vendor can neither see nor change
// another's objects, and that every such attempt answers 404, never 403.
func TestCrossVendor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		a := newEnv(t, s)
		customer := field(a.do("POST", "/v1/customers", map[string]any{"external_id": "shared"}).want(201).object(), "id")
		user := field(a.do("POST", "/v1/customers/"+customer+"/users", map[string]any{"external_id": "u"}).want(201).object(), "id")
		signingKey := field(a.do("POST", "/v1/signing-keys", map[string]any{"public_key": publicPEM(t, "p256")}).want(201).object(), "id")

		b, bSecret := a.newVendor("Globex")
		for _, req := range []struct{ method, path, code string }{
			{"GET", "/v1/customers/" + customer, "customer_not_found"},
			{"GET", "/v1/customers/Eshared", "customer_not_found"},
			{"PATCH", "/v1/customers/" + customer, "customer_not_found"},
			{"DELETE", "/v1/customers/" + customer, "customer_not_found"},
			{"GET", "/v1/customers/" + customer + "/users", "customer_not_found"},
			{"POST", "/v1/customers/" + customer + "/users", "customer_not_found"},
			{"GET", "/v1/customers/" + customer + "/users/" + user, "user_not_found"},
			{"PATCH", "/v1/customers/" + customer + "/users/" + user, "user_not_found"},
			{"DELETE", "/v1/customers/" + customer + "/users/" + user, "user_not_found"},
			{"DELETE", "/v1/signing-keys/" + signingKey, "signing_key_not_found"},
			{"DELETE", "/v1/api-keys/" + a.key.ID, "api_key_not_found"},
		} {
			var body any
			if req.method == "PATCH" || req.method == "POST" {
				body = map[string]any{"name": "taken over"}
			}
			r := a.doAs(bSecret, req.method, req.path, body)
			r.problem(http.StatusNotFound, req.code)
		}
		for _, path := range []string{"/v1/customers", "/v1/signing-keys", "/v1/api-keys"} {
			var page listPage[map[string]any]
			a.doAs(bSecret, "GET", path, nil).want(200).into(&page)
			for _, item := range page.Data {
				if item["vendor_id"] != b.ID {
					t.Fatalf("%s shows another vendor's object %v", path, item)
				}
			}
		}
		if v := a.doAs(bSecret, "GET", "/v1/vendor", nil).want(200).object(); field(v, "id") != b.ID {
			t.Fatalf("GET /v1/vendor = %v, want vendor %s", v, b.ID)
		}
		// Everything of vendor A is intact.
		a.do("GET", "/v1/customers/"+customer+"/users/"+user, nil).want(200)
		a.do("GET", "/v1/vendor", nil).want(200)
		// External ids are unique per vendor only.
		a.doAs(bSecret, "POST", "/v1/customers", map[string]any{"external_id": "shared"}).want(201)
	})
}
