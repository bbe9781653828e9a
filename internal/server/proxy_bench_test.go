package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// TestProxyAddedLatency measures, and prints, what the proxy adds to a
// call of the in-repo provider's API: the median and 99th percentile of
// GET /api/me called directly with the access token, and through
// /v1/connections/{id}/proxy/me with the API key, interleaved, over real
// loopback HTTP. It asserts nothing about time (run with -v to see it):
//
//	go test ./internal/server -run TestProxyAddedLatency -count=1 -v
func TestProxyAddedLatency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		const calls = 300
		w := newProxyWorld(t, s, func(c *Config) { c.APIRate = PerMinute(100_000) })
		srv := httptest.NewServer(w.srv)
		t.Cleanup(srv.Close)
		token := w.storedCredentials().AccessToken
		direct := getWithAuth(t, w.idp.URL()+oauthdev.PathMe, "Bearer "+token)
		proxied := getWithAuth(t, srv.URL+"/v1/connections/"+w.crm.ID+"/proxy/me", "Bearer "+w.secret)
		var d, p []time.Duration
		for range calls {
			d = append(d, timeCall(t, direct))
			p = append(p, timeCall(t, proxied))
		}
		dm, dp := percentiles(d)
		pm, pp := percentiles(p)
		t.Logf("%d calls each: direct median %s p99 %s; through the proxy median %s p99 %s; added median %s p99 %s",
			calls, dm, dp, pm, pp, pm-dm, pp-dp)
	})
}

// getWithAuth returns a GET of url with the Authorization header auth.
func getWithAuth(t *testing.T, url, auth string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	must(t, err)
	req.Header.Set("Authorization", auth)
	return req
}

// timeCall sends req, reads the whole answer and returns how long it took.
func timeCall(t *testing.T, req *http.Request) time.Duration {
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s answered %d", req.URL.Path, resp.StatusCode)
	}
	return time.Since(start)
}

// percentiles returns the median and the 99th percentile of ds.
func percentiles(ds []time.Duration) (median, p99 time.Duration) {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2], s[len(s)*99/100]
}
