package store_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// endpoint creates a webhook endpoint of the vendor.
func endpoint(t *testing.T, s store.Store, vendorID, url string, events ...string) *oriel.WebhookEndpoint {
	t.Helper()
	e := &oriel.WebhookEndpoint{VendorID: vendorID, URL: url, Events: events, Secret: "whsec_" + url}
	must(t, s.CreateWebhookEndpoint(context.Background(), e))
	return e
}

// deliveryIDs returns the ids of deliveries, sorted.
func deliveryIDs(ds []*oriel.WebhookDelivery) []string {
	ids := []string{}
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestWebhookEndpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, other := f.vendor, newVendor(t, s, "Other")
		all := endpoint(t, s, v.ID, "https://a.test/all")
		if !strings.HasPrefix(all.ID, "we_") || all.Events == nil || all.CreatedAt.IsZero() {
			t.Fatalf("endpoint not initialised: %+v", all)
		}
		only := endpoint(t, s, v.ID, "https://a.test/only", oriel.EventConnectionConnected, oriel.EventConnectionError)
		if only.ID < all.ID { // ids made in one millisecond sort at random
			all, only = only, all
		}
		endpoint(t, s, other.ID, "https://b.test/theirs")

		list, more, err := s.ListWebhookEndpoints(ctx, v.ID, oriel.Page{Limit: 1})
		must(t, err)
		if len(list) != 1 || !more || list[0].ID != all.ID || list[0].Secret != "" || list[0].URL != all.URL {
			t.Fatalf("first page: %+v %v", list, more)
		}
		list, more, err = s.ListWebhookEndpoints(ctx, v.ID, oriel.Page{StartingAfter: all.ID})
		must(t, err)
		if len(list) != 1 || more || !reflect.DeepEqual(list[0].Events, only.Events) || list[0].Secret != "" {
			t.Fatalf("second page: %+v %v", list, more)
		}

		wantCode(t, s.DeleteWebhookEndpoint(ctx, other.ID, all.ID), oriel.ENOTFOUND, "webhook_endpoint_not_found")
		must(t, s.DeleteWebhookEndpoint(ctx, v.ID, all.ID))
		wantCode(t, s.DeleteWebhookEndpoint(ctx, v.ID, all.ID), oriel.ENOTFOUND, "webhook_endpoint_not_found")
		list, _, _ = s.ListWebhookEndpoints(ctx, v.ID, oriel.Page{})
		if len(list) != 1 || list[0].ID != only.ID {
			t.Fatalf("after delete: %+v", list)
		}
	})
}

