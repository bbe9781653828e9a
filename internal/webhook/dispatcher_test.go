package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// TestDeliver: a pass sends each due event, signed, with the thin payload,
// marks it delivered on 2xx, and logs ids but never the secret, URL or body.
func TestDeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		w := newWorld(t, s, nil)
		rc := newReceiver(t, nil)
		ep := w.endpoint(t, rc.URL+"/hooks?token=url-canary-7d1f")
		c := w.connect(t)
		_, err := s.SetConnected(ctx, w.vendor.ID, c.ID, &oriel.Credentials{AccessToken: "at"})
		must(t, err)
		events := w.events(t)
		if len(events) != 2 {
			t.Fatalf("%d events, want 2", len(events))
		}
		clk := logtest.NewClock(time.Now())
		logger, logs := logtest.Logger()
		d := &webhook.Dispatcher{Destinations: loopback, Store: s, Logger: logger, Now: clk.Now}

		if n := deliverDue(t, d); n != 2 {
			t.Fatalf("first pass claimed %d deliveries, want 2", n)
		}
		byID := map[string]received{}
		for _, r := range rc.Requests() {
			byID[r.Header.Get(webhook.HeaderID)] = r
		}
		for _, e := range events {
			r, ok := byID[e.ID]
			if !ok {
				t.Fatalf("event %s (%s) not received; got %d requests", e.ID, e.Type, len(rc.Requests()))
			}
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
				r.Header.Get("User-Agent") != webhook.UserAgent || r.Header.Get(webhook.HeaderTimestamp) != strconv.FormatInt(clk.Now().Unix(), 10) {
				t.Fatalf("request for %s: %s %v", e.Type, r.Method, r.Header)
			}
			must(t, webhook.Verify(ep.Secret, r.Header, r.Body, webhook.DefaultTolerance, clk.Now()))
			want, err := webhook.Payload(e)
			must(t, err)
			if !bytes.Equal(r.Body, want) || !strings.Contains(string(r.Body), `"connection_id":"`+c.ID+`"`) {
				t.Fatalf("body\n got %s\nwant %s", r.Body, want)
			}
			if dl := w.deliveries(t, e.ID)[ep.ID]; dl.Status != oriel.DeliveryDelivered || dl.Attempts != 1 || dl.LastError != "" {
				t.Fatalf("delivery of %s: %+v", e.Type, dl)
			}
			if !strings.Contains(logs.String(), e.ID) {
				t.Fatalf("the log does not name event %s:\n%s", e.ID, logs)
			}
			if strings.Contains(logs.String(), string(r.Body)) {
				t.Fatalf("the log holds a body:\n%s", logs)
			}
		}
		clk.Set(clk.Now().Add(time.Hour))
		if n := deliverDue(t, d); n != 0 || len(rc.Requests()) != 2 {
			t.Fatalf("a later pass claimed %d and sent %d requests in all; delivered events must not be sent again", n, len(rc.Requests()))
		}
		for _, canary := range []string{ep.Secret, strings.TrimPrefix(ep.Secret, "whsec_"), "url-canary-7d1f"} {
			if strings.Contains(logs.String(), canary) {
				t.Fatalf("the log holds %q:\n%s", canary, logs)
			}
		}
	})
}

// TestRetries: a failing endpoint is retried with growing, jittered waits
// until 24 hours after the event, then given up; a manual retry sends it
// once more; an endpoint that recovers gets the event and its error clears.
func TestRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		w := newWorld(t, s, nil)
		var status atomic.Int32
		status.Store(http.StatusInternalServerError)
		rc := newReceiver(t, func(int) int { return int(status.Load()) })
		ep := w.endpoint(t, rc.URL)
		w.connect(t)
		e := w.events(t)[0]
		clk := logtest.NewClock(e.CreatedAt)
		d := &webhook.Dispatcher{Destinations: loopback, Store: s, Now: clk.Now}
		deadline := e.CreatedAt.Add(webhook.RetryPeriod)
		// The waits after each failure, before jitter, as the package documents them.
		waits := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
			30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour}

		attempts := 0
		for {
			if n := deliverDue(t, d); n != 1 {
				t.Fatalf("attempt %d at +%s: claimed %d deliveries, want 1", attempts+1, clk.Now().Sub(e.CreatedAt), n)
			}
			attempts++
			dl := w.deliveries(t, e.ID)[ep.ID]
			if dl.Attempts != attempts || dl.LastError != "HTTP 500" {
				t.Fatalf("after attempt %d: %+v", attempts, dl)
			}
			if dl.Status == oriel.DeliveryFailed {
				break
			}
			if dl.Status != oriel.DeliveryPending || attempts > 30 {
				t.Fatalf("after attempt %d: %+v", attempts, dl)
			}
			wait, base := dl.NextAttemptAt.Sub(clk.Now()), waits[min(attempts, len(waits))-1]
			clamped := dl.NextAttemptAt.Equal(deadline) && clk.Now().Add(base*4/5).After(deadline)
			if !clamped && (wait < base*4/5-time.Millisecond || wait > base*6/5) {
				t.Fatalf("after attempt %d the wait is %s, want %s ± 20 %%", attempts, wait, base)
			}
			clk.Set(dl.NextAttemptAt.Add(-time.Millisecond))
			if n := deliverDue(t, d); n != 0 {
				t.Fatalf("a delivery was claimed before it was due")
			}
			clk.Set(dl.NextAttemptAt)
		}
		if !clk.Now().Equal(deadline) || attempts < 10 || attempts > 16 || len(rc.Requests()) != attempts {
			t.Fatalf("gave up after %d attempts (%d requests), the last at +%s; want about a dozen, the last at +24h",
				attempts, len(rc.Requests()), clk.Now().Sub(e.CreatedAt))
		}
		clk.Set(deadline.Add(48 * time.Hour))
		if n := deliverDue(t, d); n != 0 {
			t.Fatal("a failed delivery was sent again")
		}

		// A manual retry past the period sends once; still failing, it fails again.
		must(t, s.RetryWebhookEvent(ctx, w.vendor.ID, e.ID))
		if n := deliverDue(t, d); n != 1 || w.deliveries(t, e.ID)[ep.ID].Status != oriel.DeliveryFailed {
			t.Fatalf("manual retry: claimed %d, delivery %+v", n, w.deliveries(t, e.ID)[ep.ID])
		}
		// Once the endpoint works, a manual retry delivers, and the error clears.
		status.Store(http.StatusNoContent)
		must(t, s.RetryWebhookEvent(ctx, w.vendor.ID, e.ID))
		deliverDue(t, d)
		if dl := w.deliveries(t, e.ID)[ep.ID]; dl.Status != oriel.DeliveryDelivered || dl.LastError != "" || dl.Attempts != attempts+2 {
			t.Fatalf("after the endpoint recovered: %+v", dl)
		}
	})
}

