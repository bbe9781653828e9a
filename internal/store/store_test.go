package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The conformance suite: every test runs on SQLite and on PostgreSQL.

func wantCode(t *testing.T, err error, kind, code string) {
	t.Helper()
	var e *oriel.Error
	if !errors.As(err, &e) || e.Kind != kind || e.Code != code {
		t.Fatalf("error = %v, want %s/%s", err, kind, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newVendor(t *testing.T, s store.Store, name string) *oriel.Vendor {
	t.Helper()
	v := &oriel.Vendor{Name: name}
	must(t, s.CreateVendor(context.Background(), v))
	return v
}

func newCustomer(t *testing.T, s store.Store, vendorID, externalID string) *oriel.Customer {
	t.Helper()
	c := &oriel.Customer{VendorID: vendorID, ExternalID: externalID, Name: "Customer " + externalID}
	must(t, s.CreateCustomer(context.Background(), c))
	return c
}

func TestVendors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		must(t, s.Ready(ctx))
		v := newVendor(t, s, "Acme SaaS")
		if len(v.ID) != len("vnd_")+26 || v.CreatedAt.IsZero() {
			t.Fatalf("vendor not initialised: %+v", v)
		}
		got, err := s.Vendor(ctx, v.ID)
		must(t, err)
		if got.Name != "Acme SaaS" || len(got.AllowedOrigins) != 0 || !got.CreatedAt.Equal(v.CreatedAt) {
			t.Fatalf("got %+v, want %+v", got, v)
		}
		_, err = s.Vendor(ctx, "vnd_nope")
		wantCode(t, err, oriel.ENOTFOUND, "vendor_not_found")

		name, origins := "Acme", []string{"https://app.acme.test"}
		up, err := s.UpdateVendor(ctx, v.ID, oriel.VendorUpdate{Name: &name, AllowedOrigins: &origins})
		must(t, err)
		if up.Name != "Acme" || up.AllowedOrigins[0] != origins[0] || up.UpdatedAt.Before(up.CreatedAt) {
			t.Fatalf("update: %+v", up)
		}
		got, _ = s.Vendor(ctx, v.ID)
		if got.Name != "Acme" || len(got.AllowedOrigins) != 1 {
			t.Fatalf("update not stored: %+v", got)
		}
		_, err = s.UpdateVendor(ctx, "vnd_nope", oriel.VendorUpdate{Name: &name})
		wantCode(t, err, oriel.ENOTFOUND, "vendor_not_found")

		newVendor(t, s, "Second")
		all, more, err := s.ListVendors(ctx, oriel.Page{Limit: 1})
		must(t, err)
		if len(all) != 1 || !more || all[0].ID != v.ID {
			t.Fatalf("first page: %v %v", all, more)
		}
		rest, more, err := s.ListVendors(ctx, oriel.Page{Limit: 10, StartingAfter: all[0].ID})
		must(t, err)
		if len(rest) != 1 || more || rest[0].Name != "Second" {
			t.Fatalf("second page: %v %v", rest, more)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		k := &oriel.APIKey{VendorID: v.ID, Name: "ci", Hint: "wxyz"}
		must(t, s.CreateAPIKey(ctx, k, []byte("hash-1")))
		must(t, s.CreateAPIKey(ctx, &oriel.APIKey{VendorID: v.ID, Name: "second", Hint: "abcd"}, []byte("hash-2")))
		if err := s.CreateAPIKey(ctx, &oriel.APIKey{VendorID: other.ID, Name: "dup"}, []byte("hash-1")); err == nil {
			t.Fatal("two keys with one hash were stored")
		}

		got, err := s.APIKeyByHash(ctx, []byte("hash-1"))
		must(t, err)
		if got.ID != k.ID || got.VendorID != v.ID || got.LastUsedAt != nil {
			t.Fatalf("by hash: %+v", got)
		}
		_, err = s.APIKeyByHash(ctx, []byte("unknown"))
		wantCode(t, err, oriel.EUNAUTHORIZED, "api_key_invalid")

		used := time.Now()
		must(t, s.TouchAPIKey(ctx, k.ID, used))
		got, _ = s.APIKeyByHash(ctx, []byte("hash-1"))
		if got.LastUsedAt == nil || got.LastUsedAt.UnixMicro() != used.UnixMicro() {
			t.Fatalf("last used: %v", got.LastUsedAt)
		}

		wantCode(t, s.RevokeAPIKey(ctx, other.ID, k.ID), oriel.ENOTFOUND, "api_key_not_found")
		must(t, s.RevokeAPIKey(ctx, v.ID, k.ID))
		wantCode(t, s.RevokeAPIKey(ctx, v.ID, k.ID), oriel.ENOTFOUND, "api_key_not_found")
		_, err = s.APIKeyByHash(ctx, []byte("hash-1"))
		wantCode(t, err, oriel.EUNAUTHORIZED, "api_key_invalid")

		keys, more, err := s.ListAPIKeys(ctx, v.ID, oriel.Page{Limit: 10})
		must(t, err)
		if len(keys) != 1 || more || keys[0].Name != "second" {
			t.Fatalf("live keys: %+v", keys)
		}
		keys, _, _ = s.ListAPIKeys(ctx, other.ID, oriel.Page{})
		if len(keys) != 0 {
			t.Fatalf("other vendor sees keys: %+v", keys)
		}
	})
}

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		c := &oriel.Customer{VendorID: v.ID, ExternalID: "acme-1", Name: "Acme", AllowedOrigins: []string{"https://a.test"}}
		must(t, s.CreateCustomer(ctx, c))
		wantCode(t, s.CreateCustomer(ctx, &oriel.Customer{VendorID: v.ID, ExternalID: "acme-1"}), oriel.ECONFLICT, "external_id_taken")
		newCustomer(t, s, other.ID, "acme-1") // external ids are per vendor

		for _, ref := range []string{c.ID, "Eacme-1"} {
			got, err := s.Customer(ctx, v.ID, ref)
			must(t, err)
			if got.ID != c.ID || got.Name != "Acme" || got.AllowedOrigins[0] != "https://a.test" {
				t.Fatalf("customer by %q: %+v", ref, got)
			}
		}
		for _, ref := range []string{"cus_nope", "Enope", "acme-1", "E" + c.ID, ""} {
			_, err := s.Customer(ctx, v.ID, ref)
			wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		}
		_, err := s.Customer(ctx, other.ID, c.ID)
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")

		ext, name := "acme-2", "Acme Inc"
		up, err := s.UpdateCustomer(ctx, v.ID, "Eacme-1", oriel.CustomerUpdate{ExternalID: &ext, Name: &name})
		must(t, err)
		if up.ExternalID != "acme-2" || up.Name != "Acme Inc" || up.AllowedOrigins[0] != "https://a.test" {
			t.Fatalf("update: %+v", up)
		}
		newCustomer(t, s, v.ID, "taken")
		taken := "taken"
		_, err = s.UpdateCustomer(ctx, v.ID, c.ID, oriel.CustomerUpdate{ExternalID: &taken})
		wantCode(t, err, oriel.ECONFLICT, "external_id_taken")
		_, err = s.UpdateCustomer(ctx, other.ID, c.ID, oriel.CustomerUpdate{Name: &name})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")

		for i := range 5 {
			newCustomer(t, s, v.ID, fmt.Sprintf("bulk-%d", i))
		}
		var seen []string
		page := oriel.Page{Limit: 3}
		for {
			cs, more, err := s.ListCustomers(ctx, v.ID, page)
			must(t, err)
			for _, c := range cs {
				if c.VendorID != v.ID {
					t.Fatalf("foreign customer listed: %+v", c)
				}
				seen = append(seen, c.ID)
			}
			if !more {
				break
			}
			page.StartingAfter = cs[len(cs)-1].ID
		}
		if len(seen) != 7 {
			t.Fatalf("listed %d customers, want 7", len(seen))
		}
		for i := 1; i < len(seen); i++ {
			if seen[i-1] >= seen[i] {
				t.Fatalf("list not ordered by id: %v", seen)
			}
		}

		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Name: "Ann", Role: oriel.RoleAdmin}
		must(t, s.CreateUser(ctx, u))
		wantCode(t, s.DeleteCustomer(ctx, other.ID, c.ID), oriel.ENOTFOUND, "customer_not_found")
		must(t, s.DeleteCustomer(ctx, v.ID, "Eacme-2"))
		_, err = s.Customer(ctx, v.ID, c.ID)
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		_, err = s.User(ctx, v.ID, c.ID, u.ID)
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
		wantCode(t, s.DeleteCustomer(ctx, v.ID, c.ID), oriel.ENOTFOUND, "customer_not_found")
	})
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		c, c2 := newCustomer(t, s, v.ID, "acme"), newCustomer(t, s, v.ID, "globex")
		foreign := newCustomer(t, s, other.ID, "acme")

		u := &oriel.User{VendorID: v.ID, CustomerID: "Eacme", ExternalID: "ann", Name: "Ann", Email: "ann@acme.test", Role: oriel.RoleAdmin}
		must(t, s.CreateUser(ctx, u))
		if u.CustomerID != c.ID || len(u.ID) != len("usr_")+26 {
			t.Fatalf("created: %+v", u)
		}
		wantCode(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: c.ID, ExternalID: "ann", Role: oriel.RoleMember}), oriel.ECONFLICT, "external_id_taken")
		must(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: c2.ID, ExternalID: "ann", Role: oriel.RoleMember}))
		// Users without an external id do not clash with each other.
		must(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: c.ID, Name: "Bob", Role: oriel.RoleViewer}))
		must(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: c.ID, Name: "Cy", Role: oriel.RoleViewer}))
		// A vendor cannot add users to another vendor's customer.
		wantCode(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: foreign.ID, Role: oriel.RoleMember}), oriel.ENOTFOUND, "customer_not_found")

		for _, ref := range [][2]string{{c.ID, u.ID}, {"Eacme", "Eann"}, {c.ID, "Eann"}} {
			got, err := s.User(ctx, v.ID, ref[0], ref[1])
			must(t, err)
			if got.ID != u.ID || got.Email != "ann@acme.test" || got.Role != oriel.RoleAdmin || got.ExternalID != "ann" {
				t.Fatalf("user by %v: %+v", ref, got)
			}
		}
		_, err := s.User(ctx, v.ID, c2.ID, u.ID) // right user, wrong customer
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
		_, err = s.User(ctx, other.ID, c.ID, u.ID)
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")

		users, more, err := s.ListUsers(ctx, v.ID, "Eacme", oriel.Page{Limit: 2})
		must(t, err)
		if len(users) != 2 || !more {
			t.Fatalf("users page: %d %v", len(users), more)
		}
		users, more, err = s.ListUsers(ctx, v.ID, "Eacme", oriel.Page{Limit: 2, StartingAfter: users[1].ID})
		must(t, err)
		if len(users) != 1 || more {
			t.Fatalf("users page 2: %d %v", len(users), more)
		}
		_, _, err = s.ListUsers(ctx, other.ID, c.ID, oriel.Page{})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")

		role, email := oriel.RoleViewer, "ann@new.test"
		up, err := s.UpdateUser(ctx, v.ID, c.ID, "Eann", oriel.UserUpdate{Role: &role, Email: &email})
		must(t, err)
		if up.Role != oriel.RoleViewer || up.Email != email || up.Name != "Ann" {
			t.Fatalf("update: %+v", up)
		}
		_, err = s.UpdateUser(ctx, other.ID, c.ID, u.ID, oriel.UserUpdate{Role: &role})
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")

		wantCode(t, s.DeleteUser(ctx, v.ID, c2.ID, u.ID), oriel.ENOTFOUND, "user_not_found")
		must(t, s.DeleteUser(ctx, v.ID, c.ID, u.ID))
		_, err = s.User(ctx, v.ID, c.ID, u.ID)
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
	})
}

func TestSigningKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		key := func(vendor, kid, fp string) *oriel.SigningKey {
			return &oriel.SigningKey{VendorID: vendor, KID: kid, Algorithm: "RS256", Fingerprint: fp, PublicKeyPEM: "PEM " + fp}
		}
		k1 := key(v.ID, "k1", "fp1")
		must(t, s.CreateSigningKey(ctx, k1))
		wantCode(t, s.CreateSigningKey(ctx, key(v.ID, "k2", "fp1")), oriel.ECONFLICT, "signing_key_exists")
		wantCode(t, s.CreateSigningKey(ctx, key(v.ID, "k1", "fp2")), oriel.ECONFLICT, "signing_key_exists")
		must(t, s.CreateSigningKey(ctx, key(v.ID, "", "fp3")))
		must(t, s.CreateSigningKey(ctx, key(v.ID, "", "fp4"))) // many keys may have no kid
		must(t, s.CreateSigningKey(ctx, key(other.ID, "k1", "fp1")))

		ks, _, err := s.ListSigningKeys(ctx, v.ID, oriel.Page{})
		must(t, err)
		if len(ks) != 3 || ks[0].ID != k1.ID || ks[0].PublicKeyPEM != "PEM fp1" || ks[0].KID != "k1" {
			t.Fatalf("keys: %+v", ks)
		}
		wantCode(t, s.DeleteSigningKey(ctx, other.ID, k1.ID), oriel.ENOTFOUND, "signing_key_not_found")
		must(t, s.DeleteSigningKey(ctx, v.ID, k1.ID))
		wantCode(t, s.DeleteSigningKey(ctx, v.ID, k1.ID), oriel.ENOTFOUND, "signing_key_not_found")

		only := key(v.ID, "", "fp9")
		must(t, s.ReplaceSigningKeys(ctx, only))
		ks, _, _ = s.ListSigningKeys(ctx, v.ID, oriel.Page{})
		if len(ks) != 1 || ks[0].ID != only.ID {
			t.Fatalf("after replace: %+v", ks)
		}
		ks, _, _ = s.ListSigningKeys(ctx, other.ID, oriel.Page{})
		if len(ks) != 1 {
			t.Fatalf("replace touched another vendor: %+v", ks)
		}
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		resp, done, err := s.BeginIdempotent(ctx, v.ID, "k", []byte("req"))
		must(t, err)
		if resp != nil || done {
			t.Fatal("a fresh key was not claimed")
		}
		_, _, err = s.BeginIdempotent(ctx, v.ID, "k", []byte("req"))
		wantCode(t, err, oriel.ECONFLICT, "idempotency_in_progress")
		_, _, err = s.BeginIdempotent(ctx, v.ID, "k", []byte("other"))
		wantCode(t, err, oriel.EUNPROCESSABLE, "idempotency_key_reused")
		_, done, err = s.BeginIdempotent(ctx, other.ID, "k", []byte("req")) // keys are per vendor
		must(t, err)
		if done {
			t.Fatal("another vendor's key replayed")
		}

		must(t, s.FinishIdempotent(ctx, v.ID, "k", store.IdempotentResponse{Status: 201, Body: []byte(`{"id":"x"}`)}))
		resp, done, err = s.BeginIdempotent(ctx, v.ID, "k", []byte("req"))
		must(t, err)
		if !done || resp.Status != 201 || string(resp.Body) != `{"id":"x"}` {
			t.Fatalf("replay: %+v %v", resp, done)
		}

		_, _, err = s.BeginIdempotent(ctx, v.ID, "failed", []byte("req"))
		must(t, err)
		must(t, s.AbandonIdempotent(ctx, v.ID, "failed"))
		_, done, err = s.BeginIdempotent(ctx, v.ID, "failed", []byte("req"))
		must(t, err)
		if done {
			t.Fatal("an abandoned key replayed")
		}
	})
}

