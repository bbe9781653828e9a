package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/proxy"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// paypalHost is where the catalogue's PayPal entry sends token and API
// requests; in these tests it is played, over TLS on loopback, by the
// in-repo authorization server.
const paypalHost = "api-m.paypal.com"

// ccWorld is a proxy world whose acme customer has a PayPal (client
// credentials) connection, connected with the authorization server's
// client id and secret.
type ccWorld struct {
	*proxyWorld
	conn   *oriel.Connection
	engine *connect.Engine
}

func newCCWorld(t *testing.T, s *store.SQL) *ccWorld {
	t.Helper()
	w := &ccWorld{}
	var paypal *httptest.Server
	roots := x509.NewCertPool()
	// Port 443 is PayPal's; anything else, such as the authorization
	// server that the world's crm connection uses, is dialled as it is.
	toPaypal := func(ctx context.Context, network, address string) (net.Conn, error) {
		if _, port, _ := net.SplitHostPort(address); port == "443" {
			address = paypal.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, address)
	}
	// paypalHost resolves to loopback; no name is looked up for real.
	policy := netguard.Policy{AllowPrivate: true, Dialer: dialerFunc(toPaypal), Resolver: resolverFunc(func(string) []netip.Addr {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	})}
	useFake := func(c *Config) {
		c.Proxy.RootCAs, c.Proxy.Policy = roots, policy
		w.engine = &connect.Engine{Store: c.Store, PublicURL: c.PublicURL, Logger: c.Logger, Now: c.Now, AllowLoopbackHTTP: true,
			HTTPClient: &http.Client{Transport: &http.Transport{DialContext: policy.DialContext, TLSClientConfig: &tls.Config{RootCAs: roots}}}}
		c.Engine = w.engine
	}
	w.proxyWorld = newProxyWorld(t, s, useFake)
	paypal = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Host != paypalHost {
			http.Error(rw, "unexpected host", http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/v1/oauth2/token" {
			r.URL.Path = oauthdev.PathToken
		}
		w.idp.ServeHTTP(rw, r)
	}))
	paypal.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t, paypalHost, roots)}}
	paypal.StartTLS()
	t.Cleanup(paypal.Close)

	w.do("PUT", "/v1/integrations/payments", map[string]any{"provider": "paypal", "display_name": "PayPal"}).want(http.StatusCreated)
	w.conn = w.newConnection("Eacme", "payments")
	_, _, err := w.engine.SubmitFields(context.Background(), w.vendor.ID, w.conn.ID,
		map[string]string{"client_id": idpClientID, "client_secret": idpClientSecret})
	must(t, err)
	return w
}

// connected returns a new payments connection of customer, stored as
// connected with the authorization server's client id and secret, which
// nothing has tested.
func (w *ccWorld) connected(customer, secret string) *oriel.Connection {
	w.t.Helper()
	c := w.newConnection(customer, "payments")
	_, err := w.store.SetConnected(context.Background(), w.vendor.ID, c.ID, &oriel.Credentials{Fields: map[string]string{
		"client_id": idpClientID, "client_secret": secret, "api_host": paypalHost}})
	must(w.t, err)
	return c
}

// selfSigned returns a certificate for host, whose issuer it adds to roots.
func selfSigned(t *testing.T, host string, roots *x509.CertPool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	roots.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// concurrently makes n proxied GETs of path at once and returns their statuses.
func (w *ccWorld) concurrently(conn *oriel.Connection, n int, path string) []int {
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			req := httptest.NewRequest("GET", "/v1/connections/"+conn.ID+"/proxy/"+path, nil)
			req.Header.Set("Authorization", "Bearer "+w.secret)
			rec := httptest.NewRecorder()
			w.srv.ServeHTTP(rec, req)
			statuses[i] = rec.Code
		})
	}
	wg.Wait()
	return statuses
}

// A client credentials connection's proxied calls carry an access token
// fetched with its client id and secret: once, then from the cache, for
// concurrent calls too; a 401 fetches exactly one new token and the call
// is retried; a refused secret answers connection_error.
func TestProxyClientCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newCCWorld(t, s)
		fetches := func() int { return w.idp.TokenCalls(idpClientID) }
		before := fetches()
		r := w.do("GET", "/v1/connections/"+w.conn.ID+"/proxy/api/me", nil).want(http.StatusOK)
		if n := fetches() - before; n != 1 {
			t.Fatalf("first call: %d token requests, want 1", n)
		}
		if strings.Contains(string(r.body), "oda_") || strings.Contains(string(r.body), idpClientSecret) {
			t.Fatal("the answer holds a credential")
		}
		w.do("GET", "/v1/connections/"+w.conn.ID+"/proxy/api/me", nil).want(http.StatusOK)
		if n := fetches() - before; n != 1 {
			t.Fatalf("second call: %d token requests in all, want 1 (cached)", n)
		}

		// Twenty concurrent calls on a connection with no token yet fetch one.
		fresh := w.connected("Eglobex", idpClientSecret)
		before, resource := fetches(), w.idp.ResourceCalls()
		for i, status := range w.concurrently(fresh, 20, "api/me") {
			if status != http.StatusOK {
				t.Fatalf("call %d answered %d", i, status)
			}
		}
		if n := fetches() - before; n != 1 {
			t.Fatalf("20 concurrent calls: %d token requests, want 1", n)
		}
		if n := w.idp.ResourceCalls() - resource; n != 20 {
			t.Fatalf("%d resource calls, want 20", n)
		}

		// The provider refuses the cached token (expired by its clock):
		// twenty concurrent calls fetch exactly one new token, and all retry.
		w.idpClock.Advance(2 * time.Hour)
		before = fetches()
		for i, status := range w.concurrently(w.conn, 20, "api/me") {
			if status != http.StatusOK {
				t.Fatalf("after a 401: call %d answered %d", i, status)
			}
		}
		if n := fetches() - before; n != 1 {
			t.Fatalf("after a 401: %d token requests, want 1", n)
		}

		// A secret the token endpoint refuses: connection_error, quoting its
		// answer, with no secret anywhere.
		wrong := "CANARY-WRONG-CC-SECRET-0123456789"
		bad := w.connected("Eglobex", wrong)
		r = w.do("GET", "/v1/connections/"+bad.ID+"/proxy/api/me", nil)
		r.problem(http.StatusConflict, proxy.CodeConnectionError)
		var p problem
		r.into(&p)
		if p.Provider == nil || p.Provider.Status != http.StatusUnauthorized || !strings.Contains(p.Provider.Body, "invalid_client") {
			t.Fatalf("problem %+v", p)
		}
		if strings.Contains(string(r.body), wrong) || strings.Contains(w.logs.String(), wrong) {
			t.Fatal("the refused secret reached the answer or the logs")
		}
	})
}
