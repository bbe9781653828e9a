package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// keyEntries returns a new random keyring entry ("id:base64key") per id.
func keyEntries(t testing.TB, ids ...string) []string {
	t.Helper()
	entries := make([]string, len(ids))
	for i, id := range ids {
		e, err := seal.NewKeyEntry(id)
		if err != nil {
			t.Fatal(err)
		}
		entries[i] = e
	}
	return entries
}

// keyring parses keyring entries, oldest first.
func keyring(t testing.TB, entries ...string) *seal.Keyring {
	t.Helper()
	k, err := seal.ParseKeyring(strings.Join(entries, ","))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is a vendor with a customer and an OAuth integration "crm", on a
// store that has a keyring.
type fixture struct {
	s           *store.SQL
	vendor      *oriel.Vendor
	customer    *oriel.Customer
	integration *oriel.Integration
}

func newFixture(t *testing.T, s *store.SQL) *fixture {
	t.Helper()
	return newFixtureKeyed(t, s, keyring(t, keyEntries(t, "k1")...))
}

// newFixtureKeyed is newFixture on a store given the keyring keys.
func newFixtureKeyed(t *testing.T, s *store.SQL, keys *seal.Keyring) *fixture {
	t.Helper()
	s.UseKeyring(keys)
	f := &fixture{s: s, vendor: newVendor(t, s, "Acme")}
	f.customer = newCustomer(t, s, f.vendor.ID, "cust-1")
	f.integration = &oriel.Integration{VendorID: f.vendor.ID, Key: "crm", Provider: "salesforce", DisplayName: "CRM",
		ClientID: "client-1", ClientSecret: "client-secret-1", Scopes: []string{"api", "refresh_token"}}
	if _, err := s.PutIntegration(context.Background(), f.integration); err != nil {
		t.Fatal(err)
	}
	return f
}

// connect creates a disconnected connection of the fixture's customer.
func (f *fixture) connect(t *testing.T) *oriel.Connection {
	t.Helper()
	c := &oriel.Connection{VendorID: f.vendor.ID, CustomerID: f.customer.ID, Integration: "crm"}
	must(t, f.s.CreateConnection(context.Background(), c))
	return c
}

// eventTypes lists the types of all the vendor's events, oldest first.
func eventTypes(t *testing.T, s store.Store, vendorID string) []string {
	t.Helper()
	events, _, err := s.ListWebhookEvents(context.Background(), vendorID, oriel.Page{Limit: store.MaxPageLimit})
	must(t, err)
	types := []string{}
	for _, e := range events {
		types = append(types, e.Type)
	}
	return types
}

func TestIntegrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, other := f.vendor, newVendor(t, s, "Other")
		if !strings.HasPrefix(f.integration.ID, "int_") || f.integration.CreatedAt.IsZero() {
			t.Fatalf("integration not initialised: %+v", f.integration)
		}
		got, err := s.Integration(ctx, v.ID, "crm")
		must(t, err)
		if got.ID != f.integration.ID || got.ClientSecret != "client-secret-1" || got.ClientID != "client-1" ||
			!reflect.DeepEqual(got.Scopes, []string{"api", "refresh_token"}) || got.Provider != "salesforce" {
			t.Fatalf("integration: %+v", got)
		}

		// Put again replaces everything but the id and creation time.
		replaced := &oriel.Integration{VendorID: v.ID, Key: "crm", Provider: "oauth2", DisplayName: "CRM 2",
			ClientSecret: "client-secret-2", Config: map[string]string{"token_url": "https://idp.test/token"}}
		created, err := s.PutIntegration(ctx, replaced)
		must(t, err)
		if created || replaced.ID != f.integration.ID || !replaced.CreatedAt.Equal(f.integration.CreatedAt) {
			t.Fatalf("replace: created=%v %+v", created, replaced)
		}
		got, err = s.Integration(ctx, v.ID, "crm")
		must(t, err)
		if got.DisplayName != "CRM 2" || got.ClientSecret != "client-secret-2" || got.ClientID != "" || len(got.Scopes) != 0 ||
			got.Config["token_url"] != "https://idp.test/token" || got.UpdatedAt.Before(got.CreatedAt) {
			t.Fatalf("replaced: %+v", got)
		}

		// Keys are per vendor; an integration may have no secret.
		theirs := &oriel.Integration{VendorID: other.ID, Key: "crm", Provider: "hubspot", DisplayName: "Theirs", ClientSecret: "theirs"}
		created, err = s.PutIntegration(ctx, theirs)
		must(t, err)
		if !created || theirs.ID == f.integration.ID {
			t.Fatalf("another vendor's key clashed: %v %+v", created, theirs)
		}
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "keys", Provider: "api_key", DisplayName: "Keys"}))(t)
		got, err = s.Integration(ctx, v.ID, "keys")
		must(t, err)
		if got.ClientSecret != "" {
			t.Fatalf("secret of an integration without one: %q", got.ClientSecret)
		}
		list, more, err := s.ListIntegrations(ctx, v.ID, oriel.Page{Limit: 10})
		must(t, err)
		if len(list) != 2 || more || list[0].ClientSecret != "" || list[1].ClientSecret != "" {
			t.Fatalf("list: %+v %v", list, more)
		}
		for _, key := range []string{"keys", "nope"} {
			_, err = s.Integration(ctx, other.ID, key)
			wantCode(t, err, oriel.ENOTFOUND, "integration_not_found")
		}

		c := f.connect(t)
		wantCode(t, s.DeleteIntegration(ctx, v.ID, "crm"), oriel.ECONFLICT, "integration_in_use")
		wantCode(t, s.DeleteIntegration(ctx, other.ID, "keys"), oriel.ENOTFOUND, "integration_not_found")
		_, err = s.DeleteConnection(ctx, v.ID, c.ID)
		must(t, err)
		must(t, s.DeleteIntegration(ctx, v.ID, "crm"))
		_, err = s.Integration(ctx, v.ID, "crm")
		wantCode(t, err, oriel.ENOTFOUND, "integration_not_found")
		wantCode(t, s.DeleteIntegration(ctx, v.ID, "crm"), oriel.ENOTFOUND, "integration_not_found")
		if _, err := s.Integration(ctx, other.ID, "crm"); err != nil {
			t.Fatalf("deleting one vendor's integration touched another's: %v", err)
		}
	})
}