// TestConcurrentWriters is catalogue J07: many writers at once never fail
// with a busy database.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "A")
		var wg sync.WaitGroup
		errs := make(chan error, 16*10*2)
		for w := range 16 {
			wg.Go(func() {
				for i := range 10 {
					errs <- s.CreateCustomer(ctx, &oriel.Customer{VendorID: v.ID, ExternalID: fmt.Sprintf("w%d-%d", w, i)})
					_, _, err := s.ListCustomers(ctx, v.ID, oriel.Page{Limit: 5})
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		cs, more, err := s.ListCustomers(ctx, v.ID, oriel.Page{Limit: 100})
		must(t, err)
		if len(cs) != 100 || !more {
			t.Fatalf("got %d customers (more=%v), want 160", len(cs), more)
		}
	})
}

func TestDirectLinkJTIs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		exp := time.Now().Add(10 * time.Minute)
		wantUsed := func(vendorID, jti string, want bool) {
			t.Helper()
			used, err := s.JTIUsed(ctx, vendorID, jti)
			must(t, err)
			if used != want {
				t.Fatalf("JTIUsed(%s) = %v, want %v", jti, used, want)
			}
		}
		wantUsed(v.ID, "j1", false)
		wantUsed(v.ID, "j1", false) // asking does not record it
		must(t, s.RecordJTI(ctx, v.ID, "j1", exp))
		wantUsed(v.ID, "j1", true)
		wantUsed(other.ID, "j1", false)
		wantCode(t, s.RecordJTI(ctx, v.ID, "j1", exp), oriel.EUNAUTHORIZED, "jti_replayed")
		must(t, s.RecordJTI(ctx, other.ID, "j1", exp)) // catalogue C12: the key is (vendor, jti)

		// Catalogue C15: many concurrent uses of one jti, exactly one wins.
		var wg sync.WaitGroup
		results := make(chan error, 50)
		for range 50 {
			wg.Go(func() { results <- s.RecordJTI(ctx, v.ID, "race", exp) })
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			if err == nil {
				wins++
			} else {
				wantCode(t, err, oriel.EUNAUTHORIZED, "jti_replayed")
			}
		}
		if wins != 1 {
			t.Fatalf("%d of 50 concurrent uses of one jti were accepted, want 1", wins)
		}

		// Pruning keeps every record that has not expired.
		must(t, s.RecordJTI(ctx, v.ID, "old", time.Now().Add(-time.Second)))
		n, err := s.PruneExpired(ctx, time.Now())
		must(t, err)
		if n != 1 {
			t.Fatalf("pruned %d rows, want 1", n)
		}
		wantCode(t, s.RecordJTI(ctx, v.ID, "j1", exp), oriel.EUNAUTHORIZED, "jti_replayed")
		must(t, s.RecordJTI(ctx, v.ID, "old", exp))
	})
}

