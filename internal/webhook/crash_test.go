package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
	"github.com/orielhq/oriel/internal/webhook"
)

var errKilled = errors.New("killed")

// killedBeforeRecording is a store whose process dies after the endpoint
// answered and before the outcome is recorded.
type killedBeforeRecording struct{ webhook.Store }

func (killedBeforeRecording) FinishWebhookDelivery(context.Context, string, bool, string, time.Time) error {
	return errKilled
}

// TestCrashRedelivers: whenever a dispatcher dies with a delivery claimed,
// another delivers it once the lease runs out, and not before. An event may
// then arrive twice, with the same webhook-id, which receivers dedupe on.
func TestCrashRedelivers(t *testing.T) {
	const lease = time.Minute
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()

		t.Run("killed after claiming", func(t *testing.T) {
			w := newWorld(t, s, nil)
			rc := newReceiver(t, nil)
			ep := w.endpoint(t, rc.URL)
			w.connect(t)
			e := w.events(t)[0]
			now := time.Now()
			if claimed, err := s.ClaimWebhookDeliveries(ctx, now, now.Add(lease), 10); err != nil || len(claimed) != 1 {
				t.Fatalf("the doomed dispatcher claimed %d (%v)", len(claimed), err)
			}
			clk := logtest.NewClock(now)
			d := &webhook.Dispatcher{Destinations: loopback, Store: s, Now: clk.Now, Lease: lease}
			expectRedelivery(t, w, d, clk, now.Add(lease), e, ep, rc, 1)
		})

		t.Run("killed after sending", func(t *testing.T) {
			w := newWorld(t, s, nil)
			rc := newReceiver(t, nil)
			ep := w.endpoint(t, rc.URL)
			w.connect(t)
			e := w.events(t)[0]
			clk := logtest.NewClock(time.Now())
			start := clk.Now()
			doomed := &webhook.Dispatcher{Destinations: loopback, Store: killedBeforeRecording{s}, Now: clk.Now, Lease: lease}
			if n, err := doomed.DeliverDue(ctx); n != 1 || !errors.Is(err, errKilled) || len(rc.Requests()) != 1 {
				t.Fatalf("doomed pass: n=%d err=%v requests=%d", n, err, len(rc.Requests()))
			}
			d := &webhook.Dispatcher{Destinations: loopback, Store: s, Now: clk.Now, Lease: lease}
			expectRedelivery(t, w, d, clk, start.Add(lease), e, ep, rc, 2)
		})

		t.Run("stopped mid-request", func(t *testing.T) {
			w := newWorld(t, s, nil)
			// The endpoint hangs on its first request and answers later ones.
			rc := newReceiver(t, nil)
			arrived := make(chan struct{})
			var first atomic.Bool
			hang := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if first.CompareAndSwap(false, true) {
					io.Copy(io.Discard, r.Body) // so the server notices the client leave
					close(arrived)
					<-r.Context().Done()
					return
				}
				rc.Config.Handler.ServeHTTP(rw, r)
			}))
			t.Cleanup(hang.Close)
			ep := w.endpoint(t, hang.URL)
			w.connect(t)
			e := w.events(t)[0]
			clk := logtest.NewClock(time.Now())
			start := clk.Now()
			stopping, stop := context.WithCancel(ctx)
			go func() { <-arrived; stop() }()
			d := &webhook.Dispatcher{Destinations: loopback, Store: s, Now: clk.Now, Lease: lease}
			if n, err := d.DeliverDue(stopping); n != 1 || err != nil {
				t.Fatalf("stopped pass: n=%d err=%v", n, err)
			}
			if dl := w.deliveries(t, e.ID)[ep.ID]; dl.Status != oriel.DeliveryPending || dl.Attempts != 0 || dl.LastError != "" {
				t.Fatalf("an abandoned attempt was recorded: %+v", dl)
			}
			expectRedelivery(t, w, d, clk, start.Add(lease), e, ep, rc, 1)
		})
	})
}

