package connect_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
)

// The fixed parts of every test world.
const (
	publicURL    = "https://oriel.test"
	widgetOrigin = "https://oriel.test"
	sessionID    = "session-1"
	clientID     = "oriel-crm"
	clientSecret = "CANARY-CLIENT-SECRET-1"
)

// world is a vendor with a customer, an OAuth2 integration "crm" (the
// generic oauth2 provider) pointing at a real oauthdev server on loopback,
// one disconnected connection of it, and an engine.
type world struct {
	t        *testing.T
	store    *store.SQL
	idp      *oauthdev.Server
	keys     *seal.Keyring
	clock    *clock
	logs     *logtest.Buffer
	engine   *connect.Engine
	vendorID string
	customer *oriel.Customer
	conn     *oriel.Connection
}

// newWorld builds a world on s, whose secrets it seals with a new keyring.
func newWorld(t *testing.T, s *store.SQL, opts oauthdev.Options) *world {
	t.Helper()
	w := &world{t: t, store: s, keys: newKeyring(t), idp: oauthdev.NewTestServer(t, opts), clock: &clock{}, logs: newLogBuffer(t)}
	s.UseKeyring(w.keys)
	w.idp.SetConsent(oauthdev.ConsentApprove)
	w.registerClient(nil)
	ctx := context.Background()
	vendor := &oriel.Vendor{Name: "Acme"}
	must(t, s.CreateVendor(ctx, vendor))
	w.vendorID = vendor.ID
	w.customer = &oriel.Customer{VendorID: vendor.ID, ExternalID: "cust-1", Name: "Customer One"}
	must(t, s.CreateCustomer(ctx, w.customer))
	w.putIntegration("crm", "oauth2", []string{"contacts.read", "offline_access"}, map[string]string{
		"authorization_url": w.idp.URL() + oauthdev.PathAuthorize,
		"token_url":         w.idp.URL() + oauthdev.PathToken,
		"revocation_url":    w.idp.URL() + oauthdev.PathRevoke,
		"issuer":            w.idp.Issuer(),
	})
	w.conn = w.newConnection("crm")
	w.engine = w.newEngine(s)
	return w
}

// newKeyring returns a keyring with one new key.
func newKeyring(t *testing.T) *seal.Keyring {
	t.Helper()
	entry, err := seal.NewKeyEntry("k1")
	must(t, err)
	k, err := seal.ParseKeyring(entry)
	must(t, err)
	return k
}

// registerClient (re-)registers the integration's client at oauthdev;
// scopes, when not nil, limit what it may be granted.
func (w *world) registerClient(scopes []string) {
	w.t.Helper()
	must(w.t, w.idp.RegisterClient(oauthdev.Client{
		ID: clientID, Secret: clientSecret, RedirectURIs: []string{publicURL + connect.CallbackPath}, Scopes: scopes,
	}))
}

// putIntegration stores an integration of the world's vendor.
func (w *world) putIntegration(key, provider string, scopes []string, config map[string]string) {
	w.t.Helper()
	_, err := w.store.PutIntegration(context.Background(), &oriel.Integration{
		VendorID: w.vendorID, Key: key, Provider: provider, DisplayName: key,
		ClientID: clientID, ClientSecret: clientSecret, Scopes: scopes, Config: config,
	})
	must(w.t, err)
}

// newConnection creates a disconnected connection of the integration.
func (w *world) newConnection(integration string) *oriel.Connection {
	w.t.Helper()
	c := &oriel.Connection{VendorID: w.vendorID, CustomerID: w.customer.ID, Integration: integration}
	must(w.t, w.store.CreateConnection(context.Background(), c))
	return c
}

// newEngine returns an engine on s that shares the world's clock and logs,
// as another replica would share the database.
func (w *world) newEngine(s store.ConnectionStore) *connect.Engine {
	return &connect.Engine{
		Store: s, PublicURL: publicURL, Now: w.clock.Now, AllowLoopbackHTTP: true,
		Destinations: netguard.Policy{AllowPrivate: true}, // the authorization server is on loopback
		Logger:       slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// begin starts an authorization of the world's connection in sessionID.
func (w *world) begin() string {
	w.t.Helper()
	authURL, err := w.engine.BeginOAuth(context.Background(), w.vendorID, w.conn.ID, sessionID, widgetOrigin)
	must(w.t, err)
	return authURL
}

// authorize plays the browser at the provider: it follows authURL and
// returns the query of the redirect to Oriel's callback.
func (w *world) authorize(authURL string) url.Values {
	w.t.Helper()
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(authURL)
	must(w.t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 {
		w.t.Fatalf("authorization answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != publicURL+connect.CallbackPath {
		w.t.Fatalf("redirected to %s, want the callback", got)
	}
	return loc.Query()
}

// connect runs a whole authorization and returns its result.
func (w *world) connect() *connect.Result {
	w.t.Helper()
	res, err := w.engine.CompleteOAuth(context.Background(), sessionID, w.authorize(w.begin()))
	must(w.t, err)
	return res
}

// connection reads the world's OAuth2 connection from the store.
func (w *world) connection() *oriel.Connection {
	w.t.Helper()
	return w.connectionByID(w.conn.ID)
}

// connectionByID reads one of the vendor's connections from the store.
func (w *world) connectionByID(id string) *oriel.Connection {
	w.t.Helper()
	c, err := w.store.Connection(context.Background(), w.vendorID, id)
	must(w.t, err)
	return c
}

// storedCredentials reads the world's connection's credentials from the store.
func (w *world) storedCredentials() *oriel.Credentials {
	w.t.Helper()
	c, err := w.store.ConnectionCredentials(context.Background(), w.vendorID, w.conn.ID)
	must(w.t, err)
	return c
}

// events lists the types of the vendor's webhook events, oldest first.
func (w *world) events() []string {
	w.t.Helper()
	evs, _, err := w.store.ListWebhookEvents(context.Background(), w.vendorID, oriel.Page{Limit: 100})
	must(w.t, err)
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	return types
}

// tokenWorks reports whether oauthdev accepts token at its protected resource.
func (w *world) tokenWorks(token string) bool {
	w.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.idp.URL()+oauthdev.PathMe, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	must(w.t, err)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// clock is the engines' clock: real time plus an offset tests move forward,
// to make tokens that the provider still honours look about to expire.
type clock struct{ offset atomic.Int64 }

// Now returns the clock's time.
func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// newLogBuffer collects the engines' logs; at the end of the test it checks
// that no secret reached them (catalogue L01): oauthdev's codes and tokens
// carry the prefixes odc_, oda_ and odr_.
func newLogBuffer(t *testing.T) *logtest.Buffer {
	b := &logtest.Buffer{}
	t.Cleanup(func() {
		logs := b.String()
		for _, secret := range []string{"odc_", "oda_", "odr_", "CANARY", "sk-ant-"} {
			if strings.Contains(logs, secret) {
				t.Errorf("a secret (%s…) reached the logs:\n%s", secret, logs)
			}
		}
	})
	return b
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails the test unless err has the given code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := oriel.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}