// TestDirectLinkJTIsConcurrent: many concurrent uses, which SQLite
// group-commits, each get their own answer: every jti is accepted exactly
// once, a write for an unknown vendor fails alone, and every accepted jti
// is stored.
func TestDirectLinkJTIsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "A")
		exp := time.Now().Add(10 * time.Minute)
		const jtis, uses = 100, 3
		var wg sync.WaitGroup
		wins := make([]atomic.Int32, jtis)
		var unknownErr error
		for i := range jtis * uses {
			wg.Go(func() {
				if err := s.RecordJTI(ctx, v.ID, fmt.Sprintf("j%d", i%jtis), exp); err == nil {
					wins[i%jtis].Add(1)
				} else if oriel.ErrorCode(err) != "jti_replayed" {
					t.Errorf("use %d: %v", i, err)
				}
			})
			if i == jtis {
				wg.Go(func() { unknownErr = s.RecordJTI(ctx, "vnd_missing", "j0", exp) })
			}
		}
		wg.Wait()
		if unknownErr == nil {
			t.Error("a jti of a vendor that does not exist was stored")
		}
		for i := range jtis {
			if n := wins[i].Load(); n != 1 {
				t.Errorf("jti j%d accepted %d times, want 1", i, n)
			}
			wantCode(t, s.RecordJTI(ctx, v.ID, fmt.Sprintf("j%d", i), exp), oriel.EUNAUTHORIZED, "jti_replayed")
		}
	})
}

func TestRevokedTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		revoked, err := s.TokenRevoked(ctx, "tok_1")
		must(t, err)
		if revoked {
			t.Fatal("fresh token reported revoked")
		}
		must(t, s.RevokeToken(ctx, "tok_1", time.Now().Add(time.Minute)))
		must(t, s.RevokeToken(ctx, "tok_1", time.Now().Add(time.Minute)))
		revoked, err = s.TokenRevoked(ctx, "tok_1")
		must(t, err)
		if !revoked {
			t.Fatal("revoked token not reported")
		}
		must(t, s.RevokeToken(ctx, "tok_2", time.Now().Add(-time.Second)))
		if n, err := s.PruneExpired(ctx, time.Now()); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
		if revoked, _ := s.TokenRevoked(ctx, "tok_1"); !revoked {
			t.Fatal("prune removed a live revocation")
		}
	})
}

// TestParty: one read gives the customer (by either kind of id), its
// vendor's allowed origins and, when asked, its user; what is missing is
// named, and another vendor's customer is missing.
func TestParty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		_, err := s.UpdateVendor(ctx, v.ID, oriel.VendorUpdate{AllowedOrigins: &[]string{"https://app.a.test"}})
		must(t, err)
		c := newCustomer(t, s, v.ID, "acme")
		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, ExternalID: "ada", Name: "Ada", Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		for _, ref := range []string{c.ID, "Eacme"} {
			p, err := s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: ref, UserRef: ""})
			must(t, err)
			if p.Customer.ID != c.ID || p.User != nil || len(p.VendorOrigins) != 1 || p.VendorOrigins[0] != "https://app.a.test" || p.Appearance != nil {
				t.Errorf("Party(%s) = %+v", ref, p)
			}
			for _, userRef := range []string{u.ID, "Eada"} {
				p, err := s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: ref, UserRef: userRef})
				must(t, err)
				if p.Customer.ID != c.ID || p.User == nil || p.User.ID != u.ID || p.User.Role != oriel.RoleMember || p.User.ExternalID != "ada" {
					t.Errorf("Party(%s, %s) = %+v, user %+v", ref, userRef, p, p.User)
				}
			}
		}
		must(t, s.PutAppearance(ctx, v.ID, &oriel.Appearance{Mode: "dark", Colors: map[string]string{"primary": "#123456"}, BorderRadius: "4px"}))
		p, err := s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Eacme", UserRef: "Eada"})
		must(t, err)
		if a := p.Appearance; a == nil || a.Mode != "dark" || a.Colors["primary"] != "#123456" || a.BorderRadius != "4px" || p.User == nil {
			t.Errorf("Party with an appearance: %+v, appearance %+v", p, a)
		}
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Enobody", UserRef: ""})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Enobody", UserRef: "Eada"})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Eacme", UserRef: "Enobody"})
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: other.ID, CustomerRef: c.ID, UserRef: u.ID})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
	})
}

