package server

import (
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		created := e.do("POST", "/v1/api-keys", map[string]any{"name": "deploy 2"}).want(201).object()
		matchSchema(t, "APIKeyCreated", created)
		secret := field(created, "secret")
		if !strings.HasPrefix(secret, "sk_") || field(created, "hint") != secret[len(secret)-4:] || field(created, "name") != "deploy 2" {
			t.Fatalf("created %v", created)
		}
		if got := e.doAs(secret, "GET", "/v1/vendor", nil).want(200).object(); field(got, "id") != e.vendor.ID {
			t.Fatalf("the new key authenticates %v", got)
		}

		r := e.do("GET", "/v1/api-keys", nil).want(200)
		if strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), e.secret) {
			t.Fatal("the list shows a secret")
		}
		var page listPage[map[string]any]
		r.into(&page)
		if len(page.Data) != 2 {
			t.Fatalf("list = %+v", page)
		}
		matchSchema(t, "APIKeyList", r.object())
		for _, k := range page.Data {
			matchSchema(t, "APIKey", k)
			if k["id"] == e.key.ID && k["last_used_at"] == nil {
				t.Errorf("last_used_at of the key in use is not set: %v", k)
			}
		}

		// Rotation: the new key revokes the old one, which stops working at once.
		e.doAs(secret, "DELETE", "/v1/api-keys/"+e.key.ID, nil).want(204)
		e.do("GET", "/v1/vendor", nil).problem(401, "api_key_invalid")
		e.doAs(secret, "DELETE", "/v1/api-keys/"+e.key.ID, nil).problem(404, "api_key_not_found")
		// A key may revoke itself.
		e.doAs(secret, "DELETE", "/v1/api-keys/"+field(created, "id"), nil).want(204)
		e.doAs(secret, "GET", "/v1/vendor", nil).problem(401, "api_key_invalid")
	})
}

// TestAPIKeyTouchedOncePerMinute checks that last_used_at moves at most once a
// minute, so that read traffic does not become write traffic.
func TestAPIKeyTouchedOncePerMinute(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	lastUsed := func() time.Time {
		var page listPage[map[string]any]
		e.do("GET", "/v1/api-keys", nil).want(200).into(&page)
		ts, err := time.Parse(time.RFC3339Nano, page.Data[0]["last_used_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	first := lastUsed()
	if !first.Equal(e.clock.Now()) {
		t.Fatalf("last_used_at = %v, want %v", first, e.clock.Now())
	}
	e.clock.Advance(30 * time.Second)
	if got := lastUsed(); !got.Equal(first) {
		t.Fatalf("last_used_at moved within a minute: %v", got)
	}
	e.clock.Advance(31 * time.Second)
	if got := lastUsed(); !got.Equal(e.clock.Now()) {
		t.Fatalf("last_used_at = %v after a minute, want %v", got, e.clock.Now())
	}
}
