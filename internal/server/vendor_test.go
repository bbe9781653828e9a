package server

import (
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestVendor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		got := e.do("GET", "/v1/vendor", nil).want(200).object()
		matchSchema(t, "Vendor", got)
		if field(got, "id") != e.vendor.ID || field(got, "name") != "Acme" {
			t.Fatalf("vendor %v", got)
		}
		patched := e.do("PATCH", "/v1/vendor", map[string]any{"allowed_origins": []string{"HTTPS://App.Acme.Test:443"}}).want(200).object()
		if origins := patched["allowed_origins"].([]any); len(origins) != 1 || origins[0] != "https://app.acme.test" || field(patched, "name") != "Acme" {
			t.Fatalf("patched %v", patched)
		}
		if got := e.do("PATCH", "/v1/vendor", map[string]any{"name": "Acme Two"}).want(200).object(); field(got, "name") != "Acme Two" || len(got["allowed_origins"].([]any)) != 1 {
			t.Fatalf("renamed %v", got)
		}
		e.do("PATCH", "/v1/vendor", map[string]any{"name": ""}).problem(422, "name_invalid")
		e.do("PATCH", "/v1/vendor", map[string]any{"allowed_origins": []string{"https://app.acme.test/path"}}).problem(422, "origin_invalid")
	})
}