// must2 checks the error of a call that also returns a value.
func must2[T any](_ T, err error) func(*testing.T) {
	return func(t *testing.T) { t.Helper(); must(t, err) }
}

func TestConnectionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v := f.vendor
		c := &oriel.Connection{VendorID: v.ID, CustomerID: "Ecust-1", Integration: "crm", Config: map[string]string{"subdomain": "acme"}}
		must(t, s.CreateConnection(ctx, c))
		if !strings.HasPrefix(c.ID, "conn_") || c.CustomerID != f.customer.ID || c.IntegrationID != f.integration.ID ||
			c.Provider != "salesforce" || c.Status != oriel.StatusDisconnected || c.CreatedAt.IsZero() {
			t.Fatalf("created: %+v", c)
		}
		got, err := s.Connection(ctx, v.ID, c.ID)
		must(t, err)
		if got.Integration != "crm" || got.Config["subdomain"] != "acme" || got.Status != oriel.StatusDisconnected ||
			got.ConnectedAt != nil || got.TokenExpiresAt != nil || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("read back: %+v", got)
		}
		_, err = s.ConnectionCredentials(ctx, v.ID, c.ID)
		wantCode(t, err, oriel.ENOTFOUND, "credentials_not_found")

		expiry := time.Now().Add(time.Hour).Round(time.Microsecond)
		cred := &oriel.Credentials{AccessToken: "at-1", RefreshToken: "rt-1", TokenType: "Bearer", Expiry: expiry, Scopes: []string{"api"}}
		conn, err := s.SetConnected(ctx, v.ID, c.ID, cred)
		must(t, err)
		if conn.Status != oriel.StatusConnected || conn.ConnectedAt == nil || conn.TokenExpiresAt == nil || !conn.TokenExpiresAt.Equal(expiry) {
			t.Fatalf("connected: %+v", conn)
		}
		if got, _ := s.Connection(ctx, v.ID, c.ID); !reflect.DeepEqual(got, conn) {
			t.Fatalf("stored %+v, returned %+v", got, conn)
		}
		wantCredentials(t, s, v.ID, c.ID, cred)

		conn, err = s.SetConnectionError(ctx, v.ID, c.ID, "invalid_grant")
		must(t, err)
		if conn.Status != oriel.StatusError || conn.LastError != "invalid_grant" {
			t.Fatalf("error: %+v", conn)
		}
		conn, err = s.SetConnectionError(ctx, v.ID, c.ID, "still failing") // no second event
		must(t, err)
		if got, _ := s.Connection(ctx, v.ID, c.ID); got.LastError != "still failing" || conn.LastError != "still failing" {
			t.Fatalf("last error not updated: %+v", got)
		}
		wantCredentials(t, s, v.ID, c.ID, cred) // kept in error

		refreshed := &oriel.Credentials{AccessToken: "at-2", TokenType: "Bearer", Expiry: expiry.Add(time.Hour)}
		must(t, s.SaveRefreshedCredentials(ctx, v.ID, c.ID, refreshed))
		wantCredentials(t, s, v.ID, c.ID, refreshed)

		conn, err = s.SetConnected(ctx, v.ID, c.ID, cred)
		must(t, err)
		if conn.Status != oriel.StatusConnected || conn.LastError != "" {
			t.Fatalf("reconnected: %+v", conn)
		}
		conn, err = s.SetDisconnected(ctx, v.ID, c.ID)
		must(t, err)
		if conn.Status != oriel.StatusDisconnected || conn.TokenExpiresAt != nil || conn.ConnectedAt != nil {
			t.Fatalf("disconnected: %+v", conn)
		}
		_, err = s.ConnectionCredentials(ctx, v.ID, c.ID)
		wantCode(t, err, oriel.ENOTFOUND, "credentials_not_found")
		// A refresh that finishes after a disconnect does not bring the credentials back.
		wantCode(t, s.SaveRefreshedCredentials(ctx, v.ID, c.ID, refreshed), oriel.ENOTFOUND, "credentials_not_found")

		held, err := s.DeleteConnection(ctx, v.ID, c.ID)
		must(t, err)
		if held != nil {
			t.Fatalf("a disconnected connection returned credentials: %+v", held)
		}
		_, err = s.Connection(ctx, v.ID, c.ID)
		wantCode(t, err, oriel.ENOTFOUND, "connection_not_found")

		want := []string{oriel.EventConnectionCreated, oriel.EventConnectionConnected, oriel.EventConnectionError,
			oriel.EventConnectionConnected, oriel.EventConnectionDisconnected, oriel.EventConnectionDeleted}
		if got := eventTypes(t, s, v.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		events, _, _ := s.ListWebhookEvents(ctx, v.ID, oriel.Page{})
		for _, e := range events {
			if e.Data != (oriel.EventData{ConnectionID: c.ID, CustomerID: f.customer.ID, Provider: "salesforce"}) || e.VendorID != v.ID ||
				!strings.HasPrefix(e.ID, "evt_") || e.CreatedAt.IsZero() {
				t.Fatalf("event: %+v", e)
			}
		}

		// Deleting a connected connection hands back its credentials for revocation.
		c2 := f.connect(t)
		must2(s.SetConnected(ctx, v.ID, c2.ID, cred))(t)
		held, err = s.DeleteConnection(ctx, v.ID, c2.ID)
		must(t, err)
		equalCredentials(t, held, cred)
		_, err = s.DeleteConnection(ctx, v.ID, c2.ID)
		wantCode(t, err, oriel.ENOTFOUND, "connection_not_found")
	})
}

