package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The widget API shows a session its customer's connections only: another
// customer's or vendor's answer exactly as a missing one, on every endpoint.
func TestWidgetAPIScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		session := w.session("Eacme")
		var page listPage[map[string]any]
		w.widget(session, "GET", "/widget-api/connections", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 2 || field(page.Data[0], "id") != w.keys.ID || field(page.Data[1], "id") != w.crm.ID {
			t.Fatalf("acme's widget lists %v", page.Data)
		}
		keys, crm := page.Data[0], page.Data[1]
		matchSchemaSubset(t, "WidgetConnection", crm)
		if field(crm, "name") != "Demo CRM" || field(crm, "kind") != "oauth2" || field(crm, "status") != "disconnected" ||
			!strings.HasPrefix(field(crm, "logo"), "/logos/m1-DC-") || crm["fields"] != nil {
			t.Fatalf("crm %v: want the generic OAuth 2.0 tile drawn from its name, Demo CRM", crm)
		}
		for _, c := range page.Data {
			logo := w.do("GET", field(c, "logo"), nil).want(http.StatusOK)
			if logo.header.Get("Content-Type") != "image/svg+xml" || logo.header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
				!strings.HasPrefix(string(logo.body), "<svg") {
				t.Fatalf("logo %s: %v %.60s", field(c, "logo"), logo.header, logo.body)
			}
		}
		fields, _ := keys["fields"].([]any)
		if field(keys, "name") != "Acme Keys" || field(keys, "kind") != "api_key" || len(fields) != 1 || fields[0].(map[string]any)["secret"] != true {
			t.Fatalf("keys %v", keys)
		}
		one := w.widget(session, "GET", "/widget-api/connections/"+w.keys.ID, nil).want(http.StatusOK).object()
		if field(one, "id") != w.keys.ID {
			t.Fatalf("one connection %v", one)
		}

		missing := w.widget(session, "GET", "/widget-api/connections/conn_nope", nil)
		missing.problem(http.StatusNotFound, codeConnectionNotFound)
		for _, foreign := range []string{w.globexCRM.ID, w.otherVendor.ID} {
			for _, call := range []struct{ method, path string }{
				{"GET", ""}, {"POST", "/fields"}, {"POST", "/disconnect"}, {"POST", "/oauth-start"},
			} {
				var body any
				if call.path == "/fields" {
					body = map[string]any{"values": map[string]string{"api_key": "x"}}
				}
				r := w.widget(session, call.method, "/widget-api/connections/"+foreign+call.path, body)
				if detail := r.problem(http.StatusNotFound, codeConnectionNotFound); detail != "no such connection" {
					t.Fatalf("%s: detail %q differs from a missing connection's", r.req, detail)
				}
			}
		}
		if w.status(w.globexCRM) != "disconnected" || w.idp.TokenCalls(idpClientID) != 0 {
			t.Fatal("a foreign connection changed")
		}

		// Without a live session, nothing.
		w.doAs("", "GET", "/widget-api/connections", nil).problem(http.StatusUnauthorized, codeSessionMissing)
		w.doAs("ors_garbage", "GET", "/widget-api/connections", nil).problem(http.StatusUnauthorized, "token_invalid")
		w.doAs(w.secret, "GET", "/widget-api/connections", nil).problem(http.StatusUnauthorized, "token_invalid")
		w.doAs("", "GET", "/widget-api/connections", nil, "Authorization", "Basic "+session).problem(http.StatusUnauthorized, codeSessionMissing)
		w.do("GET", "/widget-api/connections", nil, "Authorization", "Bearer "+session).problem(http.StatusUnauthorized, codeSessionMissing)
		w.clock.Advance(auth.DefaultSessionTTL + time.Second)
		w.widget(session, "GET", "/widget-api/connections", nil).problem(http.StatusUnauthorized, "token_expired")
	})
}

// A viewer sees status only: every change is refused with 403.
func TestWidgetAPIViewer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		viewer := w.session("Eacme:Eada")
		w.widget(viewer, "GET", "/widget-api/connections", nil).want(http.StatusOK)
		w.widget(viewer, "GET", "/widget-api/connections/"+w.crm.ID, nil).want(http.StatusOK)
		for _, path := range []string{"/fields", "/disconnect", "/oauth-start"} {
			w.widget(viewer, "POST", "/widget-api/connections/"+w.keys.ID+path, map[string]any{"values": map[string]string{"api_key": "k"}}).problem(http.StatusForbidden, codeRoleForbidden)
		}
		if w.status(w.keys) != "disconnected" {
			t.Fatal("a viewer changed a connection")
		}
		body := w.get("/direct_link/embedded/connections/"+w.crm.ID+"?dl_token={token}", w.sign("Eacme:Eada", "")).page(http.StatusOK, appOrigin)
		if !strings.Contains(body, `data-can-manage="false"`) {
			t.Fatal("the viewer's page offers changes")
		}
	})
}

