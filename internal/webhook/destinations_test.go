package webhook_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/webhook"
)

// fakeDNS resolves the names of a test to the addresses it says, so a test
// can make a name point at an internal address without any real lookup.
type fakeDNS map[string][]netip.Addr

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// redirectingDialer records every address it is asked to dial and connects
// to the loopback receiver instead, so no traffic leaves the machine.
type redirectingDialer struct {
	to     string
	mu     sync.Mutex
	dialed []string
}

func (d *redirectingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, address)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.to)
}

// TestDeliveryDestinations (catalogue: SSRF through webhook targets): the
// default policy refuses, at connect time, every endpoint whose address is
// internal, whether the URL holds it literally (in any notation) or a name
// resolves to it (DNS rebinding after registration included). Nothing is
// dialled for them, and last_error says destination_not_allowed, never an
// address or a network detail. A public address is delivered to.
func TestDeliveryDestinations(t *testing.T) {
	rc := newReceiver(t, nil)
	dialer := &redirectingDialer{to: strings.TrimPrefix(rc.URL, "http://")}
	dns := fakeDNS{
		"hooks.example.com":     {netip.MustParseAddr("93.184.215.14")},
		"rebound.example.com":   {netip.MustParseAddr("169.254.169.254")},
		"private.example.com":   {netip.MustParseAddr("10.0.0.7")},
		"mixed.example.com":     {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")},
		"ula.example.com":       {netip.MustParseAddr("fd00::1")},
		"mapped.example.com":    {netip.MustParseAddr("::ffff:192.168.0.1")},
		"cgnat.example.com":     {netip.MustParseAddr("100.64.1.1")},
		"multicast.example.com": {netip.MustParseAddr("224.0.0.251")},
	}
	refused := []string{
		"http://rebound.example.com/hook", "http://private.example.com/hook", "http://mixed.example.com/hook",
		"http://ula.example.com/hook", "http://mapped.example.com/hook", "http://cgnat.example.com/hook",
		"http://multicast.example.com/hook", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/",
		"http://[::1]/", "http://[fd00::1]/", "http://0/", "http://2852039166/", "http://0xA9FEA9FE/",
		"http://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
	}
	var pending []*oriel.WebhookDelivery
	for i, u := range append([]string{"http://hooks.example.com/hook"}, refused...) {
		pending = append(pending, &oriel.WebhookDelivery{ID: "dlv_" + string(rune('a'+i)), URL: u, Secret: webhook.NewSecret(),
			Event: &oriel.WebhookEvent{ID: "evt_1", Type: oriel.EventConnectionCreated, CreatedAt: time.Now()}})
	}
	q := &queue{pending: pending}
	d := &webhook.Dispatcher{Store: q, Batch: len(pending), Destinations: netguard.Policy{Resolver: dns, Dialer: dialer}}
	if n := deliverDue(t, d); n != len(pending) {
		t.Fatalf("claimed %d, want %d", n, len(pending))
	}
	byID := map[string]finished{}
	for _, f := range q.finished {
		byID[f.id] = f
	}
	for _, dl := range pending {
		f := byID[dl.ID]
		if dl.URL == "http://hooks.example.com/hook" {
			if !f.delivered {
				t.Errorf("%s: not delivered (%q)", dl.URL, f.lastError)
			}
			continue
		}
		if f.delivered || f.lastError != "destination_not_allowed" {
			t.Errorf("%s: delivered %v, last_error %q; want destination_not_allowed", dl.URL, f.delivered, f.lastError)
		}
	}
	if len(dialer.dialed) != 1 || dialer.dialed[0] != "93.184.215.14:80" || len(rc.Requests()) != 1 {
		t.Fatalf("dialled %v and the receiver got %d requests; want only the public address, once", dialer.dialed, len(rc.Requests()))
	}
}

// TestDeliveryAllowPrivate: with AllowPrivate (--webhook-allow-private,
// --dev, the demo) a receiver on the machine's own network is delivered to.
func TestDeliveryAllowPrivate(t *testing.T) {
	rc := newReceiver(t, nil)
	dl := &oriel.WebhookDelivery{ID: "dlv_1", URL: rc.URL + "/hook", Secret: webhook.NewSecret(),
		Event: &oriel.WebhookEvent{ID: "evt_1", Type: oriel.EventConnectionCreated, CreatedAt: time.Now()}}
	for _, allow := range []bool{false, true} {
		q := &queue{pending: []*oriel.WebhookDelivery{dl}}
		deliverDue(t, &webhook.Dispatcher{Store: q, Destinations: netguard.Policy{AllowPrivate: allow}})
		if got := q.finished[0]; got.delivered != allow || !allow && got.lastError != "destination_not_allowed" {
			t.Errorf("AllowPrivate %v: %+v", allow, got)
		}
	}
	if n := len(rc.Requests()); n != 1 {
		t.Fatalf("the loopback receiver got %d requests, want 1 (with AllowPrivate only)", n)
	}
}