// TestReadParty: the party's read also answers, in the same query, whether
// a token is revoked, whether a connection is the customer's, and which
// signing keys the vendor has (newest first, none for a vendor without).
func TestReadParty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		acme, globex, initech := newCustomer(t, s, v.ID, "acme"), newCustomer(t, s, v.ID, "globex"), newCustomer(t, s, other.ID, "initech")
		u := &oriel.User{VendorID: v.ID, CustomerID: acme.ID, ExternalID: "ada", Name: "Ada", Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		connectionOf := func(c *oriel.Customer) string {
			_, err := s.PutIntegration(ctx, &oriel.Integration{VendorID: c.VendorID, Key: "keys", Provider: "api_key", DisplayName: "Keys"})
			must(t, err)
			conn := &oriel.Connection{VendorID: c.VendorID, CustomerID: c.ID, Integration: "keys"}
			must(t, s.CreateConnection(ctx, conn))
			return conn.ID
		}
		mine, theirs, foreign := connectionOf(acme), connectionOf(globex), connectionOf(initech)
		must(t, s.RevokeToken(ctx, "tok_revoked", time.Now().Add(time.Hour)))

		p, err := s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Eacme", UserRef: "Eada", SigningKeys: true})
		must(t, err)
		if p.Customer.ID != acme.ID || p.User == nil || p.User.ID != u.ID || p.SigningKeys != nil || p.TokenRevoked || p.OwnsConnection {
			t.Fatalf("without keys, token or connection: %+v", p)
		}
		for _, k := range []*oriel.SigningKey{
			{VendorID: v.ID, KID: "old", Algorithm: "RS256", Fingerprint: "fp-old", PublicKeyPEM: "pem-old"},
			{VendorID: v.ID, KID: "new", Algorithm: "RS256", Fingerprint: "fp-new", PublicKeyPEM: "pem-new"},
			{VendorID: other.ID, KID: "theirs", Algorithm: "RS256", Fingerprint: "fp-theirs", PublicKeyPEM: "pem-theirs"},
		} {
			must(t, s.CreateSigningKey(ctx, k))
		}
		for _, tc := range []struct {
			connection, token string
			owns, revoked     bool
		}{
			{mine, "tok_revoked", true, true},
			{theirs, "tok_live", false, false},
			{foreign, "", false, false},
			{"conn_nope", "tok_revoked", false, true},
		} {
			p, err := s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: acme.ID, UserRef: u.ID, TokenID: tc.token, ConnectionID: tc.connection, SigningKeys: true})
			must(t, err)
			want := []store.SigningKeyRef{{KID: "new", Fingerprint: "fp-new"}, {KID: "old", Fingerprint: "fp-old"}}
			if p.OwnsConnection != tc.owns || p.TokenRevoked != tc.revoked || fmt.Sprint(p.SigningKeys) != fmt.Sprint(want) || p.User == nil || p.Customer.ID != acme.ID {
				t.Errorf("ReadParty(connection %s, token %q) = owns %v, revoked %v, keys %v, user %v; want %v, %v, %v",
					tc.connection, tc.token, p.OwnsConnection, p.TokenRevoked, p.SigningKeys, p.User, tc.owns, tc.revoked, want)
			}
		}
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: v.ID, CustomerRef: "Eacme", UserRef: "Enobody", TokenID: "tok_revoked", SigningKeys: true})
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
		_, err = s.ReadParty(ctx, store.PartyQuery{VendorID: other.ID, CustomerRef: acme.ID, ConnectionID: mine, SigningKeys: true})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
	})
}

