package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// newTestVendor starts Oriel on a fresh SQLite store with a vendor, its
// customer acme and acme's user alice, and returns the vendor's API client.
// Store and server share a new keyring, which life events' documents need.
func newTestVendor(t *testing.T) (*store.SQL, *oriel.Vendor, *vendorAPI) {
	t.Helper()
	ctx := context.Background()
	s := storetest.SQLite(t)
	entry, err := seal.NewKeyEntry("k1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.ParseKeyring(entry)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeyring(keys)
	ts := httptest.NewServer(server.New(server.Config{Store: s, Keys: keys}))
	t.Cleanup(ts.Close)
	v := &oriel.Vendor{Name: "Northwind"}
	if err := s.CreateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}
	secret, _, err := apikey.Create(ctx, s, v.ID, "demo")
	if err != nil {
		t.Fatal(err)
	}
	api := newVendorAPI(ts.URL, secret)
	if err := api.call(ctx, http.MethodPost, "/v1/customers", map[string]any{"external_id": "acme"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := api.call(ctx, http.MethodPost, "/v1/customers/Eacme/users", map[string]any{"external_id": "alice", "name": "Alice Adams"}, nil); err != nil {
		t.Fatal(err)
	}
	return s, v, api
}

// seedBenefits sets up an employer through the real vendor API, and a
// second run adds nothing.
func TestSeedBenefits(t *testing.T) {
	ctx := context.Background()
	s, v, api := newTestVendor(t)
	today := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	for range 2 {
		if err := seedBenefits(ctx, api, "acme", []string{"alice"}, "2024-05-06", today); err != nil {
			t.Fatal(err)
		}
	}
	plans, _, err := s.ListPlans(ctx, v.ID, "Eacme", benefits.PlanFilter{}, oriel.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[benefits.PlanKind]int{}
	for _, p := range plans {
		kinds[p.Kind]++
		if len(p.Tiers) != 4 || p.PlanYear.Start != "2027-01-01" {
			t.Fatalf("plan %+v", p)
		}
	}
	if len(plans) != 4 || kinds[benefits.Medical] != 2 || kinds[benefits.Dental] != 1 || kinds[benefits.Vision] != 1 {
		t.Fatalf("plans by kind %v", kinds)
	}
	windows, _, err := s.ListWindows(ctx, v.ID, "Eacme", oriel.Page{Limit: 100})
	if err != nil || len(windows) != 1 || !windows[0].OpenOn("2026-11-10") {
		t.Fatalf("windows %v (%v)", windows, err)
	}
	alice, err := s.User(ctx, v.ID, "Eacme", "Ealice")
	if err != nil || alice.HireDate != "2024-05-06" || alice.EmploymentStatus != "active" {
		t.Fatalf("alice %+v (%v)", alice, err)
	}
}
