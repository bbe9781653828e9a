package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
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

// proxyWorld is a world whose Demo CRM connection of acme is connected and
// whose "crm" integration names the authorization server as its API base
// URL; the server's proxy may call loopback, and the authorization
// server's clock can be moved ahead of Oriel's.
type proxyWorld struct {
	*world
	idpClock *idpClock
}

// idpClock is the authorization server's clock: real time plus an offset.
type idpClock struct{ offset atomic.Int64 }

func (c *idpClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *idpClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

func newProxyWorld(t *testing.T, s *store.SQL, config ...func(*Config)) *proxyWorld {
	t.Helper()
	clock := &idpClock{}
	loopback := func(c *Config) { c.Proxy.Policy = netguard.Policy{AllowPrivate: true} }
	w := &proxyWorld{world: newWorldWith(t, s, oauthdev.Options{Now: clock.Now}, append([]func(*Config){loopback}, config...)...), idpClock: clock}
	crm := w.crmIntegration()
	crm["config"].(map[string]string)["api_base_url"] = w.idp.URL() + "/api"
	w.do("PUT", "/v1/integrations/crm", crm).want(http.StatusOK)
	w.connect(w.session("Eacme")).page(http.StatusOK, "")
	if w.status(w.crm) != oriel.StatusConnected {
		t.Fatalf("the crm connection is %s", w.status(w.crm))
	}
	t.Cleanup(func() {
		for _, secret := range []string{"oda_", "odr_", "odc_", idpClientSecret} {
			if strings.Contains(w.logs.String(), secret) {
				t.Errorf("a secret (%s…) reached the logs", secret)
			}
		}
	})
	return w
}

// proxied calls the proxy of the acme crm connection.
func (w *proxyWorld) proxied(method, path string, body any, headers ...string) *result {
	w.t.Helper()
	return w.do(method, "/v1/connections/"+w.crm.ID+"/proxy/"+path, body, headers...)
}

// storedToken returns the crm connection's stored credentials.
func (w *proxyWorld) storedCredentials() *oriel.Credentials {
	w.t.Helper()
	c, err := w.store.ConnectionCredentials(context.Background(), w.vendor.ID, w.crm.ID)
	must(w.t, err)
	return c
}

// The proxy forwards to the provider's API with the connection's token and
// passes the answer on: status, body and headers, but not cookies; the
// vendor's API key never reaches the provider; metrics count it.
func TestProxyForwards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newProxyWorld(t, s)
		r := w.proxied("GET", "contacts?limit=2", nil, "Cookie", "a=b").want(http.StatusOK)
		var page struct{ Data []oauthdev.Contact }
		r.into(&page)
		if len(page.Data) != 4 || page.Data[0].Name != "Ada Lovelace" {
			t.Fatalf("contacts %+v", page)
		}
		if r.header.Get("X-RateLimit-Remaining") != "99" || r.header.Get("Set-Cookie") != "" || r.header.Get("Oriel-Error") != "" ||
			r.header.Get(proxy.RequestIDHeader) != r.header.Get("X-Request-Id") {
			t.Fatalf("headers %v", r.header)
		}
		if strings.Contains(string(r.body), "oda_") {
			t.Fatal("the answer holds the access token")
		}

		// The body streams to the provider and back.
		payload := strings.Repeat(`{"name":"Ada"}`, 1000)
		r = w.proxied("POST", "echo", payload, "Content-Type", "application/json").want(http.StatusOK)
		if string(r.body) != payload || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("echo answered %d bytes, Content-Type %q", len(r.body), r.header.Get("Content-Type"))
		}

		// The provider's errors pass through unchanged, as its own answers.
		r = w.proxied("GET", "nowhere", nil).want(http.StatusNotFound)
		if r.header.Get("Oriel-Error") != "" || r.header.Get("Content-Type") == "application/problem+json" {
			t.Fatalf("the provider's 404 was not passed on: %v %s", r.header, r.body)
		}

		metrics := string(w.doAs("", "GET", "/metrics", nil).want(http.StatusOK).body)
		for _, want := range []string{
			`oriel_proxy_requests_total{class="2xx",provider="oauth2"} 2`,
			`oriel_proxy_requests_total{class="4xx",provider="oauth2"} 1`,
			`oriel_proxy_upstream_duration_seconds_count{provider="oauth2"} 3`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}

