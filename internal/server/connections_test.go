package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Connections are created disconnected, listed per customer or all, read
// and deleted; another vendor's answer like missing ones.
func TestConnections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		got := w.do("GET", "/v1/connections/"+w.crm.ID, nil).want(http.StatusOK).object()
		if field(got, "status") != "disconnected" || field(got, "integration") != "crm" || field(got, "provider") != "oauth2" || field(got, "customer_id") != w.acmeID {
			t.Fatalf("connection %v", got)
		}
		matchSchemaSubset(t, "Connection", got)

		var page listPage[map[string]any]
		w.do("GET", "/v1/customers/Eacme/connections", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 2 || field(page.Data[0], "id") != w.keys.ID || field(page.Data[1], "id") != w.crm.ID {
			t.Fatalf("acme's connections %v", page.Data)
		}
		w.do("GET", "/v1/connections", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 3 {
			t.Fatalf("all connections %v", page.Data)
		}
		w.do("GET", "/v1/connections?customer=Eglobex", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 1 || field(page.Data[0], "id") != w.globexCRM.ID {
			t.Fatalf("globex's connections %v", page.Data)
		}
		w.do("GET", "/v1/connections?limit=1&customer="+w.acmeID, nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 1 || !page.HasMore {
			t.Fatalf("first page of acme's %+v", page)
		}
		w.do("GET", "/v1/connections?customer=", nil).problem(http.StatusBadRequest, codeCustomerFilterInvalid)
		w.do("GET", "/v1/connections?customer=Ea&customer=Eb", nil).problem(http.StatusBadRequest, codeCustomerFilterInvalid)
		w.do("GET", "/v1/connections?customer=Enobody", nil).problem(http.StatusNotFound, "customer_not_found")

		// Another vendor's connection, customer or integration is not there.
		for _, path := range []string{"/v1/connections/" + w.otherVendor.ID, "/v1/connections/" + w.otherVendor.ID + "/credentials"} {
			w.do("GET", path, nil).problem(http.StatusNotFound, "connection_not_found")
		}
		w.do("DELETE", "/v1/connections/"+w.otherVendor.ID, nil).problem(http.StatusNotFound, "connection_not_found")
		w.doAs(w.otherVendorAPIKeySecret, "GET", "/v1/connections/"+w.crm.ID, nil).problem(http.StatusNotFound, "connection_not_found")
		w.do("POST", "/v1/customers/"+w.otherVendor.CustomerID+"/connections", map[string]any{"integration": "crm"}).problem(http.StatusNotFound, "customer_not_found")
		w.doAs(w.otherVendorAPIKeySecret, "POST", "/v1/customers/Eacme/connections", map[string]any{"integration": "keys"}).problem(http.StatusNotFound, "integration_not_found")

		w.do("GET", "/v1/connections/"+w.crm.ID+"/credentials", nil).problem(http.StatusConflict, "connection_not_connected")
		w.do("DELETE", "/v1/connections/"+w.globexCRM.ID, nil).want(http.StatusNoContent)
		w.do("GET", "/v1/connections/"+w.globexCRM.ID, nil).problem(http.StatusNotFound, "connection_not_found")
	})
}

// A new connection's body is checked: a known integration, and config
// that fits its provider (catalogue H17: nothing that escapes the host).
func TestConnectionValidation(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.do("PUT", "/v1/integrations/zendesk", map[string]any{"provider": "zendesk", "client_id": "z", "client_secret": "s"}).want(http.StatusCreated)
	create := func(body any) *result { return w.do("POST", "/v1/customers/Eacme/connections", body) }

	c := create(map[string]any{"integration": "zendesk", "config": map[string]string{"subdomain": "acme"}}).want(http.StatusCreated).object()
	if field(c, "status") != "disconnected" || c["config"].(map[string]any)["subdomain"] != "acme" {
		t.Fatalf("connection %v", c)
	}
	matchSchemaSubset(t, "Connection", c)
	create(map[string]any{"integration": "nope"}).problem(http.StatusNotFound, "integration_not_found")
	create(map[string]any{"integration": "Bad Key"}).problem(http.StatusUnprocessableEntity, codeIntegrationKeyInvalid)
	create(map[string]any{}).problem(http.StatusUnprocessableEntity, codeIntegrationKeyInvalid)
	for _, sub := range []string{"", "evil.test#", "a.zendesk.com@evil.test", "127.0.0.1/x", "%2F", "a b"} {
		detail := create(map[string]any{"integration": "zendesk", "config": map[string]string{"subdomain": sub}}).problem(http.StatusUnprocessableEntity, "connection_config_invalid")
		if sub != "" && strings.Contains(detail, sub) {
			t.Fatalf("the message repeats the value %q: %s", sub, detail)
		}
	}
	create(map[string]any{"integration": "zendesk", "config": map[string]string{"subdomain": "acme", "host": "evil.test"}}).problem(http.StatusUnprocessableEntity, "connection_config_invalid")
	create(map[string]any{"integration": "keys", "config": map[string]string{"api_key": "x"}}).problem(http.StatusUnprocessableEntity, "connection_config_invalid")
	w.do("POST", "/v1/customers/Enobody/connections", map[string]any{"integration": "keys"}).problem(http.StatusNotFound, "customer_not_found")
}

// Credentials: an OAuth2 connection's access token, never its refresh
// token (catalogue I12); an API-key connection's fields; never cached.
func TestCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		w.connect(w.session("Eacme")).want(http.StatusOK)
		r := w.do("GET", "/v1/connections/"+w.crm.ID+"/credentials", nil).want(http.StatusOK)
		cred := r.object()
		matchSchemaSubset(t, "ConnectionCredentials", cred)
		if field(cred, "connection_id") != w.crm.ID || field(cred, "access_token") == "" || field(cred, "token_type") == "" || field(cred, "expires_at") == "" {
			t.Fatalf("credentials %v", cred)
		}
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
			t.Fatalf("credentials may be cached: %v", r.header)
		}
		stored, err := s.ConnectionCredentials(t.Context(), w.vendor.ID, w.crm.ID)
		must(t, err)
		if stored.RefreshToken == "" || strings.Contains(string(r.body), stored.RefreshToken) || strings.Contains(string(r.body), "refresh") {
			t.Fatalf("the refresh token reached the vendor (or none was stored): %s", r.body)
		}

		session := w.session("Eacme")
		w.widget(session, "POST", "/widget-api/connections/"+w.keys.ID+"/fields", map[string]any{"values": map[string]string{"api_key": apiKeyCanary}}).want(http.StatusOK)
		cred = w.do("GET", "/v1/connections/"+w.keys.ID+"/credentials", nil).want(http.StatusOK).object()
		if cred["fields"].(map[string]any)["api_key"] != apiKeyCanary || field(cred, "access_token") != "" {
			t.Fatalf("api-key credentials %v", cred)
		}
		w.doAs(w.otherVendorAPIKeySecret, "GET", "/v1/connections/"+w.keys.ID+"/credentials", nil).problem(http.StatusNotFound, "connection_not_found")
		if logs := w.logs.String(); strings.Contains(logs, apiKeyCanary) || strings.Contains(logs, stored.AccessToken) {
			t.Fatal("the logs hold a credential")
		}
	})
}

// Deleting a connected connection revokes its grant at the provider.
func TestDeleteConnectionRevokes(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.connect(w.session("Eacme")).want(http.StatusOK)
	w.do("DELETE", "/v1/connections/"+w.crm.ID, nil).want(http.StatusNoContent)
	if n := w.idp.RevokeCalls(idpClientID); n != 1 {
		t.Fatalf("%d revocations at the provider, want 1", n)
	}
	var events listPage[webhookEventView]
	w.do("GET", "/v1/webhook-events?limit=100", nil).want(http.StatusOK).into(&events)
	if last := events.Data[len(events.Data)-1]; last.Type != "connection.deleted" || last.Data.ConnectionID != w.crm.ID {
		t.Fatalf("last event %+v, want connection.deleted", last.WebhookEvent)
	}
}
