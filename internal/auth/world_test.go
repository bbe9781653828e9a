package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

// Signing keys are slow to make: one set per test binary.
var (
	keysOnce sync.Once
	testKeys struct{ a, b, c, ec *linktokentest.Key }
)

// world is a store holding two vendors, each with a customer, users and a
// signing key, and a DirectLinks on it with a clock the test moves.
//
//	v1 (origin https://app.v1.test)  key kA "k1", customer c1 (external "acme", no origins of its own)
//	                                 users admin (external "alice"), viewer (external "vic")
//	                                 connection conn1 of c1
//	                                 customer c2 (origins https://a.c2.test, https://b.c2.test), user other
//	                                 connection conn2 of c2
//	v2 (no origins)                  key kB "k2", customer c3, connection conn3 of c3
type world struct {
	t      *testing.T
	store  *store.SQL
	links  *auth.DirectLinks
	clock  *logtest.Clock
	v1, v2 *oriel.Vendor
	c1, c2 *oriel.Customer
	c3     *oriel.Customer
	admin  *oriel.User
	viewer *oriel.User
	other  *oriel.User
	// conn1, conn2 and conn3 are connections of c1, c2 and c3.
	conn1, conn2, conn3 *oriel.Connection
	kA, kB              *linktokentest.Key
	kC, kEC             *linktokentest.Key // not registered at first
}

func newWorld(t *testing.T, s *store.SQL) *world {
	t.Helper()
	keysOnce.Do(func() {
		testKeys.a = linktokentest.NewKey(t, keys.RS256, "k1")
		testKeys.b = linktokentest.NewKey(t, keys.RS256, "k2")
		testKeys.c = linktokentest.NewKey(t, keys.RS256, "k3")
		testKeys.ec = linktokentest.NewKey(t, keys.ES256, "e1")
	})
	w := &world{t: t, store: s, clock: logtest.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)),
		kA: testKeys.a, kB: testKeys.b, kC: testKeys.c, kEC: testKeys.ec}
	w.links = &auth.DirectLinks{Store: s, Minter: token.NewMinter(testKeyring(t), w.clock.Now), Now: w.clock.Now}

	w.v1 = w.vendor("One", "https://app.v1.test")
	w.v2 = w.vendor("Two")
	w.c1 = w.customer(w.v1, "acme")
	w.c2 = w.customer(w.v1, "globex", "https://a.c2.test", "https://b.c2.test")
	w.c3 = w.customer(w.v2, "initech")
	w.admin = w.user(w.c1, "alice", oriel.RoleAdmin)
	w.viewer = w.user(w.c1, "vic", oriel.RoleViewer)
	w.other = w.user(w.c2, "olga", oriel.RoleMember)
	w.register(w.v1, w.kA)
	w.register(w.v2, w.kB)
	w.conn1, w.conn2, w.conn3 = w.connection(w.c1), w.connection(w.c2), w.connection(w.c3)
	return w
}

func testKeyring(t testing.TB) *seal.Keyring {
	t.Helper()
	var b [seal.KeySize]byte
	rand.Read(b[:])
	k, err := seal.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString(b[:]))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (w *world) vendor(name string, origins ...string) *oriel.Vendor {
	w.t.Helper()
	v := &oriel.Vendor{Name: name, AllowedOrigins: origins}
	must(w.t, w.store.CreateVendor(context.Background(), v))
	return v
}

func (w *world) customer(v *oriel.Vendor, external string, origins ...string) *oriel.Customer {
	w.t.Helper()
	c := &oriel.Customer{VendorID: v.ID, ExternalID: external, Name: "Customer " + external, AllowedOrigins: origins}
	must(w.t, w.store.CreateCustomer(context.Background(), c))
	return c
}

func (w *world) user(c *oriel.Customer, external string, role oriel.Role) *oriel.User {
	w.t.Helper()
	u := &oriel.User{VendorID: c.VendorID, CustomerID: c.ID, ExternalID: external, Name: "User " + external, Role: role}
	must(w.t, w.store.CreateUser(context.Background(), u))
	return u
}

// connection gives c a connection, of an integration "keys" of its vendor.
func (w *world) connection(c *oriel.Customer) *oriel.Connection {
	w.t.Helper()
	ctx := context.Background()
	_, err := w.store.PutIntegration(ctx, &oriel.Integration{VendorID: c.VendorID, Key: "keys", Provider: "api_key", DisplayName: "Keys"})
	must(w.t, err)
	conn := &oriel.Connection{VendorID: c.VendorID, CustomerID: c.ID, Integration: "keys"}
	must(w.t, w.store.CreateConnection(ctx, conn))
	return conn
}

// register stores k as one of v's signing keys and returns the row.
func (w *world) register(v *oriel.Vendor, k *linktokentest.Key) *oriel.SigningKey {
	w.t.Helper()
	row := &oriel.SigningKey{VendorID: v.ID, KID: k.KID, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint, PublicKeyPEM: k.PEM}
	must(w.t, w.store.CreateSigningKey(context.Background(), row))
	return row
}

// claims describe a token; zero fields get valid defaults.
type claims struct {
	sub, jti, origin string
	iat              time.Time
}

// sign makes a token with k's usual header.
func (w *world) sign(k *linktokentest.Key, c claims) string {
	w.t.Helper()
	if c.iat.IsZero() {
		c.iat = w.clock.Now()
	}
	if c.jti == "" {
		c.jti = rand.Text()
	}
	payload := fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":%q`, c.sub, c.iat.Unix(), c.jti)
	if c.origin != "" {
		payload += fmt.Sprintf(`,"origin":%q`, c.origin)
	}
	return k.Sign(w.t, k.Header(), payload+"}")
}

// sub joins a vendor, a customer reference and an optional user reference.
func sub(v *oriel.Vendor, parts ...string) string {
	return v.ID + ":" + strings.Join(parts, ":")
}

// open opens raw as an embedded link, with no referrer.
func (w *world) open(raw string) (*auth.Session, error) {
	return w.links.OpenEmbedded(context.Background(), raw, "")
}

// mustOpen opens raw and fails the test on any error.
func (w *world) mustOpen(raw string) *auth.Session {
	w.t.Helper()
	s, err := w.open(raw)
	if err != nil {
		w.t.Fatalf("open: %v", err)
	}
	return s
}

// refused checks that err is a *auth.Rejection with kind and code whose
// origin is parent ("" for unknown), and returns it.
func refused(t *testing.T, err error, kind, code, parent string) *auth.Rejection {
	t.Helper()
	var r *auth.Rejection
	if !errors.As(err, &r) {
		t.Fatalf("error = %v, want a *auth.Rejection %s", err, code)
	}
	if r.Err.Kind != kind || r.Err.Code != code {
		t.Fatalf("error = %s/%s (%s), want %s/%s", r.Err.Kind, r.Err.Code, r.Err.Message, kind, code)
	}
	if r.Origin != parent {
		t.Fatalf("%s: origin = %q, want %q", code, r.Origin, parent)
	}
	return r
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