// A token the provider refuses (here: expired by the provider's clock, not
// yet by Oriel's) is refreshed once and the request retried once.
func TestProxyRefreshesARejectedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newProxyWorld(t, s)
		before := w.storedCredentials().AccessToken
		w.idpClock.Advance(2 * time.Hour)
		calls := w.idp.ResourceCalls()
		r := w.proxied("GET", "contacts", nil).want(http.StatusOK)
		if n := w.idp.RefreshCalls(idpClientID); n != 1 {
			t.Fatalf("%d refreshes, want 1", n)
		}
		if n := w.idp.ResourceCalls() - calls; n != 2 {
			t.Fatalf("%d calls to the resource, want 2 (refused, then retried)", n)
		}
		if w.storedCredentials().AccessToken == before || r.header.Get(proxy.RefreshedHeader) != "" {
			t.Fatal("the token was not replaced, or the answer is marked")
		}

		// A streamed body cannot be sent again: the refresh still happens,
		// and the 401 is passed on, marked, for the vendor to resend.
		w.idpClock.Advance(2 * time.Hour)
		big := strings.Repeat("x", 300<<10)
		r = w.proxied("POST", "echo", big).want(http.StatusUnauthorized)
		if r.header.Get(proxy.RefreshedHeader) != "true" || w.idp.RefreshCalls(idpClientID) != 2 || !strings.Contains(string(r.body), "invalid_token") {
			t.Fatalf("headers %v, %d refreshes", r.header, w.idp.RefreshCalls(idpClientID))
		}
		r = w.proxied("POST", "echo", big).want(http.StatusOK)
		if len(r.body) != len(big) {
			t.Fatalf("echo answered %d bytes", len(r.body))
		}
	})
}

// Twenty concurrent calls on an expired token make exactly one refresh,
// whether Oriel knows the token expired or the provider tells it with a 401.
func TestProxyConcurrentCallsRefreshOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newProxyWorld(t, s)
		for i, expire := range []func(){
			func() { w.idpClock.Advance(2 * time.Hour) },                                 // the provider refuses it
			func() { w.clock.Advance(2 * time.Hour); w.idpClock.Advance(2 * time.Hour) }, // Oriel sees it expired
		} {
			expire()
			refreshes := w.idp.RefreshCalls(idpClientID)
			var wg sync.WaitGroup
			statuses := make([]int, 20)
			for j := range statuses {
				wg.Go(func() {
					req := httptest.NewRequest("GET", "/v1/connections/"+w.crm.ID+"/proxy/me", nil)
					req.Header.Set("Authorization", "Bearer "+w.secret)
					rec := httptest.NewRecorder()
					w.srv.ServeHTTP(rec, req)
					statuses[j] = rec.Code
				})
			}
			wg.Wait()
			for j, status := range statuses {
				if status != http.StatusOK {
					t.Fatalf("case %d: call %d answered %d", i, j, status)
				}
			}
			if n := w.idp.RefreshCalls(idpClientID) - refreshes; n != 1 {
				t.Fatalf("case %d: %d refreshes for 20 concurrent calls, want 1", i, n)
			}
		}
	})
}

// A revoked grant answers connection_error with the provider's answer, and
// leaves the connection in error.
func TestProxyRevokedConnection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newProxyWorld(t, s)
		cred := w.storedCredentials()
		form := url.Values{"token": {cred.RefreshToken}}
		req, _ := http.NewRequest("POST", w.idp.URL()+oauthdev.PathRevoke, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(idpClientID, idpClientSecret)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()

		r := w.proxied("GET", "contacts", nil)
		r.problem(http.StatusConflict, proxy.CodeConnectionError)
		var p problem
		r.into(&p)
		if p.Provider == nil || p.Provider.Status != http.StatusUnauthorized || !strings.Contains(p.Provider.Body, "invalid_token") ||
			!strings.Contains(p.Provider.WWWAuthenticate, "invalid_token") || r.header.Get("Oriel-Error") != proxy.CodeConnectionError {
			t.Fatalf("problem %+v", p)
		}
		if strings.Contains(string(r.body), cred.AccessToken) || strings.Contains(string(r.body), cred.RefreshToken) {
			t.Fatal("the problem holds a credential")
		}
		if w.status(w.crm) != oriel.StatusError {
			t.Fatalf("the connection is %s, want error", w.status(w.crm))
		}
		w.proxied("GET", "contacts", nil).problem(http.StatusConflict, connect.CodeReauthorizationRequired)
	})
}

