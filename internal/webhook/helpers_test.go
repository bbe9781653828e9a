package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/webhook"
)

// received is one request a receiver got.
type received struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint on loopback that records every request and
// answers with the status its respond function picks (200 when nil).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	respond  func(n int) int // n counts requests from 1
}

func newReceiver(t *testing.T, respond func(n int) int) *receiver {
	t.Helper()
	rc := &receiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		n := len(rc.requests)
		rc.mu.Unlock()
		status := http.StatusOK
		if rc.respond != nil {
			status = rc.respond(n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// Requests returns a copy of the requests received so far.
func (rc *receiver) Requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

// queue is a Store of fixed deliveries in memory, for tests whose ids and
// times must not change from run to run as a database's do.
type queue struct {
	mu       sync.Mutex
	pending  []*oriel.WebhookDelivery
	finished []finished
}

// finished is one outcome recorded in a queue.
type finished struct {
	id        string
	delivered bool
	lastError string
	next      time.Time
}

func (q *queue) ClaimWebhookDeliveries(_ context.Context, _, _ time.Time, limit int) ([]*oriel.WebhookDelivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(limit, len(q.pending))
	claimed := q.pending[:n]
	q.pending = q.pending[n:]
	return claimed, nil
}

func (q *queue) FinishWebhookDelivery(_ context.Context, id string, delivered bool, lastError string, next time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finished = append(q.finished, finished{id, delivered, lastError, next})
	return nil
}

// world is a vendor with a customer and an integration "crm" on a real
// store that has a keyring, ready to record connection events.
type world struct {
	s        *store.SQL
	vendor   *oriel.Vendor
	customer *oriel.Customer
}

// newKeyring returns a keyring of one new random key.
func newKeyring(t *testing.T) *seal.Keyring {
	t.Helper()
	entry, err := seal.NewKeyEntry("k1")
	if err != nil {
		t.Fatal(err)
	}
	k, err := seal.ParseKeyring(entry)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newWorld sets up a vendor on s, which gets keys (a new keyring when nil).
func newWorld(t *testing.T, s *store.SQL, keys *seal.Keyring) *world {
	t.Helper()
	ctx := context.Background()
	if keys == nil {
		keys = newKeyring(t)
	}
	s.UseKeyring(keys)
	w := &world{s: s, vendor: &oriel.Vendor{Name: "Acme"}}
	must(t, s.CreateVendor(ctx, w.vendor))
	w.customer = &oriel.Customer{VendorID: w.vendor.ID, ExternalID: "cust-1", Name: "Customer 1"}
	must(t, s.CreateCustomer(ctx, w.customer))
	_, err := s.PutIntegration(ctx, &oriel.Integration{VendorID: w.vendor.ID, Key: "crm", Provider: "salesforce",
		DisplayName: "CRM", ClientID: "client-1", ClientSecret: "client-secret-1"})
	must(t, err)
	return w
}

// endpoint registers url, with a new secret, for the given event types (all when none).
func (w *world) endpoint(t *testing.T, url string, events ...string) *oriel.WebhookEndpoint {
	t.Helper()
	e := &oriel.WebhookEndpoint{VendorID: w.vendor.ID, URL: url, Events: events, Secret: webhook.NewSecret()}
	must(t, w.s.CreateWebhookEndpoint(context.Background(), e))
	return e
}

// connect creates a connection, which records a connection.created event.
func (w *world) connect(t *testing.T) *oriel.Connection {
	t.Helper()
	c := &oriel.Connection{VendorID: w.vendor.ID, CustomerID: w.customer.ID, Integration: "crm"}
	must(t, w.s.CreateConnection(context.Background(), c))
	return c
}

// events returns the vendor's events, oldest first.
func (w *world) events(t *testing.T) []*oriel.WebhookEvent {
	t.Helper()
	events, _, err := w.s.ListWebhookEvents(context.Background(), w.vendor.ID, oriel.Page{Limit: store.MaxPageLimit})
	must(t, err)
	return events
}

// deliveries returns the deliveries of event as the store has them now, by endpoint id.
func (w *world) deliveries(t *testing.T, event string) map[string]*oriel.WebhookDelivery {
	t.Helper()
	ds, err := w.s.WebhookDeliveries(context.Background(), w.vendor.ID, event)
	must(t, err)
	byEndpoint := map[string]*oriel.WebhookDelivery{}
	for _, d := range ds {
		byEndpoint[d.EndpointID] = d
	}
	return byEndpoint
}

// deliverDue runs one pass of d and fails the test if it fails, returning
// how many deliveries it claimed.
func deliverDue(t *testing.T, d *webhook.Dispatcher) int {
	t.Helper()
	n, err := d.DeliverDue(context.Background())
	must(t, err)
	return n
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// loopback lets a dispatcher's default client reach the receivers these
// tests run on 127.0.0.1, which the zero policy refuses.
var loopback = netguard.Policy{AllowPrivate: true}
