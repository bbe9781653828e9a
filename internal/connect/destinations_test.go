package connect_test

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// metadataResolver resolves every name to the cloud metadata address and
// counts the look-ups.
type metadataResolver struct{ lookups atomic.Int32 }

func (r *metadataResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	r.lookups.Add(1)
	return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
}

// countingDialer counts dials and makes none.
type countingDialer struct{ dials atomic.Int32 }

func (d *countingDialer) DialContext(context.Context, string, string) (net.Conn, error) {
	d.dials.Add(1)
	return nil, &net.OpError{Op: "dial", Err: net.UnknownNetworkError("test dialer")}
}

// The engine's own requests dial through its netguard policy: a token URL
// whose name resolves to 169.254.169.254 is refused with
// destination_not_allowed, once (not retried), without a dial; and with the
// default policy, the loopback authorization server is refused too.
func TestEngineRefusesPrivateDestinations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		resolver, dialer := &metadataResolver{}, &countingDialer{}
		e := w.newEngine(s)
		e.Destinations = netguard.Policy{Resolver: resolver, Dialer: dialer}
		w.putIntegration("payments", "paypal", nil, nil)
		conn := w.newConnection("payments")
		_, _, err := e.SubmitFields(context.Background(), w.vendorID, conn.ID,
			map[string]string{"client_id": clientID, "client_secret": clientSecret})
		wantCode(t, err, connect.CodeDestinationNotAllowed)
		if resolver.lookups.Load() != 1 || dialer.dials.Load() != 0 {
			t.Fatalf("%d look-ups, %d dials; want 1 and 0", resolver.lookups.Load(), dialer.dials.Load())
		}

		// The zero policy refuses the loopback authorization server's token
		// endpoint: the code exchange fails before any request.
		strict := w.newEngine(s)
		strict.Destinations = netguard.Policy{}
		calls := w.idp.TokenCalls(clientID)
		_, err = strict.CompleteOAuth(context.Background(), sessionID, w.authorize(w.begin()))
		wantCode(t, err, connect.CodeDestinationNotAllowed)
		if n := w.idp.TokenCalls(clientID) - calls; n != 0 {
			t.Fatalf("%d token requests reached the loopback server", n)
		}
	})
}