// No path can leave the provider's API base URL, and a refused path never
// reaches the provider.
func TestProxyPathEscapesRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newProxyWorld(t, s)
		calls := w.idp.ResourceCalls()
		for _, path := range []string{
			"../token", "contacts/../../token", "./contacts", "contacts/.", "..",
			"%2e%2e/token", "%2E%2E/token", ".%2e/token", "contacts/%2e%2e/%2e%2e/token",
			"%252e%252e/token", "%252E%252E%252Ftoken", "contacts%25",
			"..%2ftoken", "..%2Ftoken", "contacts%2F..%2F..%2Ftoken",
			"%5c..%5ctoken", "..%5Ctoken", `..\token`, `contacts\..\..\token`,
			"/token", "//evil.example/x", "contacts//x",
			"https://evil.example/x", "https:%2F%2Fevil.example%2Fx", "http:evil.example",
			"evil.example@x", "@evil.example/x", "user%40evil.example/x", "user:pass@evil.example",
			"contacts%00", "contacts%0d%0aHost:%20evil.example", "contacts%23frag",
		} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL = &url.URL{Path: "/v1/connections/" + w.crm.ID + "/proxy/", RawPath: "/v1/connections/" + w.crm.ID + "/proxy/" + path}
			req.URL.Path, _ = url.PathUnescape(req.URL.RawPath)
			req.RequestURI = req.URL.RawPath
			req.Header.Set("Authorization", "Bearer "+w.secret)
			rec := httptest.NewRecorder()
			w.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || rec.Header().Get("Oriel-Error") != proxy.CodePathInvalid {
				t.Errorf("%s: answered %d %s: %s", path, rec.Code, rec.Header().Get("Oriel-Error"), rec.Body)
			}
		}
		if n := w.idp.ResourceCalls() - calls; n != 0 {
			t.Fatalf("%d refused requests reached the provider", n)
		}
	})
}

// Oriel-Retries retries idempotent requests on 429 and 5xx, honouring a
// short Retry-After and passing on an answer that asks for a long one.
func TestProxyRetries(t *testing.T) {
	w := newProxyWorld(t, storetest.SQLite(t))
	w.idp.InjectResourceFault(oauthdev.ResourceFault{Status: 503, RetryAfter: "0", Times: 2})
	calls := w.idp.ResourceCalls()
	w.proxied("GET", "contacts", nil, proxy.RetriesHeader, "2").want(http.StatusOK)
	if n := w.idp.ResourceCalls() - calls; n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}

	w.idp.InjectResourceFault(oauthdev.ResourceFault{Status: 503})
	r := w.proxied("GET", "contacts", nil).want(http.StatusServiceUnavailable)
	if r.header.Get("Oriel-Error") != "" || !strings.Contains(string(r.body), "injected by oauthdev") {
		t.Fatalf("the provider's 503 was not passed on: %s", r.body)
	}

	w.idp.InjectResourceFault(oauthdev.ResourceFault{Status: 429, RetryAfter: "60"})
	calls = w.idp.ResourceCalls()
	r = w.proxied("GET", "contacts", nil, proxy.RetriesHeader, "3").want(http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "60" || w.idp.ResourceCalls()-calls != 1 {
		t.Fatalf("a 60 s Retry-After was not passed on at once: %v", r.header)
	}

	w.proxied("POST", "echo", "x", proxy.RetriesHeader, "1").problem(http.StatusBadRequest, proxy.CodeRetriesInvalid)
	w.proxied("GET", "contacts", nil, proxy.RetriesHeader, "9").problem(http.StatusBadRequest, proxy.CodeRetriesInvalid)
}

// Connections that cannot be proxied answer clear errors.
func TestProxyRefusals(t *testing.T) {
	w := newProxyWorld(t, storetest.SQLite(t), func(c *Config) { c.Proxy.MaxRequestBytes = 1 << 20 })
	w.do("GET", "/v1/connections/"+w.globexCRM.ID+"/proxy/contacts", nil).problem(http.StatusConflict, connect.CodeNotConnected)
	w.do("GET", "/v1/connections/"+w.otherVendor.ID+"/proxy/contacts", nil).want(http.StatusNotFound)
	w.doAs("", "GET", "/v1/connections/"+w.crm.ID+"/proxy/contacts", nil).want(http.StatusUnauthorized)
	w.proxied("POST", "echo", strings.Repeat("x", 2<<20)).problem(http.StatusRequestEntityTooLarge, proxy.CodeRequestTooLarge)

	// The keys integration (generic api-key) has no API base URL.
	_, err := w.store.SetConnected(context.Background(), w.vendor.ID, w.keys.ID, &oriel.Credentials{Fields: map[string]string{"api_key": apiKeyCanary}})
	must(t, err)
	w.do("GET", "/v1/connections/"+w.keys.ID+"/proxy/contacts", nil).problem(http.StatusUnprocessableEntity, connect.CodeNoAPIBase)
}

