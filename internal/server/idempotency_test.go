package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		body := map[string]any{"external_id": "acme", "name": "Acme"}
		first := e.do("POST", "/v1/customers", body, "Idempotency-Key", "k1").want(201)
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Fatal("a first request is marked as replayed")
		}
		retry := e.do("POST", "/v1/customers", body, "Idempotency-Key", "k1").want(201)
		if retry.header.Get("Idempotent-Replayed") != "true" || string(retry.body) != string(first.body) || retry.header.Get("Content-Type") != "application/json" {
			t.Fatalf("retry: replayed %q, body %s; want the first body %s", retry.header.Get("Idempotent-Replayed"), retry.body, first.body)
		}
		var page listPage[map[string]any]
		e.do("GET", "/v1/customers", nil).want(200).into(&page)
		if len(page.Data) != 1 {
			t.Fatalf("%d customers after a retried create, want 1", len(page.Data))
		}

		e.do("POST", "/v1/customers", map[string]any{"external_id": "other"}, "Idempotency-Key", "k1").problem(422, "idempotency_key_reused")
		e.do("POST", "/v1/customers/Eacme/users", body, "Idempotency-Key", "k1").problem(422, "idempotency_key_reused")

		// A failed request is not remembered: the key may be used again.
		e.do("POST", "/v1/customers", map[string]any{"external_id": ""}, "Idempotency-Key", "k2").problem(422, "external_id_invalid")
		e.do("POST", "/v1/customers", map[string]any{"external_id": "acme"}, "Idempotency-Key", "k2").problem(409, "external_id_taken")
		e.do("POST", "/v1/customers", map[string]any{"external_id": "globex"}, "Idempotency-Key", "k2").want(201)

		// Keys belong to a vendor.
		_, otherSecret := e.newVendor("Globex")
		if got := e.doAs(otherSecret, "POST", "/v1/customers", body, "Idempotency-Key", "k1").want(201); got.header.Get("Idempotent-Replayed") != "" {
			t.Fatal("another vendor's request replays this vendor's response")
		}

		// An API key's secret is never stored, so a replay leaves it out.
		created := e.do("POST", "/v1/api-keys", map[string]any{"name": "ci"}, "Idempotency-Key", "k3").want(201).object()
		replayed := e.do("POST", "/v1/api-keys", map[string]any{"name": "ci"}, "Idempotency-Key", "k3").want(201)
		if _, ok := replayed.object()["secret"]; ok || field(replayed.object(), "id") != field(created, "id") || field(created, "secret") == "" {
			t.Fatalf("api key replay %s; want the key %s without its secret", replayed.body, field(created, "id"))
		}
		matchSchema(t, "APIKeyCreated", replayed.object())

		for _, key := range []string{strings.Repeat("k", 256), "tab\tkey", "ключ"} {
			e.do("POST", "/v1/customers", map[string]any{"external_id": "x"}, "Idempotency-Key", key).problem(400, "idempotency_key_invalid")
		}
		e.do("POST", "/v1/customers", strings.Repeat(" ", maxBodyBytes+1), "Idempotency-Key", "k4").problem(413, "body_too_large")
	})
}

// TestIdempotencyClaims checks the two ways a claimed key is busy or freed:
// a retry while the first request runs answers 409, and a handler that
// panics releases its key so that a retry runs again.
func TestIdempotencyClaims(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	body := `{"external_id":"acme"}`
	hash := requestHash(httptest.NewRequest("POST", "/v1/customers", nil), []byte(body))
	if _, _, err := e.store.BeginIdempotent(ctx, e.vendor.ID, "busy", hash); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/v1/customers", body, "Idempotency-Key", "busy").problem(409, "idempotency_in_progress")

	e.srv.handler = e.srv.observe(e.srv.recoverPanics(e.srv.serve(e.srv.requireAPIKey(e.srv.idempotent(func(http.ResponseWriter, *http.Request) error {
		panic("boom")
	})))))
	e.do("POST", "/v1/customers", body, "Idempotency-Key", "k").problem(500, "internal_error")
	if _, done, err := e.store.BeginIdempotent(ctx, e.vendor.ID, "k", hash); done || err != nil {
		t.Fatalf("after a panic the key is still claimed: done %v, err %v", done, err)
	}
}
