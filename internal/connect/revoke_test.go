package connect_test

import (
	"context"
	"net"
	"slices"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// TestDisconnectRevokes: disconnecting drops the credentials, records
// connection.disconnected and revokes the grant at the provider.
func TestDisconnectRevokes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		token := w.storedCredentials().AccessToken
		c, err := w.engine.Disconnect(context.Background(), w.vendorID, w.conn.ID)
		must(t, err)
		if c.Status != oriel.StatusDisconnected || w.idp.RevokeCalls(clientID) != 1 || w.tokenWorks(token) {
			t.Fatalf("status %s, %d revocations, token still works: %v", c.Status, w.idp.RevokeCalls(clientID), w.tokenWorks(token))
		}
		if got := w.events(); !slices.Contains(got, oriel.EventConnectionDisconnected) {
			t.Fatalf("events %v", got)
		}
		// Disconnecting again has nothing to revoke.
		_, err = w.engine.Disconnect(context.Background(), w.vendorID, w.conn.ID)
		must(t, err)
		if n := w.idp.RevokeCalls(clientID); n != 1 {
			t.Fatalf("%d revocations", n)
		}
	})
}

// TestDeleteRevokes: deleting a connection revokes what it held.
func TestDeleteRevokes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		token := w.storedCredentials().AccessToken
		must(t, w.engine.Delete(context.Background(), w.vendorID, w.conn.ID))
		if w.idp.RevokeCalls(clientID) != 1 || w.tokenWorks(token) {
			t.Fatalf("%d revocations", w.idp.RevokeCalls(clientID))
		}
		if _, err := s.Connection(context.Background(), w.vendorID, w.conn.ID); oriel.ErrorKind(err) != oriel.ENOTFOUND {
			t.Fatalf("deleted connection: %v", err)
		}
	})
}

// TestRevocationIsBestEffort: a revocation endpoint that cannot be reached
// does not stop a disconnect.
func TestRevocationIsBestEffort(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), oauthdev.Options{})
	w.connect()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := "http://" + ln.Addr().String() + "/revoke"
	ln.Close()
	in, err := w.store.Integration(context.Background(), w.vendorID, "crm")
	must(t, err)
	in.Config["revocation_url"] = closed
	w.putIntegration("crm", "oauth2", in.Scopes, in.Config)
	c, err := w.engine.Disconnect(context.Background(), w.vendorID, w.conn.ID)
	if err != nil || c.Status != oriel.StatusDisconnected {
		t.Fatalf("%+v, %v", c, err)
	}
}