// TestWebhookOutbox follows events from the change that records them to
// their deliveries: subscriptions, leases, retries with backoff, giving up,
// manual retry, and vendor scoping.
func TestWebhookOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, other := f.vendor, newVendor(t, s, "Other")
		all := endpoint(t, s, v.ID, "https://a.test/all")
		star := endpoint(t, s, v.ID, "https://a.test/star", "*")
		onlyConnected := endpoint(t, s, v.ID, "https://a.test/connected", oriel.EventConnectionConnected)
		endpoint(t, s, other.ID, "https://b.test/theirs")
		secrets := map[string]string{all.ID: all.Secret, star.ID: star.Secret, onlyConnected.ID: onlyConnected.Secret}

		c := f.connect(t)
		must2(s.SetConnected(ctx, v.ID, c.ID, &oriel.Credentials{AccessToken: "at"}))(t)
		events, _, err := s.ListWebhookEvents(ctx, v.ID, oriel.Page{})
		must(t, err)
		if len(events) != 2 || events[0].Type != oriel.EventConnectionCreated || events[1].Type != oriel.EventConnectionConnected {
			t.Fatalf("events: %+v", events)
		}
		created, connected := events[0], events[1]
		ds, err := s.WebhookDeliveries(ctx, v.ID, created.ID)
		must(t, err)
		if len(ds) != 2 || ds[0].EndpointID == onlyConnected.ID || ds[1].EndpointID == onlyConnected.ID {
			t.Fatalf("deliveries of connection.created: %+v", ds)
		}
		for _, d := range ds {
			if d.Status != oriel.DeliveryPending || d.Attempts != 0 || d.Secret != "" || d.Event.ID != created.ID || d.URL == "" ||
				!strings.HasPrefix(d.ID, "dlv_") {
				t.Fatalf("delivery: %+v", d)
			}
		}
		_, err = s.WebhookDeliveries(ctx, other.ID, created.ID)
		wantCode(t, err, oriel.ENOTFOUND, "webhook_event_not_found")
		wantCode(t, s.RetryWebhookEvent(ctx, other.ID, created.ID), oriel.ENOTFOUND, "webhook_event_not_found")
		if got := eventTypes(t, s, other.ID); len(got) != 0 {
			t.Fatalf("another vendor sees events: %v", got)
		}

		// Claims hand out each due delivery once, with what sending it needs.
		t0 := time.Now()
		claimed, err := s.ClaimWebhookDeliveries(ctx, t0, t0.Add(time.Minute), 10)
		must(t, err)
		if len(claimed) != 5 {
			t.Fatalf("claimed %d deliveries, want 5", len(claimed))
		}
		for _, d := range claimed {
			if d.Secret != secrets[d.EndpointID] || d.Event == nil || d.Event.Data.ConnectionID != c.ID ||
				d.Event.Data.CustomerID != f.customer.ID || d.Event.Data.Provider != "salesforce" {
				t.Fatalf("claimed delivery: %+v %+v", d, d.Event)
			}
		}
		if again, _ := s.ClaimWebhookDeliveries(ctx, t0, t0.Add(time.Minute), 10); len(again) != 0 {
			t.Fatalf("leased deliveries were claimed again: %d", len(again))
		}
		// A claimer that died leaves leases that run out: the deliveries are claimed again.
		t1 := t0.Add(2 * time.Minute)
		reclaimed, err := s.ClaimWebhookDeliveries(ctx, t1, t1.Add(time.Minute), 10)
		must(t, err)
		if !reflect.DeepEqual(deliveryIDs(reclaimed), deliveryIDs(claimed)) {
			t.Fatalf("after the leases ran out, claimed %v, want %v", deliveryIDs(reclaimed), deliveryIDs(claimed))
		}

		delivered, retried, abandoned := reclaimed[0], reclaimed[1], reclaimed[2]
		must(t, s.FinishWebhookDelivery(ctx, delivered.ID, true, "", time.Time{}))
		must(t, s.FinishWebhookDelivery(ctx, retried.ID, false, "HTTP 500", t0.Add(10*time.Minute)))
		must(t, s.FinishWebhookDelivery(ctx, abandoned.ID, false, "HTTP 410", time.Time{}))
		wantCode(t, s.FinishWebhookDelivery(ctx, "dlv_nope", true, "", time.Time{}), oriel.ENOTFOUND, "webhook_delivery_not_found")
		states := map[string]*oriel.WebhookDelivery{}
		for _, e := range events {
			ds, err := s.WebhookDeliveries(ctx, v.ID, e.ID)
			must(t, err)
			for _, d := range ds {
				states[d.ID] = d
			}
		}
		if d := states[delivered.ID]; d.Status != oriel.DeliveryDelivered || d.Attempts != 1 || d.LastError != "" {
			t.Fatalf("delivered: %+v", d)
		}
		if d := states[retried.ID]; d.Status != oriel.DeliveryPending || d.Attempts != 1 || d.LastError != "HTTP 500" ||
			!d.NextAttemptAt.Equal(t0.Add(10*time.Minute).Truncate(time.Microsecond)) {
			t.Fatalf("retried: %+v", d)
		}
		if d := states[abandoned.ID]; d.Status != oriel.DeliveryFailed || d.Attempts != 1 || d.LastError != "HTTP 410" {
			t.Fatalf("abandoned: %+v", d)
		}

		// The two still leased come back when their lease ends; the retried one when it is due.
		t2 := t0.Add(5 * time.Minute)
		got, err := s.ClaimWebhookDeliveries(ctx, t2, t2.Add(time.Hour), 10)
		must(t, err)
		if want := deliveryIDs(reclaimed[3:]); !reflect.DeepEqual(deliveryIDs(got), want) {
			t.Fatalf("claimed %v, want %v", deliveryIDs(got), want)
		}
		t3 := t0.Add(11 * time.Minute)
		got, err = s.ClaimWebhookDeliveries(ctx, t3, t3.Add(time.Minute), 10)
		must(t, err)
		if len(got) != 1 || got[0].ID != retried.ID || got[0].Attempts != 1 {
			t.Fatalf("claimed %+v, want the retried delivery", got)
		}

		// A manual retry makes every delivery of the event pending and due now.
		must(t, s.RetryWebhookEvent(ctx, v.ID, states[abandoned.ID].Event.ID))
		ds, err = s.WebhookDeliveries(ctx, v.ID, states[abandoned.ID].Event.ID)
		must(t, err)
		for _, d := range ds {
			if d.Status != oriel.DeliveryPending || d.NextAttemptAt.After(time.Now()) {
				t.Fatalf("after retry: %+v", d)
			}
		}

		// Deleting an endpoint takes its deliveries with it.
		must(t, s.DeleteWebhookEndpoint(ctx, v.ID, all.ID))
		ds, err = s.WebhookDeliveries(ctx, v.ID, connected.ID)
		must(t, err)
		if len(ds) != 2 || slices.ContainsFunc(ds, func(d *oriel.WebhookDelivery) bool { return d.EndpointID == all.ID }) {
			t.Fatalf("deliveries after the endpoint went: %+v", ds)
		}
	})
}

