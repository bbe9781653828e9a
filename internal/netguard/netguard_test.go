package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"testing"
)

func TestCheckURLRefusesLiteralInternalHosts(t *testing.T) {
	refused := []string{
		"https://169.254.169.254/latest/meta-data", "https://127.0.0.1:8443/", "https://10.0.0.1/",
		"https://[::1]/", "https://[fd00::1]/", "https://0/", "https://2852039166/", "https://0xA9FEA9FE/",
		"https://0251.0376.0251.0376/", "https://127.1/", "https://metadata.google.internal/computeMetadata/v1/",
		"https://localhost/", "https://[::ffff:169.254.169.254]/", "https://[::ffff:7f00:1]/", "https://100.64.0.1/",
		"https://192.168.1.1/", "https://172.16.0.1/", "https://[fe80::1%25eth0]/", "https://224.0.0.1/",
		"https://[64:ff9b::a9fe:a9fe]/", "https://0.0.0.0/",
	}
	for _, raw := range refused {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if err := (Policy{}).CheckURL(u); !errors.Is(err, ErrDestinationNotAllowed) {
			t.Errorf("CheckURL(%s) = %v, want ErrDestinationNotAllowed", raw, err)
		}
		if err := (Policy{AllowPrivate: true}).CheckURL(u); err != nil {
			t.Errorf("with AllowPrivate, CheckURL(%s) = %v, want nil", raw, err)
		}
	}
	for _, raw := range []string{"https://hooks.example.com/x", "https://93.184.216.34/", "https://[2606:4700::1111]/"} {
		u, _ := url.Parse(raw)
		if err := (Policy{}).CheckURL(u); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", raw, err)
		}
	}
}

func TestParseHostAddrForms(t *testing.T) {
	for in, want := range map[string]string{
		"2852039166": "169.254.169.254", "0xA9FEA9FE": "169.254.169.254", "0": "0.0.0.0",
		"127.1": "127.0.0.1", "10.1.2": "10.1.0.2", "0251.0376.0251.0376": "169.254.169.254",
	} {
		got, ok := ParseHostAddr(in)
		if !ok || got != netip.MustParseAddr(want) {
			t.Errorf("ParseHostAddr(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"example.com", "1.2.3.4.5", "256.1.1.1", "09", ""} {
		if a, ok := ParseHostAddr(in); ok {
			t.Errorf("ParseHostAddr(%q) = %v, want not an address", in, a)
		}
	}
}

// fakeResolver answers every name with fixed addresses; no DNS is asked.
type fakeResolver []netip.Addr

func (f fakeResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return f, nil
}

// recordingDialer records what it was asked to dial and never connects.
type recordingDialer struct{ dialled []string }

func (d *recordingDialer) DialContext(_ context.Context, _, address string) (net.Conn, error) {
	d.dialled = append(d.dialled, address)
	return nil, errors.New("recordingDialer does not connect")
}

func TestDialContextChecksResolvedAddress(t *testing.T) {
	// A public-looking name that resolves to the metadata address (DNS rebinding).
	for _, addrs := range [][]netip.Addr{
		{netip.MustParseAddr("169.254.169.254")},
		{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.1")},
		{netip.MustParseAddr("::ffff:127.0.0.1")},
	} {
		d := &recordingDialer{}
		p := Policy{Resolver: fakeResolver(addrs), Dialer: d}
		_, err := p.DialContext(context.Background(), "tcp", "rebind.example:443")
		if !errors.Is(err, ErrDestinationNotAllowed) {
			t.Errorf("%v: err = %v, want ErrDestinationNotAllowed", addrs, err)
		}
		if len(d.dialled) != 0 {
			t.Errorf("%v: dialled %v, want nothing", addrs, d.dialled)
		}
	}
	d := &recordingDialer{}
	p := Policy{Resolver: fakeResolver{netip.MustParseAddr("93.184.216.34")}, Dialer: d}
	_, _ = p.DialContext(context.Background(), "tcp", "public.example:443")
	if len(d.dialled) != 1 || d.dialled[0] != "93.184.216.34:443" {
		t.Errorf("dialled %v, want the resolved public address", d.dialled)
	}
	d = &recordingDialer{}
	p = Policy{AllowPrivate: true, Resolver: fakeResolver{netip.MustParseAddr("10.0.0.1")}, Dialer: d}
	_, _ = p.DialContext(context.Background(), "tcp", "internal.example:443")
	if len(d.dialled) != 1 {
		t.Errorf("AllowPrivate: dialled %v, want the private address", d.dialled)
	}
}
