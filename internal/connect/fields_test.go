package connect_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// goodKey is the API key the fake Anthropic API accepts.
const goodKey = "sk-ant-CANARY-good-key-0123456789"

// fakeProvider is an HTTPS server on loopback that plays a catalogue
// provider's API. Its client dials the server whatever host a request
// names, and verifies the server's certificate under the name example.com,
// so catalogue entries are used unchanged, TLS checks included.
type fakeProvider struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newFakeProvider(t *testing.T, handler http.HandlerFunc) *fakeProvider {
	f := &fakeProvider{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a client that reaches the fake provider for every host;
// trusted says whether it trusts the server's certificate.
func (f *fakeProvider) client(trusted bool) *http.Client {
	tr := f.srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.srv.Listener.Addr().String())
	}
	tr.TLSClientConfig.ServerName = "example.com"
	if !trusted {
		tr.TLSClientConfig.RootCAs = nil
	}
	return &http.Client{Transport: tr}
}

// anthropic answers like Anthropic's models endpoint.
func anthropic(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Host != "api.anthropic.com" || r.URL.Path != "/v1/models" || r.Header.Get("anthropic-version") == "":
		http.Error(w, "unexpected request", http.StatusBadRequest)
	case r.Header.Get("x-api-key") == "sk-ant-busy-0123456789abcdefghij":
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	case r.Header.Get("x-api-key") != goodKey:
		http.Error(w, `{"type":"error","error":{"type":"authentication_error"}}`, http.StatusUnauthorized)
	default:
		w.Write([]byte(`{"data":[]}`))
	}
}

// TestSubmitFields connects API-key connections: values are validated,
// tested against the provider, stored, and never echoed (H18).
func TestSubmitFields(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		api := newFakeProvider(t, anthropic)
		w.engine.HTTPClient = api.client(true)
		w.putIntegration("claude", "anthropic", nil, nil)
		conn := w.newConnection("claude")
		ctx := context.Background()
		submit := func(values map[string]string) (*oriel.Connection, map[string]string, error) {
			return w.engine.SubmitFields(ctx, w.vendorID, conn.ID, values)
		}

		// Malformed values are refused before any request.
		_, problems, err := submit(map[string]string{"api_key": "not-a-key", "extra": "x"})
		wantCode(t, err, connect.CodeFieldsInvalid)
		if problems["api_key"] == "" || problems["extra"] == "" || api.calls.Load() != 0 {
			t.Fatalf("problems %v after %d requests", problems, api.calls.Load())
		}

		// A key the provider refuses is blamed, without being repeated.
		refused := "sk-ant-CANARY-refused-0123456789"
		_, problems, err = submit(map[string]string{"api_key": refused})
		wantCode(t, err, connect.CodeCredentialsRejected)
		if problems["api_key"] == "" || strings.Contains(err.Error()+problems["api_key"], refused) {
			t.Fatalf("problems %v, err %v", problems, err)
		}

		// A provider that is down is retried, then reported.
		calls := api.calls.Load()
		_, _, err = submit(map[string]string{"api_key": "sk-ant-busy-0123456789abcdefghij"})
		wantCode(t, err, connect.CodeProviderUnavailable)
		if n := api.calls.Load() - calls; n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		if c := w.connectionByID(conn.ID); c.Status != oriel.StatusDisconnected {
			t.Fatalf("status %s after refused submissions", c.Status)
		}

		// A good key connects, and Credentials returns it.
		c, problems, err := submit(map[string]string{"api_key": goodKey})
		if err != nil || problems != nil || c.Status != oriel.StatusConnected {
			t.Fatalf("%+v, %v, %v", c, problems, err)
		}
		cred, err := w.engine.Credentials(ctx, w.vendorID, conn.ID)
		must(t, err)
		if cred.Fields["api_key"] != goodKey || cred.AccessToken != "" {
			t.Fatalf("credentials %+v", cred)
		}

		// An untrusted certificate fails the request, once (H16).
		untrusting := w.newEngine(s)
		untrusting.HTTPClient = api.client(false)
		calls = api.calls.Load()
		_, _, err = untrusting.SubmitFields(ctx, w.vendorID, conn.ID, map[string]string{"api_key": goodKey})
		wantCode(t, err, connect.CodeProviderUnavailable)
		if api.calls.Load() != calls {
			t.Fatal("a request reached a server whose certificate is not trusted")
		}
	})
}