// wantCredentials checks a connection's stored credentials.
func wantCredentials(t *testing.T, s store.Store, vendorID, id string, want *oriel.Credentials) {
	t.Helper()
	got, err := s.ConnectionCredentials(context.Background(), vendorID, id)
	must(t, err)
	equalCredentials(t, got, want)
}

// equalCredentials checks credentials field by field, expiry by instant.
func equalCredentials(t *testing.T, got, want *oriel.Credentials) {
	t.Helper()
	if got == nil {
		t.Fatalf("no credentials, want %+v", want)
	}
	if !got.Expiry.Equal(want.Expiry) {
		t.Fatalf("credentials expiry %v, want %v", got.Expiry, want.Expiry)
	}
	g, w := *got, *want
	g.Expiry, w.Expiry = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("credentials %+v, want %+v", g, w)
	}
}

// TestConnectionsScopedByVendor: another vendor's connection is ENOTFOUND to
// every method, exactly like a missing one, and lists never mix vendors.
func TestConnectionsScopedByVendor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, other := f.vendor, newVendor(t, s, "Other")
		otherCustomer := newCustomer(t, s, other.ID, "cust-1")
		mine := f.connect(t)
		must2(s.SetConnected(ctx, v.ID, mine.ID, &oriel.Credentials{AccessToken: "at"}))(t)

		notFound := func(err error) { t.Helper(); wantCode(t, err, oriel.ENOTFOUND, "connection_not_found") }
		for _, id := range []string{mine.ID, "conn_nope"} {
			_, err := s.Connection(ctx, other.ID, id)
			notFound(err)
			_, err = s.ConnectionCredentials(ctx, other.ID, id)
			notFound(err)
			_, err = s.SetConnected(ctx, other.ID, id, &oriel.Credentials{AccessToken: "stolen"})
			notFound(err)
			_, err = s.SetDisconnected(ctx, other.ID, id)
			notFound(err)
			_, err = s.SetConnectionError(ctx, other.ID, id, "x")
			notFound(err)
			notFound(s.SaveRefreshedCredentials(ctx, other.ID, id, &oriel.Credentials{AccessToken: "stolen"}))
			_, err = s.DeleteConnection(ctx, other.ID, id)
			notFound(err)
			notFound(s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte(id), VendorID: other.ID, ConnectionID: id, ExpiresAt: time.Now().Add(time.Minute)}))
		}
		wantCredentials(t, s, v.ID, mine.ID, &oriel.Credentials{AccessToken: "at"})

		// Neither another vendor's customer nor its integrations can be used.
		err := s.CreateConnection(ctx, &oriel.Connection{VendorID: v.ID, CustomerID: otherCustomer.ID, Integration: "crm"})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		err = s.CreateConnection(ctx, &oriel.Connection{VendorID: other.ID, CustomerID: otherCustomer.ID, Integration: "crm"})
		wantCode(t, err, oriel.ENOTFOUND, "integration_not_found")
		if got := eventTypes(t, s, other.ID); len(got) != 0 {
			t.Fatalf("failed creations recorded events: %v", got)
		}

		list, _, err := s.ListConnections(ctx, other.ID, "", oriel.Page{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("another vendor lists %d connections", len(list))
		}
		_, _, err = s.ListConnections(ctx, other.ID, f.customer.ID, oriel.Page{})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		if got := eventTypes(t, s, other.ID); len(got) != 0 {
			t.Fatalf("another vendor sees events: %v", got)
		}
	})
}