// API-key connections take a form: each invalid field gets its message,
// never its value; valid values connect, and disconnecting drops them.
func TestWidgetAPIFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		session := w.session("Eacme")
		path := "/widget-api/connections/" + w.keys.ID
		r := w.widget(session, "POST", path+"/fields", map[string]any{"values": map[string]string{"api_key": " " + apiKeyCanary, "colour": "blue"}})
		r.problem(http.StatusUnprocessableEntity, "fields_invalid")
		var p problem
		r.into(&p)
		if p.Fields["api_key"] == "" || p.Fields["colour"] == "" || strings.Contains(string(r.body), apiKeyCanary) {
			t.Fatalf("field errors %v in %s", p.Fields, r.body)
		}
		w.widget(session, "POST", path+"/fields", `{"values":{"api_key":1}}`).problem(http.StatusBadRequest, codeInvalidType)
		w.widget(session, "POST", path+"/fields", map[string]any{"values": map[string]string{}}).problem(http.StatusUnprocessableEntity, "fields_invalid")
		w.widget(session, "POST", "/widget-api/connections/"+w.crm.ID+"/fields", map[string]any{"values": map[string]string{"api_key": "x"}}).problem(http.StatusUnprocessableEntity, "provider_uses_oauth2")
		w.widget(session, "POST", path+"/oauth-start", nil).problem(http.StatusUnprocessableEntity, "provider_not_oauth2")

		r = w.widget(session, "POST", path+"/fields", map[string]any{"values": map[string]string{"api_key": apiKeyCanary}}).want(http.StatusOK)
		if got := r.object(); field(got, "status") != "connected" || strings.Contains(string(r.body), apiKeyCanary) {
			t.Fatalf("after connecting: %s", r.body)
		}
		if got := w.widget(session, "GET", path, nil).want(http.StatusOK); strings.Contains(string(got.body), apiKeyCanary) {
			t.Fatal("the widget API shows the saved secret")
		}
		if got := w.widget(session, "POST", path+"/disconnect", nil).want(http.StatusOK).object(); field(got, "status") != "disconnected" {
			t.Fatalf("after disconnecting: %v", got)
		}
		w.do("GET", "/v1/connections/"+w.keys.ID+"/credentials", nil).problem(http.StatusConflict, "connection_not_connected")
		if strings.Contains(w.logs.String(), apiKeyCanary) {
			t.Fatal("the logs hold the API key")
		}
	})
}

// A session in the SSO cookie is accepted only from Oriel's own pages:
// with X-Oriel-Widget, and no cross-site Origin or Sec-Fetch-Site.
func TestWidgetAPICookieCSRF(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	cookie := w.ssoCookie("Eacme")
	list, disconnect := "/widget-api/connections", "/widget-api/connections/"+w.keys.ID+"/disconnect"
	cases := []struct {
		name, method, path string
		headers            []string
		status             int
	}{
		{"own page", "GET", list, []string{widgetHeader, "1", "Sec-Fetch-Site", "same-origin"}, 200},
		{"own page, POST", "POST", disconnect, []string{widgetHeader, "1", "Origin", "http://oriel.test", "Sec-Fetch-Site", "same-origin"}, 200},
		{"old browser, POST", "POST", disconnect, []string{widgetHeader, "1"}, 200},
		{"no header", "GET", list, nil, 403},
		{"no header, POST", "POST", disconnect, []string{"Origin", "http://oriel.test"}, 403},
		{"header value", "POST", disconnect, []string{widgetHeader, "true"}, 403},
		{"cross-site", "POST", disconnect, []string{widgetHeader, "1", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.test"}, 403},
		{"same-site", "POST", disconnect, []string{widgetHeader, "1", "Sec-Fetch-Site", "same-site"}, 403},
		{"foreign origin", "POST", disconnect, []string{widgetHeader, "1", "Origin", "https://evil.test"}, 403},
		{"foreign origin, GET", "GET", list, []string{widgetHeader, "1", "Origin", "http://oriel.test.evil.test"}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.doAs("", tc.method, tc.path, nil, append([]string{"Cookie", cookie}, tc.headers...)...)
			if tc.status == 403 {
				r.problem(403, codeCSRFRejected)
			} else {
				r.want(tc.status)
			}
		})
	}
}

// The connection widget page opens only for a connection of the link's
// customer; another's is a 404 page that tells the verified parent.
func TestConnectionPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		body := w.get("/direct_link/embedded/connections/"+w.crm.ID+"?dl_token={token}", w.sign("Eacme", "")).page(http.StatusOK, appOrigin)
		for _, want := range []string{`data-connection-id="` + w.crm.ID + `"`, `data-can-manage="true"`, "/static/connections.js?v="} {
			if !strings.Contains(body, want) {
				t.Fatalf("page lacks %s", want)
			}
		}
		for _, id := range []string{w.globexCRM.ID, w.otherVendor.ID, "conn_nope"} {
			w.get("/direct_link/embedded/connections/"+id+"?dl_token={token}", w.sign("Eacme", "")).errorPage(http.StatusNotFound, codeConnectionNotFound, appOrigin)
		}
	})
}

// The widget lists what the vendor can connect, for its empty state: the
// vendor's integrations only, with names and logo paths and nothing else.
func TestWidgetAPIIntegrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		var page listPage[map[string]any]
		w.widget(w.session("Eacme"), "GET", "/widget-api/integrations", nil).want(http.StatusOK).into(&page)
		names := map[string]string{}
		for _, in := range page.Data {
			matchSchemaSubset(t, "WidgetIntegration", in)
			names[field(in, "name")] = field(in, "logo")
			if in["client_id"] != nil || in["config"] != nil {
				t.Fatalf("integration %v shows its client or settings", in)
			}
		}
		if len(names) != 2 || !strings.HasPrefix(names["Demo CRM"], "/logos/m1-DC-") || !strings.HasPrefix(names["Acme Keys"], "/logos/m1-AK-") {
			t.Fatalf("integrations %v", names)
		}
		w.doAs("", "GET", "/widget-api/integrations", nil).problem(http.StatusUnauthorized, codeSessionMissing)
	})
}
