package server

import (
	"net/url"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		created := e.do("POST", "/v1/customers", map[string]any{
			"external_id":     "acme/42",
			"name":            "Acme Corp",
			"allowed_origins": []string{"HTTPS://App.Acme.Test:443", "http://localhost:3000", "https://app.acme.test"},
		}).want(201).object()
		matchSchema(t, "Customer", created)
		id := field(created, "id")
		if field(created, "vendor_id") != e.vendor.ID || field(created, "external_id") != "acme/42" || field(created, "name") != "Acme Corp" {
			t.Fatalf("created %v", created)
		}
		if got := created["allowed_origins"].([]any); len(got) != 2 || got[0] != "https://app.acme.test" || got[1] != "http://localhost:3000" {
			t.Fatalf("allowed_origins = %v, want normalised and deduplicated", got)
		}

		byExternal := "/v1/customers/E" + url.PathEscape("acme/42")
		for _, path := range []string{"/v1/customers/" + id, byExternal} {
			if got := e.do("GET", path, nil).want(200).object(); field(got, "id") != id {
				t.Fatalf("GET %s = %v", path, got)
			}
		}

		e.do("POST", "/v1/customers", map[string]any{"external_id": "acme/42"}).problem(409, "external_id_taken")
		other := field(e.do("POST", "/v1/customers", map[string]any{"external_id": "globex"}).want(201).object(), "id")
		e.do("PATCH", "/v1/customers/"+other, map[string]any{"external_id": "acme/42"}).problem(409, "external_id_taken")

		patched := e.do("PATCH", byExternal, map[string]any{"name": "Acme Inc", "allowed_origins": []string{"https://NEW.acme.test"}}).want(200).object()
		if field(patched, "name") != "Acme Inc" || field(patched, "external_id") != "acme/42" || patched["allowed_origins"].([]any)[0] != "https://new.acme.test" {
			t.Fatalf("patched %v", patched)
		}
		matchSchema(t, "Customer", patched)
		renamed := e.do("PATCH", "/v1/customers/"+id, map[string]any{"external_id": "acme-42"}).want(200).object()
		if field(renamed, "external_id") != "acme-42" || field(renamed, "name") != "Acme Inc" {
			t.Fatalf("renamed %v", renamed)
		}

		var page listPage[map[string]any]
		e.do("GET", "/v1/customers", nil).want(200).into(&page)
		if page.Object != "list" || len(page.Data) != 2 || page.HasMore {
			t.Fatalf("list = %+v", page)
		}
		matchSchema(t, "CustomerList", e.do("GET", "/v1/customers", nil).object())

		e.do("DELETE", "/v1/customers/Eacme-42", nil).want(204)
		e.do("GET", "/v1/customers/"+id, nil).problem(404, "customer_not_found")
		e.do("DELETE", "/v1/customers/"+id, nil).problem(404, "customer_not_found")
		e.do("PATCH", "/v1/customers/"+id, map[string]any{"name": "x"}).problem(404, "customer_not_found")
	})
}