// TestWebhookEventsOrder: events list in the order they were recorded, even
// when many fall in one millisecond, and page newest last.
func TestWebhookEventsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v := f.vendor
		c := f.connect(t)
		want := []string{oriel.EventConnectionCreated}
		for range 15 {
			must2(s.SetConnected(ctx, v.ID, c.ID, &oriel.Credentials{AccessToken: "at"}))(t)
			must2(s.SetConnectionError(ctx, v.ID, c.ID, "boom"))(t)
			want = append(want, oriel.EventConnectionConnected, oriel.EventConnectionError)
		}
		var got []string
		for page := (oriel.Page{Limit: 4}); ; {
			events, more, err := s.ListWebhookEvents(ctx, v.ID, page)
			must(t, err)
			for _, e := range events {
				got = append(got, e.Type)
			}
			if !more {
				break
			}
			page.StartingAfter = events[len(events)-1].ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

// TestClaimAcrossReplicas: several stores on one database, like replicas,
// claiming at once never get the same delivery, and together get them all.
func TestClaimAcrossReplicas(t *testing.T) {
	for _, url := range []string{"sqlite:" + t.TempDir() + "/replicas.db", storetest.PostgresURL(t)} {
		t.Run(string(store.DialectOf(url)), func(t *testing.T) {
			ctx := context.Background()
			keys := keyring(t, keyEntries(t, "k1")...)
			replicas := make([]*store.SQL, 2)
			for i := range replicas {
				s, err := store.Open(ctx, url, nil)
				must(t, err)
				t.Cleanup(func() { s.Close() })
				s.UseKeyring(keys)
				replicas[i] = s
			}
			f := newFixtureKeyed(t, replicas[0], keys)
			for _, url := range []string{"https://a.test/1", "https://a.test/2", "https://a.test/3", "https://a.test/4"} {
				endpoint(t, replicas[0], f.vendor.ID, url)
			}
			for range 10 {
				f.connect(t)
			}
			const total = 40

			var mu sync.Mutex
			var claimed []string
			var wg sync.WaitGroup
			for i := range 6 {
				s := replicas[i%2]
				wg.Go(func() {
					for {
						now := time.Now()
						ds, err := s.ClaimWebhookDeliveries(ctx, now, now.Add(time.Hour), 3)
						if err != nil {
							t.Error(err)
							return
						}
						if len(ds) == 0 {
							return
						}
						mu.Lock()
						claimed = append(claimed, deliveryIDs(ds)...)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			slices.Sort(claimed)
			if len(slices.Compact(slices.Clone(claimed))) != len(claimed) {
				t.Fatalf("a delivery was claimed twice: %v", claimed)
			}
			if len(claimed) != total {
				t.Fatalf("claimed %d deliveries, want %d", len(claimed), total)
			}
		})
	}
}
