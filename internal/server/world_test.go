package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
)

// The fixed parts of a connections world.
const (
	idpClientID     = "oriel-crm"
	idpClientSecret = "CANARY-CLIENT-SECRET-7"
	apiKeyCanary    = "CANARY-APIKEY-3"
)

// world is a linkEnv in development mode with more connections: a local
// OAuth2 server (oauthdev) on loopback, the vendor's integrations "keys"
// (api-key, from linkEnv) and "crm" (generic oauth2 at that server),
// customers acme (with its viewer ada) and globex, and disconnected
// connections: one of each integration for acme (keys first), one of crm
// for globex, and one of another vendor's.
type world struct {
	*linkEnv
	idp                     *oauthdev.Server
	crm, keys, globexCRM    *oriel.Connection
	otherVendor             *oriel.Connection
	acmeID, globexID        string
	otherVendorID           string
	otherVendorAPIKeySecret string
}

func newWorld(t *testing.T, s *store.SQL) *world {
	t.Helper()
	return newWorldWith(t, s, oauthdev.Options{})
}

// newWorldWith is newWorld with the authorization server's options (its
// consent mode is always ConsentApprove) and changes to the server's Config.
func newWorldWith(t *testing.T, s *store.SQL, opts oauthdev.Options, config ...func(*Config)) *world {
	t.Helper()
	dev := func(c *Config) { c.Dev = true }
	opts.Consent = oauthdev.ConsentApprove
	w := &world{linkEnv: newLinkEnv(t, s, append([]func(*Config){sealingKeys(t, s), dev}, config...)...), idp: oauthdev.NewTestServer(t, opts)}
	must(t, w.idp.RegisterClient(oauthdev.Client{ID: idpClientID, Secret: idpClientSecret, RedirectURIs: []string{"http://oriel.test" + connect.CallbackPath}}))
	w.do("PUT", "/v1/integrations/crm", w.crmIntegration()).want(http.StatusCreated)
	globex := map[string]any{}
	w.do("POST", "/v1/customers", map[string]any{"external_id": "globex", "name": "Globex"}).into(&globex)
	w.acmeID, w.globexID = w.customerID("Eacme"), field(globex, "id")
	var err error
	w.keys, err = s.Connection(context.Background(), w.vendor.ID, w.connID)
	must(t, err)
	w.crm = w.newConnection("Eacme", "crm")
	w.globexCRM = w.newConnection("Eglobex", "crm")

	ctx := context.Background()
	other, secret := w.newVendor("Other")
	w.otherVendorID, w.otherVendorAPIKeySecret = other.ID, secret
	_, err = s.PutIntegration(ctx, &oriel.Integration{VendorID: other.ID, Key: "crm", Provider: "api-key", DisplayName: "Other"})
	must(t, err)
	oc := &oriel.Customer{VendorID: other.ID, ExternalID: "acme", Name: "Other Acme"}
	must(t, s.CreateCustomer(ctx, oc))
	w.otherVendor = &oriel.Connection{VendorID: other.ID, CustomerID: oc.ID, Integration: "crm"}
	must(t, s.CreateConnection(ctx, w.otherVendor))
	return w
}

// sealingKeys gives the server and the store s one new keyring: the
// server's sessions and tickets, the store's secrets.
func sealingKeys(t *testing.T, s *store.SQL) func(*Config) {
	t.Helper()
	entry, err := seal.NewKeyEntry("k1")
	must(t, err)
	k, err := seal.ParseKeyring(entry)
	must(t, err)
	s.UseKeyring(k)
	return func(c *Config) { c.Keys = k }
}

// crmIntegration is the body that makes "crm" a generic oauth2
// integration at the world's authorization server.
func (w *world) crmIntegration() map[string]any {
	return map[string]any{
		"provider": "oauth2", "display_name": "Demo CRM", "client_id": idpClientID, "client_secret": idpClientSecret,
		"scopes": []string{"contacts.read", "offline_access"},
		"config": map[string]string{
			"authorization_url": w.idp.URL() + oauthdev.PathAuthorize,
			"token_url":         w.idp.URL() + oauthdev.PathToken,
			"revocation_url":    w.idp.URL() + oauthdev.PathRevoke,
			"issuer":            w.idp.Issuer(),
		},
	}
}

