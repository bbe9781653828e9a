package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Integrations are put, read, listed and deleted; the client secret is
// never returned, only has_client_secret.
func TestIntegrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		body := w.crmIntegration()
		body["display_name"] = "Renamed CRM"
		r := w.do("PUT", "/v1/integrations/crm", body).want(http.StatusOK)
		got := r.object()
		matchSchema(t, "Integration", got)
		if got["has_client_secret"] != true || field(got, "display_name") != "Renamed CRM" || field(got, "key") != "crm" {
			t.Fatalf("replaced integration %v", got)
		}
		keys := w.do("GET", "/v1/integrations/keys", nil).want(http.StatusOK).object()
		if keys["has_client_secret"] != false || field(keys, "provider") != "api-key" || field(keys, "display_name") != "Acme Keys" {
			t.Fatalf("api-key integration %v", keys)
		}
		created := w.do("PUT", "/v1/integrations/google-drive", map[string]any{"provider": "google", "client_id": "g", "client_secret": "s", "scopes": []string{"openid"}}).want(http.StatusCreated).object()
		if field(created, "display_name") != "Google" {
			t.Fatalf("the display name does not default to the provider's: %v", created)
		}
		var page listPage[map[string]any]
		w.do("GET", "/v1/integrations?limit=2", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 2 || !page.HasMore {
			t.Fatalf("page %+v", page)
		}
		w.do("DELETE", "/v1/integrations/google-drive", nil).want(http.StatusNoContent)
		w.do("GET", "/v1/integrations/google-drive", nil).problem(http.StatusNotFound, "integration_not_found")
		w.do("DELETE", "/v1/integrations/crm", nil).problem(http.StatusConflict, "integration_in_use")

		// Another vendor's integration answers like a missing one.
		w.doAs(w.otherVendorAPIKeySecret, "GET", "/v1/integrations/keys", nil).problem(http.StatusNotFound, "integration_not_found")
		w.doAs(w.otherVendorAPIKeySecret, "DELETE", "/v1/integrations/keys", nil).problem(http.StatusNotFound, "integration_not_found")

		for _, r := range []*result{
			w.do("GET", "/v1/integrations", nil), w.do("GET", "/v1/integrations/crm", nil), w.do("PUT", "/v1/integrations/crm", w.crmIntegration()),
		} {
			if strings.Contains(string(r.body), idpClientSecret) {
				t.Fatalf("%s returned the client secret", r.req)
			}
		}
		if strings.Contains(w.logs.String(), idpClientSecret) {
			t.Fatal("the logs hold the client secret")
		}
	})
}

// Integration bodies are checked against the catalogue and the provider's
// kind; a generic oauth2 integration's endpoints must be https, or
// loopback http in development mode only.
func TestIntegrationValidation(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	oauth := func(change func(map[string]any)) map[string]any {
		b := w.crmIntegration()
		change(b)
		return b
	}
	cases := []struct {
		name, key string
		body      any
		code      string
	}{
		{"bad key", "CRM", w.crmIntegration(), codeIntegrationKeyInvalid},
		{"key too long", strings.Repeat("a", 64), w.crmIntegration(), codeIntegrationKeyInvalid},
		{"unknown provider", "x", map[string]any{"provider": "myspace"}, "provider_unknown"},
		{"no client id", "x", oauth(func(b map[string]any) { delete(b, "client_id") }), codeClientIDInvalid},
		{"no client secret", "x", oauth(func(b map[string]any) { delete(b, "client_secret") }), codeClientSecretInvalid},
		{"bad scope", "x", oauth(func(b map[string]any) { b["scopes"] = []string{"a b"} }), "scope_invalid"},
		{"repeated scope", "x", oauth(func(b map[string]any) { b["scopes"] = []string{"a", "a"} }), "scope_invalid"},
		{"no endpoints", "x", oauth(func(b map[string]any) { delete(b, "config") }), "endpoint_invalid"},
		{"http endpoint", "x", oauth(func(b map[string]any) {
			b["config"] = map[string]string{"authorization_url": "http://idp.example.com/a", "token_url": "https://idp.example.com/t"}
		}), "endpoint_invalid"},
		{"private endpoint", "x", oauth(func(b map[string]any) {
			b["config"] = map[string]string{"authorization_url": "https://10.0.0.1/a", "token_url": "https://idp.example.com/t"}
		}), "endpoint_invalid"},
		{"unknown config", "x", oauth(func(b map[string]any) { b["config"] = map[string]string{"userinfo_url": "https://x.example.com"} }), codeIntegrationConfigInvalid},
		{"config for a named provider", "x", map[string]any{"provider": "google", "client_id": "g", "client_secret": "s", "config": map[string]string{"token_url": "https://evil.test/t"}}, codeIntegrationConfigInvalid},
		{"client for api-key", "x", map[string]any{"provider": "api-key", "client_id": "x"}, codeIntegrationConfigInvalid},
		{"scopes for basic", "x", map[string]any{"provider": "basic", "scopes": []string{"a"}}, codeIntegrationConfigInvalid},
		{"display name", "x", map[string]any{"provider": "basic", "display_name": "a\nb"}, codeDisplayNameInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.do("PUT", "/v1/integrations/"+tc.key, tc.body).problem(http.StatusUnprocessableEntity, tc.code)
		})
	}
	w.do("PUT", "/v1/integrations/x", `{"provider":"basic","client_secret_typo":"x"}`).problem(http.StatusBadRequest, codeUnknownField)

	// Outside development mode, the loopback authorization server is refused.
	db := storetest.SQLite(t)
	prod := newEnv(t, db, sealingKeys(t, db))
	prod.do("PUT", "/v1/integrations/crm", w.crmIntegration()).problem(http.StatusUnprocessableEntity, "endpoint_invalid")
}