// A provider whose address is private, loopback or a metadata service is
// never called, whatever its name resolves to; the check is made on the
// resolved address, with no traffic leaving loopback.
func TestProxyDestinationPolicy(t *testing.T) {
	dialled := atomic.Int64{}
	policy := netguard.Policy{
		Resolver: resolverFunc(func(string) []netip.Addr { return []netip.Addr{netip.MustParseAddr("169.254.169.254")} }),
		Dialer: dialerFunc(func(context.Context, string, string) (net.Conn, error) {
			dialled.Add(1)
			return nil, fmt.Errorf("no dialling in this test")
		}),
	}
	w := newWorld(t, storetest.SQLite(t))
	w.srv = New(Config{Store: w.store, PublicURL: "http://oriel.test", Proxy: proxy.Config{Policy: policy}, Dev: true, Now: w.clock.Now})
	ctx := context.Background()
	_, err := w.store.PutIntegration(ctx, &oriel.Integration{VendorID: w.vendor.ID, Key: "gh", Provider: "github", DisplayName: "GitHub", ClientID: "id", ClientSecret: "secret"})
	must(t, err)
	gh := w.newConnection("Eacme", "gh")
	_, err = w.store.SetConnected(ctx, w.vendor.ID, gh.ID, &oriel.Credentials{AccessToken: "gho_CANARY", TokenType: "Bearer"})
	must(t, err)
	r := w.do("GET", "/v1/connections/"+gh.ID+"/proxy/user", nil)
	r.problem(http.StatusForbidden, proxy.CodeDestinationNotAllowed)
	if strings.Contains(string(r.body), "169.254") || dialled.Load() != 0 {
		t.Fatalf("the answer names the address, or a refused address was dialled: %s", r.body)
	}

	// A literal loopback base URL is refused before any lookup.
	w.do("PUT", "/v1/integrations/keys", map[string]any{"provider": "api-key", "config": map[string]string{"api_base_url": w.idp.URL()}}).want(http.StatusOK)
	_, err = w.store.SetConnected(ctx, w.vendor.ID, w.keys.ID, &oriel.Credentials{Fields: map[string]string{"api_key": apiKeyCanary}})
	must(t, err)
	w.do("GET", "/v1/connections/"+w.keys.ID+"/proxy/me", nil).problem(http.StatusForbidden, proxy.CodeDestinationNotAllowed)
	if w.idp.ResourceCalls() != 0 {
		t.Fatal("the loopback provider was called")
	}
}

// A keyed connection's settings, entered in the widget, place its API: a
// Jira site's subdomain picks the host Oriel resolves (and then may not
// reach: the test lets no traffic leave loopback).
func TestProxyKeyedSettingsPlaceTheAPI(t *testing.T) {
	var looked []string
	var mu sync.Mutex
	policy := netguard.Policy{
		Resolver: resolverFunc(func(host string) []netip.Addr {
			mu.Lock()
			defer mu.Unlock()
			looked = append(looked, host)
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}
		}),
		Dialer: dialerFunc(func(context.Context, string, string) (net.Conn, error) {
			return nil, fmt.Errorf("no dialling in this test")
		}),
	}
	w := newWorld(t, storetest.SQLite(t))
	w.srv = New(Config{Store: w.store, PublicURL: "http://oriel.test", Proxy: proxy.Config{Policy: policy}, Now: w.clock.Now})
	ctx := context.Background()
	_, err := w.store.PutIntegration(ctx, &oriel.Integration{VendorID: w.vendor.ID, Key: "jira", Provider: "jira-api-token", DisplayName: "Jira"})
	must(t, err)
	jira := w.newConnection("Eacme", "jira")
	_, err = w.store.SetConnected(ctx, w.vendor.ID, jira.ID, &oriel.Credentials{Fields: map[string]string{
		"subdomain": "acme", "username": "ada@acme.example", "password": "CANARY-JIRA-TOKEN"}})
	must(t, err)
	r := w.do("GET", "/v1/connections/"+jira.ID+"/proxy/myself", nil)
	r.problem(http.StatusServiceUnavailable, connect.CodeProviderUnavailable)
	if len(looked) == 0 || looked[0] != "acme.atlassian.net" || strings.Contains(string(r.body), "CANARY") {
		t.Fatalf("resolved %v; answer %s", looked, r.body)
	}
}