func (w *world) customerID(ref string) string {
	w.t.Helper()
	c, err := w.store.Customer(context.Background(), w.vendor.ID, ref)
	must(w.t, err)
	return c.ID
}

// newConnection creates a connection through the vendor API.
func (w *world) newConnection(customer, integration string) *oriel.Connection {
	w.t.Helper()
	var c oriel.Connection
	w.do("POST", "/v1/customers/"+customer+"/connections", map[string]any{"integration": integration}).want(http.StatusCreated).into(&c)
	return &c
}

var sessionAttr = regexp.MustCompile(`data-session="(ors_[^"]+)"`)

// session opens a Fully Embedded link for sub and returns the session token
// its page holds.
func (w *linkEnv) session(sub string) string {
	w.t.Helper()
	body := w.get("/direct_link/embedded/app?dl_path=/connections&dl_token={token}", w.sign(sub, "")).page(http.StatusOK, appOrigin)
	return sessionAttr.FindStringSubmatch(body)[1]
}

// ssoCookie signs in sub through White-label SSO and returns the session
// cookie as a Cookie header value.
func (w *world) ssoCookie(sub string) string {
	w.t.Helper()
	r := w.get("/direct_link/sso?dl_path=/connections&dl_token={token}", w.sign(sub, "")).want(http.StatusSeeOther)
	c := (&http.Response{Header: r.header}).Cookies()[0]
	return c.Name + "=" + c.Value
}

// widget calls the widget API with a session token.
func (w *world) widget(session, method, path string, body any, headers ...string) *result {
	w.t.Helper()
	return w.doAs(session, method, path, body, headers...)
}

// connect runs the whole OAuth flow of the acme crm connection in session,
// and returns the callback's response.
func (w *world) connect(session string) *result {
	w.t.Helper()
	start := w.startFlow(session, w.crm.ID)
	callback := w.authorize(start.location)
	return w.doAs("", "GET", callback, nil, "Cookie", start.cookie())
}

// flow is a started OAuth flow: where /oauth/start sent the popup and the
// cookie it set.
type flow struct {
	location string       // the provider's authorization URL
	binding  *http.Cookie // the browser binding
}

// cookie is the browser binding as a Cookie header value.
func (f flow) cookie() string { return f.binding.Name + "=" + f.binding.Value }

// startFlow asks the widget API for a start URL and opens it.
func (w *world) startFlow(session, connectionID string) flow {
	w.t.Helper()
	var start oauthStart
	w.widget(session, "POST", "/widget-api/connections/"+connectionID+"/oauth-start", nil).want(http.StatusOK).into(&start)
	path := strings.TrimPrefix(start.URL, "http://oriel.test")
	if path == start.URL || !strings.HasPrefix(path, "/oauth/start?ticket=") {
		w.t.Fatalf("start URL %q is not this server's /oauth/start", start.URL)
	}
	r := w.doAs("", "GET", path, nil).want(http.StatusFound)
	cookies := (&http.Response{Header: r.header}).Cookies()
	if len(cookies) != 1 {
		w.t.Fatalf("/oauth/start set cookies %v", cookies)
	}
	return flow{location: r.header.Get("Location"), binding: cookies[0]}
}

// authorize sends the browser to the provider's authorization URL and
// returns the path and query of the callback it redirects to.
func (w *world) authorize(authURL string) string {
	w.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	must(w.t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Host != "oriel.test" || loc.Path != connect.CallbackPath {
		w.t.Fatalf("the provider answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.RequestURI()
}

// status returns a connection's status as stored.
func (w *world) status(c *oriel.Connection) oriel.ConnectionStatus {
	w.t.Helper()
	got, err := w.store.Connection(context.Background(), c.VendorID, c.ID)
	must(w.t, err)
	return got.Status
}
