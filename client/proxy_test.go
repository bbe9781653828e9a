package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Proxy returns the provider's answer as it is, and Oriel's refusals as *Error.
func TestProxy(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer CANARY-KEY" || r.Header.Get("X-Custom") != "1" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI()+" "+string(body))
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(provider.Close)
	s := storetest.SQLite(t)
	entry, err := seal.NewKeyEntry("k1")
	must(t, err)
	keys, err := seal.ParseKeyring(entry)
	must(t, err)
	s.UseKeyring(keys)
	o := startOriel(t, s, func(c *server.Config) { c.Dev = true; c.Proxy.Policy = netguard.Policy{AllowPrivate: true} })
	ctx := context.Background()
	_, err = s.PutIntegration(ctx, &oriel.Integration{VendorID: o.acme.VendorID, Key: "app", Provider: "api-key", DisplayName: "App",
		Config: map[string]string{"api_base_url": provider.URL + "/v2"}})
	must(t, err)
	conn := &oriel.Connection{VendorID: o.acme.VendorID, CustomerID: o.acme.ID, Integration: "app"}
	must(t, s.CreateConnection(ctx, conn))

	_, err = o.client().Proxy(ctx, conn.ID, "GET", "items", nil, nil)
	if e := (*client.Error)(nil); !errors.As(err, &e) || !errors.Is(err, client.ErrNotConnected) || e.StatusCode != http.StatusConflict || e.Description == "" {
		t.Fatalf("a disconnected connection: %v", err)
	}
	_, err = s.SetConnected(ctx, o.acme.VendorID, conn.ID, &oriel.Credentials{Fields: map[string]string{"api_key": "CANARY-KEY"}})
	must(t, err)
	resp, err := o.client().Proxy(ctx, conn.ID, "POST", "/items/a%2Fb?x=1", strings.NewReader("hello"), http.Header{"X-Custom": {"1"}})
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Seen") != "POST /v2/items/a%2Fb?x=1 hello" {
		t.Fatalf("status %d, provider saw %q", resp.StatusCode, resp.Header.Get("X-Seen"))
	}
	if _, err := o.client().Proxy(ctx, conn.ID, "GET", "%2e%2e/admin", nil, nil); !errors.Is(err, &client.Error{Code: "proxy_path_invalid"}) {
		t.Fatalf("an escaping path: %v", err)
	}
}
