package server

import (
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		customer := field(e.do("POST", "/v1/customers", map[string]any{"external_id": "acme"}).want(201).object(), "id")
		other := field(e.do("POST", "/v1/customers", map[string]any{"external_id": "globex"}).want(201).object(), "id")

		alice := e.do("POST", "/v1/customers/Eacme/users", map[string]any{"external_id": "alice", "name": "Alice", "email": "alice@acme.test"}).want(201).object()
		matchSchema(t, "User", alice)
		if field(alice, "customer_id") != customer || field(alice, "role") != "member" || field(alice, "vendor_id") != e.vendor.ID {
			t.Fatalf("alice = %v, want customer %s and the default role member", alice, customer)
		}
		aliceID := field(alice, "id")
		bob := e.do("POST", "/v1/customers/"+customer+"/users", map[string]any{"role": "admin"}).want(201).object()
		if field(bob, "external_id") != "" || field(bob, "role") != "admin" {
			t.Fatalf("bob = %v", bob)
		}
		e.do("POST", "/v1/customers/"+customer+"/users", map[string]any{"name": "Carol"}).want(201)
		e.do("POST", "/v1/customers/Eacme/users", map[string]any{"external_id": "alice"}).problem(409, "external_id_taken")
		e.do("POST", "/v1/customers/Eglobex/users", map[string]any{"external_id": "alice"}).want(201) // unique per customer only

		for _, path := range []string{"/v1/customers/" + customer + "/users/" + aliceID, "/v1/customers/Eacme/users/Ealice"} {
			if got := e.do("GET", path, nil).want(200).object(); field(got, "id") != aliceID {
				t.Fatalf("GET %s = %v", path, got)
			}
		}
		e.do("GET", "/v1/customers/"+other+"/users/"+aliceID, nil).problem(404, "user_not_found")

		var page listPage[map[string]any]
		e.do("GET", "/v1/customers/Eacme/users", nil).want(200).into(&page)
		if len(page.Data) != 3 || page.HasMore {
			t.Fatalf("list = %+v", page)
		}
		matchSchema(t, "UserList", e.do("GET", "/v1/customers/Eacme/users", nil).object())

		patched := e.do("PATCH", "/v1/customers/Eacme/users/Ealice", map[string]any{"role": "viewer", "email": ""}).want(200).object()
		if field(patched, "role") != "viewer" || field(patched, "email") != "" || field(patched, "name") != "Alice" {
			t.Fatalf("patched %v", patched)
		}
		e.do("PATCH", "/v1/customers/Eacme/users/Ealice", map[string]any{"role": "owner"}).problem(422, "role_invalid")
		e.do("PATCH", "/v1/customers/Eacme/users/Ealice", map[string]any{"email": "not an email"}).problem(422, "email_invalid")
		e.do("PATCH", "/v1/customers/Eacme/users/"+field(bob, "id"), map[string]any{"external_id": "alice"}).problem(409, "external_id_taken")

		e.do("DELETE", "/v1/customers/Eacme/users/Ealice", nil).want(204)
		e.do("GET", "/v1/customers/Eacme/users/Ealice", nil).problem(404, "user_not_found")
		e.do("DELETE", "/v1/customers/Eacme/users/Ealice", nil).problem(404, "user_not_found")

		e.do("POST", "/v1/customers/Enobody/users", map[string]any{"name": "x"}).problem(404, "customer_not_found")
		e.do("GET", "/v1/customers/Enobody/users", nil).problem(404, "customer_not_found")

		e.do("DELETE", "/v1/customers/Eacme", nil).want(204)
		e.do("GET", "/v1/customers/Eacme/users/"+field(bob, "id"), nil).want(404)
	})
}