// TestSubmitFieldsWithoutTestRequest: the generic api-key and basic
// providers store what passes validation; an OAuth2 provider takes no fields.
func TestSubmitFieldsWithoutTestRequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), oauthdev.Options{})
	ctx := context.Background()
	w.putIntegration("keys", "api-key", nil, nil)
	w.putIntegration("login", "basic", nil, nil)
	for integration, values := range map[string]map[string]string{
		"keys":  {"api_key": "CANARY-APIKEY-1"},
		"login": {"username": "ada", "password": "CANARY-PASSWORD-1"},
	} {
		conn := w.newConnection(integration)
		_, problems, err := w.engine.SubmitFields(ctx, w.vendorID, conn.ID, map[string]string{})
		if wantCode(t, err, connect.CodeFieldsInvalid); len(problems) == 0 {
			t.Fatalf("%s: no field problems for empty values", integration)
		}
		c, _, err := w.engine.SubmitFields(ctx, w.vendorID, conn.ID, values)
		must(t, err)
		cred, err := w.engine.Credentials(ctx, w.vendorID, c.ID)
		must(t, err)
		for k, v := range values {
			if cred.Fields[k] != v {
				t.Fatalf("%s: field %s not stored", integration, k)
			}
		}
	}
	_, _, err := w.engine.SubmitFields(ctx, w.vendorID, w.conn.ID, map[string]string{"api_key": "x"})
	wantCode(t, err, connect.CodeProviderUsesOAuth2)
}

// TestSubmitClientCredentials connects a client credentials provider
// (PayPal, played over TLS by the in-repo authorization server): the entered
// client id and secret must obtain a token, and are then stored as the
// connection's fields, from which ClientCredentialsConfig gets working
// tokens.
func TestSubmitClientCredentials(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		paypal := newFakeProvider(t, func(rw http.ResponseWriter, r *http.Request) {
			if r.Host != "api-m.paypal.com" || r.URL.Path != "/v1/oauth2/token" {
				http.Error(rw, "unexpected request", http.StatusBadRequest)
				return
			}
			r.URL.Path = oauthdev.PathToken
			w.idp.ServeHTTP(rw, r)
		})
		w.engine.HTTPClient = paypal.client(true)
		w.putIntegration("payments", "paypal", nil, nil)
		conn := w.newConnection("payments")
		ctx := context.Background()

		wrong := "CANARY-WRONG-SECRET-123456"
		_, problems, err := w.engine.SubmitFields(ctx, w.vendorID, conn.ID, map[string]string{"client_id": clientID, "client_secret": wrong})
		wantCode(t, err, connect.CodeCredentialsRejected)
		if problems["client_secret"] == "" || strings.Contains(err.Error()+problems["client_secret"], wrong) {
			t.Fatalf("problems %v, err %v", problems, err)
		}
		if c := w.connectionByID(conn.ID); c.Status != oriel.StatusDisconnected {
			t.Fatalf("status %s after a refused secret", c.Status)
		}

		c, problems, err := w.engine.SubmitFields(ctx, w.vendorID, conn.ID, map[string]string{"client_id": clientID, "client_secret": clientSecret})
		if err != nil || problems != nil || c.Status != oriel.StatusConnected {
			t.Fatalf("%+v, %v, %v", c, problems, err)
		}
		cred, err := w.engine.Credentials(ctx, w.vendorID, conn.ID)
		must(t, err)
		if cred.Fields["client_secret"] != clientSecret || cred.Fields["api_host"] != "api-m.paypal.com" {
			t.Fatalf("stored fields %v", cred.Fields)
		}
		p, _ := connect.LookupProvider("paypal")
		cfg, err := p.ClientCredentialsConfig(cred.Fields)
		must(t, err)
		tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, paypal.client(true)))
		must(t, err)
		if !w.tokenWorks(tok.AccessToken) || tok.RefreshToken != "" {
			t.Fatalf("client credentials token %+v does not work at the resource server", tok)
		}
	})
}