// TestConnectionsListAndCascade: lists page and filter by customer; deleting
// a customer deletes its connections (and their OAuth states), and deleting a
// vendor deletes everything it owns.
func TestConnectionsListAndCascade(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v := f.vendor
		newCustomer(t, s, v.ID, "cust-2")
		var firsts []*oriel.Connection
		for range 3 {
			firsts = append(firsts, f.connect(t))
		}
		theirs := &oriel.Connection{VendorID: v.ID, CustomerID: "Ecust-2", Integration: "crm"}
		must(t, s.CreateConnection(ctx, theirs))

		var ids []string
		for _, c := range append(slices.Clone(firsts), theirs) {
			ids = append(ids, c.ID)
		}
		slices.Sort(ids)
		page, more, err := s.ListConnections(ctx, v.ID, "", oriel.Page{Limit: 3})
		must(t, err)
		if len(page) != 3 || !more || page[0].ID != ids[0] || page[2].ID != ids[2] {
			t.Fatalf("first page: %d %v", len(page), more)
		}
		page, more, err = s.ListConnections(ctx, v.ID, "", oriel.Page{Limit: 3, StartingAfter: page[2].ID})
		must(t, err)
		if len(page) != 1 || more || page[0].ID != ids[3] {
			t.Fatalf("second page: %+v %v", page, more)
		}
		page, _, err = s.ListConnections(ctx, v.ID, "Ecust-2", oriel.Page{})
		must(t, err)
		if len(page) != 1 || page[0].ID != theirs.ID || page[0].Integration != "crm" {
			t.Fatalf("by customer: %+v", page)
		}

		must(t, s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("h1"), VendorID: v.ID, ConnectionID: firsts[0].ID, ExpiresAt: time.Now().Add(time.Minute)}))
		must(t, s.DeleteCustomer(ctx, v.ID, f.customer.ID))
		for _, c := range firsts {
			_, err := s.Connection(ctx, v.ID, c.ID)
			wantCode(t, err, oriel.ENOTFOUND, "connection_not_found")
		}
		_, err = s.ConsumeOAuthState(ctx, []byte("h1"), time.Now())
		wantCode(t, err, oriel.EINVALID, "state_invalid")
		if _, err := s.Connection(ctx, v.ID, theirs.ID); err != nil {
			t.Fatalf("another customer's connection went too: %v", err)
		}

		// The schema lets a vendor go with everything it owns.
		must2(s.SetConnected(ctx, v.ID, theirs.ID, &oriel.Credentials{AccessToken: "at"}))(t)
		must(t, s.CreateWebhookEndpoint(ctx, &oriel.WebhookEndpoint{VendorID: v.ID, URL: "https://hooks.test", Secret: "whsec_x"}))
		must(t, s.PutAppearance(ctx, v.ID, &oriel.Appearance{Mode: "dark"}))
		must2(s.SetDisconnected(ctx, v.ID, theirs.ID))(t)
		must2(store.RawDB(s).ExecContext(ctx, `DELETE FROM vendors WHERE id = $1`, v.ID))(t)
		for _, table := range []string{"integrations", "connections", "oauth_states", "webhook_endpoints", "webhook_events", "webhook_deliveries", "appearances"} {
			var n int
			must(t, store.RawDB(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n))
			if n != 0 {
				t.Errorf("%s keeps %d rows of a deleted vendor", table, n)
			}
		}
	})
}