// expectRedelivery checks that the event's delivery, claimed by a dead
// dispatcher until leaseEnd, is not claimed before then and is delivered
// from then on, the receiver having seen it `seen` times in all, every time
// with the same webhook-id and a valid signature.
func expectRedelivery(t *testing.T, w *world, d *webhook.Dispatcher, clk *logtest.Clock, leaseEnd time.Time, e *oriel.WebhookEvent,
	ep *oriel.WebhookEndpoint, rc *receiver, seen int) {
	t.Helper()
	clk.Set(leaseEnd.Add(-time.Second))
	if n := deliverDue(t, d); n != 0 {
		t.Fatalf("claimed %d deliveries while another dispatcher's lease held", n)
	}
	clk.Set(leaseEnd)
	if n := deliverDue(t, d); n != 1 {
		t.Fatalf("claimed %d deliveries once the lease ran out, want 1", n)
	}
	if dl := w.deliveries(t, e.ID)[ep.ID]; dl.Status != oriel.DeliveryDelivered {
		t.Fatalf("after the lease ran out: %+v", dl)
	}
	reqs := rc.Requests()
	if len(reqs) != seen {
		t.Fatalf("the receiver got %d requests, want %d", len(reqs), seen)
	}
	for _, r := range reqs {
		if r.Header.Get(webhook.HeaderID) != e.ID {
			t.Fatalf("webhook-id %q, want the event id %s", r.Header.Get(webhook.HeaderID), e.ID)
		}
		must(t, webhook.Verify(ep.Secret, r.Header, r.Body, webhook.DefaultTolerance, clk.Now()))
	}
}

// TestDispatchersDeliverOnce runs two dispatchers, each on its own
// connection pool to one database, as two replicas would: every delivery is
// made exactly once.
func TestDispatchersDeliverOnce(t *testing.T) {
	const connections, endpoints = 25, 2
	for name, url := range map[string]func(t testing.TB) string{
		"postgres": storetest.PostgresURL,
		"sqlite":   func(t testing.TB) string { return "sqlite:" + t.TempDir() + "/oriel.db" },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dbURL := url(t)
			replicas := make([]*store.SQL, 2)
			for i := range replicas {
				s, err := store.Open(ctx, dbURL, nil)
				must(t, err)
				t.Cleanup(func() { s.Close() })
				replicas[i] = s
			}
			keys := newKeyring(t)
			w := newWorld(t, replicas[0], keys)
			replicas[1].UseKeyring(keys)
			rc := newReceiver(t, func(int) int { time.Sleep(2 * time.Millisecond); return http.StatusOK })
			for i := range endpoints {
				w.endpoint(t, fmt.Sprintf("%s/%d", rc.URL, i))
			}
			for range connections {
				w.connect(t)
			}
			const want = connections * endpoints

			running, stop := context.WithCancel(ctx)
			done := make(chan error, len(replicas))
			logs := make([]*logtest.Buffer, len(replicas))
			for i, s := range replicas {
				var logger *slog.Logger
				logger, logs[i] = logtest.Logger()
				d := &webhook.Dispatcher{Destinations: loopback, Store: s, Logger: logger, Batch: 3, Interval: 5 * time.Millisecond}
				go func() { done <- d.Run(running) }()
			}
			deadline := time.Now().Add(30 * time.Second)
			for len(rc.Requests()) < want && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // time for a duplicate to show up
			stop()
			for range replicas {
				select {
				case err := <-done:
					must(t, err)
				case <-time.After(10 * time.Second):
					t.Fatal("Run did not return after its context ended")
				}
			}

			seen := map[string]int{}
			for _, r := range rc.Requests() {
				seen[r.Header.Get(webhook.HeaderID)+" to "+r.Path]++
			}
			for delivery, n := range seen {
				if n != 1 {
					t.Errorf("%s: sent %d times", delivery, n)
				}
			}
			if len(seen) != want {
				t.Fatalf("%d distinct deliveries arrived, want %d (each event once per endpoint)", len(seen), want)
			}
			for i, l := range logs {
				t.Logf("replica %d delivered %d", i, strings.Count(l.String(), `"msg":"webhook delivered"`))
			}
			for _, e := range w.events(t) {
				for id, dl := range w.deliveries(t, e.ID) {
					if dl.Status != oriel.DeliveryDelivered || dl.Attempts != 1 {
						t.Fatalf("delivery to %s: %+v", id, dl)
					}
				}
			}
		})
	}
}