// TestBoundedRequests: redirects are answered, never followed (even with a
// client that would follow them); slow, unreachable and long-winded
// endpoints cost one attempt each, with a last_error that names no address.
func TestBoundedRequests(t *testing.T) {
	s := storetest.SQLite(t)
	w := newWorld(t, s, nil)
	target := newReceiver(t, nil)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client leave
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) }) // runs before slow.Close, which waits for its handlers
	chatty := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range 64 { // 64 MiB, unless the client hangs up first
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(chatty.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed.Close()

	endpoints := map[string]*oriel.WebhookEndpoint{
		"HTTP 307 (redirects are not followed)": w.endpoint(t, redirect.URL),
		"timed out":                             w.endpoint(t, slow.URL),
		"connection failed":                     w.endpoint(t, "http://"+closed.Addr().String()+"/hooks"),
		"":                                      w.endpoint(t, chatty.URL),
	}
	w.connect(t)
	e := w.events(t)[0]
	for name, client := range map[string]*http.Client{"default client": nil, "client that follows redirects": {}} {
		t.Run(name, func(t *testing.T) {
			must(t, s.RetryWebhookEvent(context.Background(), w.vendor.ID, e.ID))
			d := &webhook.Dispatcher{Destinations: loopback, Store: s, HTTPClient: client, Lease: 2 * time.Second}
			start := time.Now()
			if n := deliverDue(t, d); n != len(endpoints) {
				t.Fatalf("claimed %d, want %d", n, len(endpoints))
			}
			// The slow receiver holds its request until the test ends, so only a
			// cut-off ends that attempt; it must be the one at half the lease
			// (1 s), not the client's own RequestTimeout. The elapsed time tells
			// which fired; it is not a performance budget.
			if took := time.Since(start); took >= webhook.RequestTimeout {
				t.Fatalf("the pass took %s: the slow attempt was not cut off at half the lease", took)
			}
			ds := w.deliveries(t, e.ID)
			for lastError, ep := range endpoints {
				if dl := ds[ep.ID]; dl.LastError != lastError {
					t.Errorf("%s: last_error %q, want %q", ep.URL, dl.LastError, lastError)
				}
			}
			if n := len(target.Requests()); n != 0 {
				t.Fatalf("the redirect was followed: its target got %d requests", n)
			}
		})
	}
}

// TestUnusableSecret: a delivery whose secret cannot sign is given up at
// once, with a reason the vendor can act on, and nothing is sent.
func TestUnusableSecret(t *testing.T) {
	rc := newReceiver(t, nil)
	d := &oriel.WebhookDelivery{ID: "dlv_1", URL: rc.URL, Secret: "whsec_not base64",
		Event: &oriel.WebhookEvent{ID: "evt_1", Type: oriel.EventConnectionCreated, CreatedAt: time.Now()}}
	q := &queue{pending: []*oriel.WebhookDelivery{d}}
	deliverDue(t, &webhook.Dispatcher{Destinations: loopback, Store: q})
	if len(rc.Requests()) != 0 || len(q.finished) != 1 || q.finished[0].delivered || !q.finished[0].next.IsZero() ||
		!strings.HasPrefix(q.finished[0].lastError, "the endpoint's secret is unusable") {
		t.Fatalf("requests %d, finished %+v", len(rc.Requests()), q.finished)
	}
}

// TestEndpointDeletedMidDelivery: an endpoint deleted while its delivery is
// in flight leaves nothing to record, and the pass does not fail.
func TestEndpointDeletedMidDelivery(t *testing.T) {
	s := storetest.SQLite(t)
	w := newWorld(t, s, nil)
	var ep *oriel.WebhookEndpoint
	rc := newReceiver(t, func(int) int {
		if err := s.DeleteWebhookEndpoint(context.Background(), w.vendor.ID, ep.ID); err != nil {
			t.Error(err)
		}
		return http.StatusOK
	})
	ep = w.endpoint(t, rc.URL)
	w.connect(t)
	d := &webhook.Dispatcher{Destinations: loopback, Store: s}
	if n := deliverDue(t, d); n != 1 || len(rc.Requests()) != 1 {
		t.Fatalf("claimed %d, sent %d", n, len(rc.Requests()))
	}
}