// TestRefreshLease: the refresh lease admits one owner at a time, among
// concurrent callers, and can be taken over once expired.
func TestRefreshLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		c := f.connect(t)
		until := time.Now().Add(time.Minute)

		var wg sync.WaitGroup
		var mu sync.Mutex
		var winners []string
		for i := range 20 {
			owner := fmt.Sprintf("replica-%d", i)
			wg.Go(func() {
				ok, err := s.LockRefresh(ctx, c.ID, owner, until)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d of 20 concurrent callers took the lease: %v", len(winners), winners)
		}
		winner := winners[0]
		wantLock := func(owner string, until time.Time, want bool) {
			t.Helper()
			ok, err := s.LockRefresh(ctx, c.ID, owner, until)
			must(t, err)
			if ok != want {
				t.Fatalf("LockRefresh(%s) = %v, want %v", owner, ok, want)
			}
		}
		wantLock(winner, until.Add(time.Minute), true) // the owner extends its lease
		wantLock("intruder", until, false)
		must(t, s.UnlockRefresh(ctx, c.ID, "intruder")) // not the owner: no effect
		wantLock("intruder", until, false)
		must(t, s.UnlockRefresh(ctx, c.ID, winner))
		wantLock("next", time.Now().Add(-time.Second), true) // a lease that has already run out
		wantLock("taker", until, true)                       // is taken over
		must(t, s.UnlockRefresh(ctx, c.ID, "next"))          // the old owner cannot release it
		wantLock("third", until, false)

		_, err := s.LockRefresh(ctx, "conn_nope", "x", until)
		wantCode(t, err, oriel.ENOTFOUND, "connection_not_found")
	})
}

func TestConnectionsToRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v := f.vendor
		soon := time.Now().Add(2 * time.Minute)
		connectWith := func(cred *oriel.Credentials) *oriel.Connection {
			c := f.connect(t)
			must2(s.SetConnected(ctx, v.ID, c.ID, cred))(t)
			return c
		}
		due := connectWith(&oriel.Credentials{AccessToken: "a", RefreshToken: "r", Expiry: soon})
		sooner := connectWith(&oriel.Credentials{AccessToken: "a", RefreshToken: "r", Expiry: soon.Add(-time.Minute)})
		connectWith(&oriel.Credentials{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)}) // not yet
		connectWith(&oriel.Credentials{AccessToken: "a", Expiry: soon})                                         // nothing to refresh with
		connectWith(&oriel.Credentials{Fields: map[string]string{"api_key": "k"}})                              // never expires
		failed := connectWith(&oriel.Credentials{AccessToken: "a", RefreshToken: "r", Expiry: soon})
		must2(s.SetConnectionError(ctx, v.ID, failed.ID, "invalid_grant"))(t)
		gone := connectWith(&oriel.Credentials{AccessToken: "a", RefreshToken: "r", Expiry: soon})
		must2(s.SetDisconnected(ctx, v.ID, gone.ID))(t)

		list, err := s.ConnectionsToRefresh(ctx, time.Now().Add(5*time.Minute), 10)
		must(t, err)
		if len(list) != 2 || list[0].ID != sooner.ID || list[1].ID != due.ID {
			t.Fatalf("to refresh: %+v", list)
		}
		list, err = s.ConnectionsToRefresh(ctx, time.Now().Add(5*time.Minute), 1)
		must(t, err)
		if len(list) != 1 || list[0].ID != sooner.ID {
			t.Fatalf("limit 1: %+v", list)
		}
		// A refresh that drops the refresh token takes the connection off the list.
		must(t, s.SaveRefreshedCredentials(ctx, v.ID, sooner.ID, &oriel.Credentials{AccessToken: "b", Expiry: soon}))
		list, _ = s.ConnectionsToRefresh(ctx, time.Now().Add(5*time.Minute), 10)
		if len(list) != 1 || list[0].ID != due.ID {
			t.Fatalf("after refresh: %+v", list)
		}
	})
}

func TestOAuthStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		c := f.connect(t)
		exp := time.Now().Add(10 * time.Minute).Round(time.Microsecond).UTC()
		st := &oriel.OAuthState{StateHash: []byte("hash-1"), VendorID: f.vendor.ID, ConnectionID: c.ID, SessionID: "ses_1",
			CodeVerifier: "verifier-1", RedirectURI: "https://oriel.test/oauth/callback", Origin: "https://oriel.test", ExpiresAt: exp}
		must(t, s.CreateOAuthState(ctx, st))
		must(t, s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("no-pkce"), VendorID: f.vendor.ID, ConnectionID: c.ID, ExpiresAt: exp}))
		must(t, s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("expired"), VendorID: f.vendor.ID, ConnectionID: c.ID, ExpiresAt: time.Now().Add(time.Second)}))

		_, err := s.ConsumeOAuthState(ctx, []byte("expired"), time.Now().Add(2*time.Second))
		wantCode(t, err, oriel.EINVALID, "state_invalid")
		_, err = s.ConsumeOAuthState(ctx, []byte("unknown"), time.Now())
		wantCode(t, err, oriel.EINVALID, "state_invalid")

		// Concurrent callbacks with one state: exactly one gets it.
		var wg sync.WaitGroup
		got := make(chan *oriel.OAuthState, 10)
		for range 10 {
			wg.Go(func() {
				st, err := s.ConsumeOAuthState(ctx, []byte("hash-1"), time.Now())
				if err != nil {
					wantCode(t, err, oriel.EINVALID, "state_invalid")
					return
				}
				got <- st
			})
		}
		wg.Wait()
		close(got)
		if len(got) != 1 {
			t.Fatalf("%d of 10 concurrent callbacks consumed one state", len(got))
		}
		if back := <-got; !reflect.DeepEqual(back, st) {
			t.Fatalf("consumed %+v, want %+v", back, st)
		}
		plain, err := s.ConsumeOAuthState(ctx, []byte("no-pkce"), time.Now())
		must(t, err)
		if plain.CodeVerifier != "" {
			t.Fatalf("verifier: %q", plain.CodeVerifier)
		}
	})
}

func TestAppearance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "A"), newVendor(t, s, "B")
		a, err := s.Appearance(ctx, v.ID)
		if a != nil || err != nil {
			t.Fatalf("no appearance yet: %+v %v", a, err)
		}
		want := &oriel.Appearance{Mode: "dark", Colors: map[string]string{"primary": "#0a84ff", "background": "#111"}, FontFamily: "Inter", BorderRadius: "8px"}
		must(t, s.PutAppearance(ctx, v.ID, want))
		a, err = s.Appearance(ctx, v.ID)
		must(t, err)
		if !reflect.DeepEqual(a, want) {
			t.Fatalf("appearance %+v, want %+v", a, want)
		}
		must(t, s.PutAppearance(ctx, v.ID, &oriel.Appearance{Mode: "auto"}))
		a, _ = s.Appearance(ctx, v.ID)
		if !reflect.DeepEqual(a, &oriel.Appearance{Mode: "auto"}) {
			t.Fatalf("replaced: %+v", a)
		}
		if a, _ := s.Appearance(ctx, other.ID); a != nil {
			t.Fatalf("another vendor's appearance: %+v", a)
		}
	})
}