// TestBinding: the live API key is read with the customer or user it binds,
// in one query; a revoked key, an unknown entity and another vendor's
// entity read nothing, and a user named by an external id that two
// customers use reads both.
func TestBinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		key := &oriel.APIKey{VendorID: v.ID, Name: "live"}
		must(t, s.CreateAPIKey(ctx, key, []byte("hash-live")))
		revoked := &oriel.APIKey{VendorID: v.ID, Name: "revoked"}
		must(t, s.CreateAPIKey(ctx, revoked, []byte("hash-revoked")))
		must(t, s.RevokeAPIKey(ctx, v.ID, revoked.ID))
		acme, globex, initech := newCustomer(t, s, v.ID, "acme"), newCustomer(t, s, v.ID, "globex"), newCustomer(t, s, other.ID, "initech")
		user := func(c *oriel.Customer, external string) *oriel.User {
			u := &oriel.User{VendorID: c.VendorID, CustomerID: c.ID, ExternalID: external, Name: external, Role: oriel.RoleMember}
			must(t, s.CreateUser(ctx, u))
			return u
		}
		ada, bob, _, olga := user(acme, "ada"), user(acme, "bob"), user(globex, "bob"), user(initech, "olga")

		for _, ref := range []string{acme.ID, "Eacme"} {
			b, err := s.Binding(ctx, []byte("hash-live"), ref, "")
			must(t, err)
			if b == nil || b.Key.ID != key.ID || b.Key.VendorID != v.ID || b.Customer == nil || b.Customer.ID != acme.ID || b.Users != nil {
				t.Fatalf("Binding(%s) = %+v", ref, b)
			}
		}
		for _, tc := range []struct{ customer, user, want string }{
			{"Eacme", "Eada", ada.ID}, {acme.ID, ada.ID, ada.ID}, {"", ada.ID, ada.ID}, {"", "Eada", ada.ID}, {"Eacme", "Ebob", bob.ID},
		} {
			b, err := s.Binding(ctx, []byte("hash-live"), tc.customer, tc.user)
			must(t, err)
			if b == nil || b.Key.ID != key.ID || b.Customer != nil || len(b.Users) != 1 || b.Users[0].ID != tc.want || b.Users[0].Role != oriel.RoleMember {
				t.Fatalf("Binding(%q, %q) = %+v", tc.customer, tc.user, b)
			}
		}
		if b, err := s.Binding(ctx, []byte("hash-live"), "", "Ebob"); err != nil || b == nil || len(b.Users) != 2 {
			t.Fatalf("Binding of an external id two customers use = %+v, %v; want both users", b, err)
		}
		for _, tc := range []struct {
			hash, customer, user string
		}{
			{"hash-revoked", "Eacme", ""},
			{"hash-nope", "Eacme", ""},
			{"hash-revoked", "Eacme", "Eada"},
			{"hash-live", "Enope", ""},
			{"hash-live", initech.ID, ""},
			{"hash-live", "Eacme", "Enope"},
			{"hash-live", "Eglobex", "Eada"},
			{"hash-live", "", olga.ID},
			{"hash-live", "", "Eolga"},
		} {
			if b, err := s.Binding(ctx, []byte(tc.hash), tc.customer, tc.user); err != nil || b != nil {
				t.Errorf("Binding(%s, %q, %q) = %+v, %v; want nothing", tc.hash, tc.customer, tc.user, b, err)
			}
		}
	})
}