type resolverFunc func(host string) []netip.Addr

func (f resolverFunc) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return f(host), nil
}

type dialerFunc func(ctx context.Context, network, address string) (net.Conn, error)

func (f dialerFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

// 100 MB answers and request bodies stream through with memory flat: the peak
// heap in use during the transfer stays within a few buffers of where it
// started. Answers over the limit are refused, or cut when their length
// was not announced.
func TestProxyStreamsLargeBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		const size = 100 << 20
		w := newProxyWorld(t, s, func(c *Config) { c.Proxy.MaxResponseBytes, c.Proxy.MaxRequestBytes = 150<<20, 150<<20 })
		srv := httptest.NewServer(w.srv)
		t.Cleanup(srv.Close)
		get := func(path string) (*http.Response, error) {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/connections/"+w.crm.ID+"/proxy/"+path, nil)
			req.Header.Set("Authorization", "Bearer "+w.secret)
			return http.DefaultClient.Do(req)
		}
		for _, chunked := range []string{"0", "1"} {
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			peak := heapSampler(t)
			resp, err := get(fmt.Sprintf("export?bytes=%d&chunked=%s", size, chunked))
			must(t, err)
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			grew := int64(peak()) - int64(base.HeapInuse)
			t.Logf("chunked=%s: %d MB streamed; heap in use %.1f MiB before, peak %.1f MiB (+%.1f MiB); peak RSS of the test process %s",
				chunked, n>>20, mib(base.HeapInuse), mib(base.HeapInuse)+float64(grew)/(1<<20), float64(grew)/(1<<20), peakRSS())
			if err != nil || n != size || resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, %d bytes, err %v", resp.StatusCode, n, err)
			}
			if grew > 16<<20 {
				t.Fatalf("the heap grew by %d MiB while streaming %d MiB", grew>>20, size>>20)
			}
		}

		// A 100 MB request body of unannounced length streams to the
		// provider, which echoes it back as it reads.
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		peak := heapSampler(t)
		upload, write := io.Pipe()
		go func() {
			chunk := []byte(strings.Repeat("0123456789abcdef", 4096))
			for sent := 0; sent < size; sent += len(chunk) {
				if _, err := write.Write(chunk); err != nil {
					return
				}
			}
			write.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/connections/"+w.crm.ID+"/proxy/echo", upload)
		req.Header.Set("Authorization", "Bearer "+w.secret)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		grew := int64(peak()) - int64(base.HeapInuse)
		t.Logf("upload: %d MB streamed both ways; heap in use grew by %.1f MiB at its peak", n>>20, float64(grew)/(1<<20))
		if err != nil || n != size || resp.StatusCode != http.StatusOK || grew > 16<<20 {
			t.Fatalf("status %d, %d bytes echoed, err %v, heap +%d MiB", resp.StatusCode, n, err, grew>>20)
		}

		resp, err = get(fmt.Sprintf("export?bytes=%d", 200<<20))
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Oriel-Error") != proxy.CodeResponseTooLarge {
			t.Fatalf("an announced 200 MB answer: status %d", resp.StatusCode)
		}
		resp, err = get(fmt.Sprintf("export?bytes=%d&chunked=1", 200<<20))
		must(t, err)
		n, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil || n > 150<<20 {
			t.Fatalf("an unannounced 200 MB answer ended cleanly after %d bytes", n)
		}
	})
}

// heapSampler samples the heap in use every few milliseconds until the
// returned function is called, which returns the peak.
func heapSampler(t *testing.T) func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var once sync.Once
	finish := func() uint64 {
		once.Do(func() { close(stop); <-done })
		return peak.Load()
	}
	t.Cleanup(func() { finish() })
	return finish
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// peakRSS reads the process's peak resident set size (Linux), or "unknown".
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
