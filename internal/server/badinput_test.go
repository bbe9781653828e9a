package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// bodyEndpoints are the routes that take a JSON body, each with a string
// field it takes.
var bodyEndpoints = []bodyEndpoint{
	{"PATCH", "/v1/vendor", "name"},
	{"POST", "/v1/customers", "external_id"},
	{"PATCH", "/v1/customers/{customer}", "name"},
	{"POST", "/v1/customers/{customer}/users", "external_id"},
	{"PATCH", "/v1/customers/{customer}/users/{user}", "name"},
	{"POST", "/v1/signing-keys", "kid"},
	{"PUT", "/v1/signing-key", "public_key"},
	{"POST", "/v1/direct-links/inspect", "token"},
	{"POST", "/v1/api-keys", "name"},
	{"PUT", "/v1/integrations/{key}", "provider"},
	{"PUT", "/v1/integrations/{key}/logo", "url"},
	{"POST", "/v1/customers/{customer}/connections", "integration"},
	{"POST", "/v1/webhook-endpoints", "url"},
	{"PUT", "/v1/appearance", "mode"},
	{"POST", "/v1/customers/{customer}/benefit-plans", "name"},
	{"PATCH", "/v1/customers/{customer}/benefit-plans/{id}", "name"},
	{"POST", "/v1/customers/{customer}/enrollment-windows", "reason"},
	{"POST", "/v1/benefit-elections/{id}/activate", "effective_date"},
	{"POST", "/v1/benefit-elections/{id}/terminate", "end_date"},
	{"POST", "/v1/appointment-types", "name"},
	{"PATCH", "/v1/appointment-types/{id}", "name"},
}

// bodylessPosts are the POST routes that take no body.
var bodylessPosts = []string{"/v1/webhook-events/{id}/retry", "/v1/appointments/{id}/cancel", "/widget-api/appointments/{id}/cancel"}

// listBodies are the routes whose body holds one list and no string field;
// appointments_test.go covers their malformed bodies.
var listBodies = []string{"/v1/appointment-types/{id}/slots"}

type bodyEndpoint struct{ method, path, field string }

func TestBodyEndpointsComplete(t *testing.T) {
	for _, rt := range (&Server{}).routes() {
		if rt.method == "GET" || rt.method == "DELETE" || rt.access == oauthClient || slices.Contains(bodylessPosts, rt.path) || slices.Contains(listBodies, rt.path) {
			continue // the token endpoints answer OAuth errors: accesstokens_test.go covers their bodies
		}
		if rt.access == widgetManage || rt.access == widgetEmployee {
			continue // widget API bodies need a session: widgetapi_test.go and benefits_test.go and appointments_test.go cover them
		}
		if rt.access == vendorProxy {
			continue // the proxy streams bodies to the provider as they are: proxy_test.go covers them
		}
		if !slices.ContainsFunc(bodyEndpoints, func(ep bodyEndpoint) bool {
			return ep.method == rt.method && ep.path == rt.path
		}) {
			t.Errorf("%s %s takes a body but is missing from bodyEndpoints", rt.method, rt.path)
		}
	}
}

// newBodyEnv is an env with customer Ec and its user Eu, and a function that
// fills a bodyEndpoints path with them.
func newBodyEnv(t *testing.T, s *store.SQL) (*env, func(string) string) {
	e := newEnv(t, s)
	e.do("POST", "/v1/customers", map[string]any{"external_id": "c"}).want(201)
	e.do("POST", "/v1/customers/Ec/users", map[string]any{"external_id": "u"}).want(201)
	return e, strings.NewReplacer("{customer}", "Ec", "{user}", "Eu", "{key}", "k", "{id}", "x").Replace
}

func TestMalformedBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e, fill := newBodyEnv(t, s)
		for _, ep := range bodyEndpoints {
			name, path := ep.field, fill(ep.path)
			for body, code := range map[string]string{
				``:                                  "invalid_json",
				`   `:                               "invalid_json",
				`{`:                                 "invalid_json",
				`{"` + name + `":"x",}`:             "invalid_json",
				`{"` + name + `":"x"} {}`:           "invalid_json",
				`{"` + name + `":"x"}x`:             "invalid_json",
				`[]`:                                "invalid_json",
				`null`:                              "invalid_json",
				`"text"`:                            "invalid_json",
				`name=x`:                            "invalid_json",
				strings.Repeat("[", 20000):          "invalid_json",
				`{"` + name + `":"x","surprise":1}`: "unknown_field",
				`{"id":"vnd_1"}`:                    "unknown_field",
				`{"` + name + `":42}`:               "invalid_type",
				`{"` + name + `":{"nested":true}}`:  "invalid_type",
				`{"` + name + `":["a"]}`:            "invalid_type",
			} {
				e.do(ep.method, path, body).problem(400, code)
			}
			e.do(ep.method, path, `{"`+strings.Repeat("a", maxBodyBytes)+`":1}`).problem(413, "body_too_large")
		}
		for _, tc := range []struct{ body, code, detail string }{
			{`{"external_id":"x","allowed_origins":[1]}`, "invalid_type", "allowed_origins[0]: expected a string, got a JSON number"},
			{`{"external_id":"x","allowed_origins":"a"}`, "invalid_type", "allowed_origins: expected an array of strings, got a JSON string"},
			{`{"external_id":"x","surprise":1}`, "unknown_field", `unknown field "surprise"`},
			{`{"external_id":"x",}`, "invalid_json", "at byte"},
		} {
			if detail := e.do("POST", "/v1/customers", tc.body).problem(400, tc.code); !strings.Contains(detail, tc.detail) {
				t.Errorf("%s: detail %q does not say %q", tc.body, detail, tc.detail)
			}
		}
	})
}

func TestValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		e.do("POST", "/v1/customers", map[string]any{"external_id": "c"}).want(201)
		long := strings.Repeat("é", 256)
		for _, tc := range []struct {
			method, path string
			body         map[string]any
			code         string
		}{
			{"POST", "/v1/customers", map[string]any{"name": "no external id"}, "external_id_invalid"},
			{"POST", "/v1/customers", map[string]any{"external_id": ""}, "external_id_invalid"},
			{"POST", "/v1/customers", map[string]any{"external_id": long}, "external_id_invalid"},
			{"POST", "/v1/customers", map[string]any{"external_id": "a\nb"}, "external_id_invalid"},
			{"POST", "/v1/customers", map[string]any{"external_id": "ok", "name": long}, "name_invalid"},
			{"POST", "/v1/customers", map[string]any{"external_id": "ok", "name": "tab\there"}, "name_invalid"},
			{"PATCH", "/v1/customers/Ec", map[string]any{"external_id": ""}, "external_id_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"role": "owner"}, "role_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"role": "Admin"}, "role_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"email": "Alice <alice@acme.test>"}, "email_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"email": "alice"}, "email_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"email": "alice@acme.test "}, "email_invalid"},
			{"POST", "/v1/customers/Ec/users", map[string]any{"external_id": long}, "external_id_invalid"},
			{"POST", "/v1/api-keys", map[string]any{"name": long}, "name_invalid"},
			{"POST", "/v1/signing-keys", map[string]any{"public_key": "x", "kid": strings.Repeat("k", 129)}, "kid_invalid"},
			{"PATCH", "/v1/vendor", map[string]any{"allowed_origins": make([]string, 101)}, "too_many_origins"},
		} {
			e.do(tc.method, tc.path, tc.body).problem(422, tc.code)
		}

		for _, bad := range []string{
			"https://app.acme.test/", "https://app.acme.test/path", "https://*.acme.test", "*", "ftp://acme.test",
			"https://app.acme.test?x=1", "https://app.acme.test#f", "https://user@app.acme.test", "https://app acme.test",
			"https://app.acme.test;", "app.acme.test", "null", "",
		} {
			body := map[string]any{"external_id": "o", "allowed_origins": []string{"https://fine.test", bad}}
			detail := e.do("POST", "/v1/customers", body).problem(422, "origin_invalid")
			if !strings.Contains(detail, "allowed_origins[1]") || bad != "" && !strings.Contains(detail, bad) {
				t.Errorf("origin %q: detail %q does not name the entry", bad, detail)
			}
			e.do("PATCH", "/v1/customers/Ec", map[string]any{"allowed_origins": []string{bad}}).problem(422, "origin_invalid")
		}
	})
}

func TestUnroutedRequests(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, path := range []string{"/", "/v2/customers", "/v1/customers/", "/v1/customer", "/v1/customers/a/b/c/d"} {
		e.do("GET", path, nil).problem(404, "route_not_found")
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v1/vendor", "GET, HEAD, PATCH"},
		{"PUT", "/v1/customers", "GET, HEAD, POST"},
		{"POST", "/v1/customers/Ec", "DELETE, GET, HEAD, PATCH"},
		{"GET", "/v1/signing-key", "PUT"},
		{"POST", "/healthz", "GET, HEAD"},
		{"OPTIONS", "/v1/api-keys/key_1", "DELETE"},
	} {
		r := e.doAs("", tc.method, tc.path, nil)
		r.problem(405, "method_not_allowed")
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
	e.doAs("", "HEAD", "/healthz", nil).want(200)
}

// TestStrictJSON: every JSON body is decoded strictly, as docs/errors.md
// promises: names match exactly, a name given twice is refused rather than
// the last one winning, invalid UTF-8 is refused rather than replaced (so
// two different ids cannot collide), and only application/json is taken.
func TestStrictJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e, fill := newBodyEnv(t, s)
		for _, ep := range bodyEndpoints {
			name, path := ep.field, fill(ep.path)
			for body, code := range map[string]string{
				`{"` + strings.ToUpper(name) + `":"x"}`:                "unknown_field",
				`{"` + strings.ToUpper(name[:1]) + name[1:] + `":"x"}`: "unknown_field",
				`{"` + name + `":"x","` + name + `":"y"}`:              "duplicate_field",
				"{\"" + name + "\":\"a\xffb\"}":                        "invalid_utf8",
				"{\"" + name + "\xfe\":\"x\"}":                         "invalid_utf8",
			} {
				e.do(ep.method, path, body).problem(400, code)
			}
			for _, contentType := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/problem+json"} {
				e.do(ep.method, path, `{"`+name+`":"x"}`, "Content-Type", contentType).problem(415, "unsupported_media_type")
			}
		}
		// Two external ids that differ only in invalid bytes were one after
		// U+FFFD replacement; now neither is accepted.
		e.do("POST", "/v1/customers", "{\"external_id\":\"id\xff\"}").problem(400, "invalid_utf8")
		e.do("POST", "/v1/customers", map[string]any{"external_id": "fine"}, "Content-Type", "application/json; charset=utf-8").want(201)
		for _, tc := range []struct{ body, code, detail string }{
			{`{"External_Id":"x","NAME":"y"}`, "unknown_field", `"External_Id"`},
			{`{"external_id":"a","allowed_origins":[],"external_id":"b"}`, "duplicate_field", "external_id appears more than once"},
			{`{"external_id":"a","allowed_origins":["https://a.test",7]}`, "invalid_type", "allowed_origins[1]"},
		} {
			if detail := e.do("POST", "/v1/customers", tc.body).problem(400, tc.code); !strings.Contains(detail, tc.detail) {
				t.Errorf("%s: detail %q does not say %q", tc.body, detail, tc.detail)
			}
		}
	})
}
