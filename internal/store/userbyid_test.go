package store_test

import (
	"context"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestUserByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "Acme SaaS"), newVendor(t, s, "Globex")
		c := newCustomer(t, s, v.ID, "acme")
		u := &oriel.User{VendorID: v.ID, CustomerID: "Eacme", ExternalID: "ada", Role: oriel.RoleViewer}
		must(t, s.CreateUser(ctx, u))

		got, err := s.UserByID(ctx, v.ID, u.ID)
		must(t, err)
		if got.ID != u.ID || got.CustomerID != c.ID || got.Role != oriel.RoleViewer {
			t.Fatalf("got %+v, want %+v", got, u)
		}
		_, err = s.UserByID(ctx, other.ID, u.ID) // another vendor's user answers as a missing one
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
		_, err = s.UserByID(ctx, v.ID, "Eada") // an external id is not an Oriel id
		wantCode(t, err, oriel.ENOTFOUND, "user_not_found")
	})
}
