package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestBoundedClientCapsBodies checks the 1 MiB cap with and without a
// Content-Length, and that a body of exactly the cap passes (H15).
func TestBoundedClientCapsBodies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int
		chunked bool
		wantErr bool
	}{
		{"at cap", MaxResponseBytes, false, false},
		{"over cap with length", MaxResponseBytes + 1, false, true},
		{"over cap chunked", MaxResponseBytes + 1, true, true},
		{"far over cap chunked", 20 * MaxResponseBytes, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.chunked {
					w.(http.Flusher).Flush() // no Content-Length
				}
				w.Write([]byte(strings.Repeat("a", tc.size)))
			}))
			defer srv.Close()
			resp, err := bound(srv.Client()).Get(srv.URL)
			if tc.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err = %v, want ErrResponseTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		})
	}
}

// TestBoundedClientFollowsNoRedirects checks that a provider cannot send a
// request (and the secret it carries) elsewhere.
func TestBoundedClientFollowsNoRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	resp, err := bound(srv.Client()).Post(srv.URL, "text/plain", strings.NewReader("secret"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || elsewhere.Load() != 0 {
		t.Fatalf("status %d, redirect target hit %d times", resp.StatusCode, elsewhere.Load())
	}
}

// TestBoundedClientTimesOut checks that a slow provider cannot hold a request (H14).
func TestBoundedClientTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		<-release // a body that never ends
	}))
	defer srv.Close()
	defer close(release)
	c := srv.Client()
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := bound(c).Get(srv.URL)
	if err == nil || !transient(err) { // only the client's timeout can end the endless body
		t.Fatalf("err = %v after %v, want a transient timeout", err, time.Since(start))
	}
}

// TestRetryBounds checks that transient failures are retried a bounded
// number of times and permanent ones not at all.
func TestRetryBounds(t *testing.T) {
	status := func(code int) error {
		return &oauth2.RetrieveError{Response: &http.Response{StatusCode: code}}
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"5xx", status(502), retryAttempts},
		{"429", status(429), retryAttempts},
		{"invalid_grant", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant"}, 1},
		{"too large", ErrResponseTooLarge, 1},
		{"ok", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := retry(context.Background(), func() error { calls++; return tc.err })
			if calls != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("calls = %d (want %d), err = %v", calls, tc.want, err)
			}
		})
	}
}
