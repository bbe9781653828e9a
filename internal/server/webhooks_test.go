package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Webhook endpoints get their secret once; events list their deliveries
// and can be sent again.
func TestWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		body := map[string]any{"url": "https://hooks.acme.example/oriel", "events": []string{"connection.connected", "connection.created"}}
		created := w.do("POST", "/v1/webhook-endpoints", body, "Idempotency-Key", "hook-1").want(http.StatusCreated).object()
		matchSchema(t, "WebhookEndpointCreated", created)
		secret := field(created, "secret")
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		replay := w.do("POST", "/v1/webhook-endpoints", body, "Idempotency-Key", "hook-1").want(http.StatusCreated)
		if replay.header.Get("Idempotent-Replayed") != "true" || strings.Contains(string(replay.body), secret) || field(replay.object(), "id") != field(created, "id") {
			t.Fatalf("idempotent replay: %s", replay.body)
		}

		var endpoints listPage[map[string]any]
		w.do("GET", "/v1/webhook-endpoints", nil).want(http.StatusOK).into(&endpoints)
		if len(endpoints.Data) != 1 || strings.Contains(string(w.do("GET", "/v1/webhook-endpoints", nil).want(200).body), secret) {
			t.Fatalf("endpoints %v", endpoints.Data)
		}
		matchSchema(t, "WebhookEndpoint", endpoints.Data[0])

		// A connection created now has a delivery to the endpoint.
		c := w.newConnection("Eglobex", "keys")
		var events listPage[map[string]any]
		w.do("GET", "/v1/webhook-events?limit=100", nil).want(http.StatusOK).into(&events)
		last := events.Data[len(events.Data)-1]
		matchSchema(t, "WebhookEvent", last)
		deliveries := last["deliveries"].([]any)
		if field(last, "type") != "connection.created" || last["data"].(map[string]any)["connection_id"] != c.ID || len(deliveries) != 1 {
			t.Fatalf("last event %v", last)
		}
		matchSchemaSubset(t, "WebhookDelivery", deliveries[0].(map[string]any))
		if d := deliveries[0].(map[string]any); field(d, "status") != "pending" || field(d, "endpoint_id") != field(created, "id") {
			t.Fatalf("delivery %v", d)
		}
		w.do("POST", "/v1/webhook-events/"+field(last, "id")+"/retry", nil).want(http.StatusNoContent)
		w.do("POST", "/v1/webhook-events/evt_nope/retry", nil).problem(http.StatusNotFound, "webhook_event_not_found")
		w.doAs(w.otherVendorAPIKeySecret, "POST", "/v1/webhook-events/"+field(last, "id")+"/retry", nil).problem(http.StatusNotFound, "webhook_event_not_found")
		var others listPage[map[string]any]
		w.doAs(w.otherVendorAPIKeySecret, "GET", "/v1/webhook-events", nil).want(http.StatusOK).into(&others)
		for _, e := range others.Data {
			if e["data"].(map[string]any)["connection_id"] != w.otherVendor.ID {
				t.Fatalf("another vendor sees event %v", e)
			}
		}

		w.doAs(w.otherVendorAPIKeySecret, "DELETE", "/v1/webhook-endpoints/"+field(created, "id"), nil).problem(http.StatusNotFound, "webhook_endpoint_not_found")
		w.do("DELETE", "/v1/webhook-endpoints/"+field(created, "id"), nil).want(http.StatusNoContent)
		w.do("DELETE", "/v1/webhook-endpoints/"+field(created, "id"), nil).problem(http.StatusNotFound, "webhook_endpoint_not_found")
		if strings.Contains(w.logs.String(), secret) {
			t.Fatal("the logs hold the webhook secret")
		}
	})
}

// Endpoint URLs must be https; http only on loopback, in development mode.
func TestWebhookEndpointValidation(t *testing.T) {
	dev := newWorld(t, storetest.SQLite(t))
	db := storetest.SQLite(t)
	prod := newEnv(t, db, sealingKeys(t, db))
	for _, tc := range []struct {
		url       string
		dev, prod int
	}{
		{"https://hooks.example.com/x", 201, 201},
		{"http://127.0.0.1:9999/hook", 201, 422},
		{"http://localhost:9999/hook", 201, 422},
		{"http://[::1]:9999/hook", 201, 422},
		{"http://hooks.example.com/x", 422, 422},
		{"http://10.0.0.1/x", 422, 422},
		{"ftp://hooks.example.com/x", 422, 422},
		{"https://user:pw@hooks.example.com/x", 422, 422},
		{"/relative", 422, 422},
	} {
		for _, e := range []struct {
			env  *env
			want int
		}{{dev.env, tc.dev}, {prod, tc.prod}} {
			r := e.env.do("POST", "/v1/webhook-endpoints", map[string]any{"url": tc.url})
			if e.want == 422 {
				r.problem(422, "webhook_url_invalid")
			} else {
				r.want(e.want)
			}
		}
	}
	dev.do("POST", "/v1/webhook-endpoints", map[string]any{"url": "https://h.example.com", "events": []string{"connection.exploded"}}).problem(422, "webhook_events_invalid")
}

// TestWebhookEndpointInternalHosts (catalogue: SSRF through webhook
// targets): an endpoint whose host is a literal internal address, in any
// notation, or a metadata name is refused at registration with
// destination_not_allowed, unless private destinations are allowed
// (--webhook-allow-private). Names that need resolving are checked at
// delivery (package webhook), so they pass here.
func TestWebhookEndpointInternalHosts(t *testing.T) {
	db := storetest.SQLite(t)
	prod := newEnv(t, db, sealingKeys(t, db))
	db2 := storetest.SQLite(t)
	selfHosted := newEnv(t, db2, sealingKeys(t, db2), func(c *Config) { c.WebhookDestinations.AllowPrivate = true })
	for _, host := range []string{
		"169.254.169.254", "127.0.0.1:8443", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "[::1]",
		"[fd00::1]", "[fe80::1]", "[::ffff:169.254.169.254]", "[::ffff:127.0.0.1]", "0", "0.0.0.0", "2852039166",
		"0xA9FEA9FE", "0251.0376.0251.0376", "127.1", "224.0.0.1", "localhost", "app.localhost",
		"metadata.google.internal", "METADATA.GOOGLE.INTERNAL.",
	} {
		url := "https://" + host + "/latest/meta-data/"
		if detail := prod.do("POST", "/v1/webhook-endpoints", map[string]any{"url": url}).problem(422, "destination_not_allowed"); strings.Contains(detail, host) {
			t.Errorf("%s: the detail quotes the host: %s", url, detail)
		}
		selfHosted.do("POST", "/v1/webhook-endpoints", map[string]any{"url": url}).want(201)
	}
	for _, url := range []string{"https://hooks.example.com/x", "https://93.184.215.14/x", "https://[2606:4700::1111]/x", "https://internal.example.com/x"} {
		prod.do("POST", "/v1/webhook-endpoints", map[string]any{"url": url}).want(201)
	}
}
