package connect_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// nearExpiry moves the engines' clock so that the token oauthdev issued
// (valid for an hour) expires within connect.RefreshWindow.
const nearExpiry = time.Hour - connect.RefreshWindow + time.Minute

// fetchConcurrently calls Credentials n times on each engine at once and
// returns the access tokens they got.
func fetchConcurrently(t *testing.T, w *world, engines []*connect.Engine, n int) []string {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var tokens []string
	start := make(chan struct{})
	for _, e := range engines {
		for range n {
			wg.Go(func() {
				<-start
				cred, err := e.Credentials(context.Background(), w.vendorID, w.conn.ID)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				tokens = append(tokens, cred.AccessToken)
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	return tokens
}

// checkRefreshedOnce checks that every caller got the one new token the
// provider issued in its single refresh, and that it was stored.
func checkRefreshedOnce(t *testing.T, w *world, old string, tokens []string) {
	t.Helper()
	if n := w.idp.RefreshCalls(clientID); n != 1 {
		t.Fatalf("the provider saw %d refresh requests, want exactly 1", n)
	}
	stored := w.storedCredentials().AccessToken
	for _, tok := range tokens {
		if tok != stored || tok == old {
			t.Fatalf("a caller got another token than the refreshed one")
		}
	}
	if !w.tokenWorks(stored) {
		t.Fatal("the refreshed token does not work")
	}
}

// TestCredentialsRefreshOnce: 20 concurrent callers of an expiring
// connection cause exactly one refresh (H12, one process).
func TestCredentialsRefreshOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		old := w.storedCredentials().AccessToken
		w.clock.Advance(nearExpiry)
		// Slow the refresh down so that every caller arrives while it runs.
		w.idp.InjectFault(oauthdev.Fault{Grant: "refresh_token", Delay: 200 * time.Millisecond})
		tokens := fetchConcurrently(t, w, []*connect.Engine{w.engine}, 20)
		checkRefreshedOnce(t, w, old, tokens)
		// The fresh token is used as it is.
		tokens = fetchConcurrently(t, w, []*connect.Engine{w.engine}, 5)
		checkRefreshedOnce(t, w, old, tokens)
	})
}

// TestCredentialsRefreshOnceAcrossReplicas: two engines, each with its own
// store on one PostgreSQL database like two replicas, and 10 concurrent
// callers on each, cause exactly one refresh (H12): the database lease
// decides and the loser re-reads the winner's token. Two engines on one
// SQLite store check the same lease there.
func TestCredentialsRefreshOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, s1, s2 *store.SQL) {
		w := newWorld(t, s1, oauthdev.Options{})
		s2.UseKeyring(w.keys)
		w.connect()
		old := w.storedCredentials().AccessToken
		w.clock.Advance(nearExpiry)
		w.idp.InjectFault(oauthdev.Fault{Grant: "refresh_token", Delay: 300 * time.Millisecond})
		tokens := fetchConcurrently(t, w, []*connect.Engine{w.engine, w.newEngine(s2)}, 10)
		checkRefreshedOnce(t, w, old, tokens)
	}
	t.Run("postgres", func(t *testing.T) {
		dbURL := storetest.PostgresURL(t)
		s1, s2 := openStore(t, dbURL), openStore(t, dbURL)
		run(t, s1, s2)
	})
	t.Run("sqlite", func(t *testing.T) {
		s := storetest.SQLite(t)
		run(t, s, s)
	})
}

// openStore opens a store on url, closed at cleanup.
func openStore(t *testing.T, url string) *store.SQL {
	s, err := store.Open(context.Background(), url, nil)
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRefreshRotation: with a rotating provider, the new refresh token is
// stored and used by the next refresh (H11); reusing the old one would
// make oauthdev revoke the grant.
func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		seen := []string{w.storedCredentials().RefreshToken}
		for range 3 {
			w.clock.Advance(nearExpiry)
			cred, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
			must(t, err)
			stored := w.storedCredentials()
			if slices.Contains(seen, stored.RefreshToken) || stored.AccessToken != cred.AccessToken {
				t.Fatal("the rotated refresh token was not stored")
			}
			seen = append(seen, stored.RefreshToken)
		}
		if n := w.idp.RefreshCalls(clientID); n != 3 || w.connection().Status != oriel.StatusConnected {
			t.Fatalf("%d refreshes, status %s", n, w.connection().Status)
		}
		if got := w.events(); len(got) != 2 {
			t.Fatalf("refreshes recorded events: %v", got)
		}
	})
}

// TestRefreshInvalidGrant: a refresh token the provider refuses puts the
// connection in error, records connection.error, keeps the credentials,
// and is not retried (H13).
func TestRefreshInvalidGrant(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		w.clock.Advance(nearExpiry)
		w.idp.InjectFault(oauthdev.Fault{Grant: "refresh_token", Error: "invalid_grant"})
		for range 3 {
			_, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
			wantCode(t, err, connect.CodeReauthorizationRequired)
		}
		c := w.connection()
		if c.Status != oriel.StatusError || c.LastError == "" || w.idp.RefreshCalls(clientID) != 1 {
			t.Fatalf("status %s (%q) after %d refreshes", c.Status, c.LastError, w.idp.RefreshCalls(clientID))
		}
		if got := w.events(); !slices.Equal(got, []string{oriel.EventConnectionCreated, oriel.EventConnectionConnected, oriel.EventConnectionError}) {
			t.Fatalf("events %v", got)
		}
		w.storedCredentials() // kept

		// Connecting again repairs it.
		w.clock.Advance(-nearExpiry)
		if res := w.connect(); !res.Event.Connected {
			t.Fatalf("reconnect: %+v", res)
		}
		_, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
		must(t, err)
	})
}

// TestRefreshProviderDown: 5xx answers and timeouts are retried a bounded
// number of times; the credentials are kept, the current token is returned
// while it is valid and an error once it has expired, and a later call
// refreshes (H14).
func TestRefreshProviderDown(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.engine.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
		w.connect()
		before := w.storedCredentials()
		failing := func(f oauthdev.Fault, wantErr bool) {
			t.Helper()
			f.Grant, f.Times = "refresh_token", 3
			calls := w.idp.RefreshCalls(clientID)
			w.idp.InjectFault(f)
			start := time.Now()
			cred, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
			if wantErr {
				wantCode(t, err, connect.CodeProviderUnavailable)
			} else if err != nil || cred.AccessToken != before.AccessToken {
				t.Fatalf("%+v: %v; want the current token", f, err)
			}
			if n := w.idp.RefreshCalls(clientID) - calls; n != 3 {
				t.Fatalf("%+v: %d attempts in %v, want 3", f, n, time.Since(start))
			}
			if w.storedCredentials().RefreshToken != before.RefreshToken || w.connection().Status != oriel.StatusConnected {
				t.Fatal("a failed refresh changed the connection")
			}
		}
		w.clock.Advance(nearExpiry)
		failing(oauthdev.Fault{Status: 503}, false)
		failing(oauthdev.Fault{Delay: 2 * time.Second}, false)
		w.clock.Advance(connect.RefreshWindow)
		failing(oauthdev.Fault{Status: 502}, true)

		cred, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
		must(t, err)
		if cred.AccessToken == before.AccessToken {
			t.Fatal("not refreshed once the provider is back")
		}
	})
}

// TestCredentialsWithoutRefreshToken: a token that cannot be refreshed is
// used until it expires, then the connection needs reauthorization.
func TestCredentialsWithoutRefreshToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), oauthdev.Options{})
	w.idp.InjectFault(oauthdev.Fault{Grant: "authorization_code", OmitRefreshToken: true})
	w.connect()
	w.clock.Advance(nearExpiry)
	_, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
	must(t, err)
	w.clock.Advance(connect.RefreshWindow)
	_, err = w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
	wantCode(t, err, connect.CodeReauthorizationRequired)
	if w.connection().Status != oriel.StatusError || w.idp.RefreshCalls(clientID) != 0 {
		t.Fatalf("status %s, %d refreshes", w.connection().Status, w.idp.RefreshCalls(clientID))
	}
}

// TestCredentialsOfDisconnected: a connection without credentials says so.
func TestCredentialsOfDisconnected(t *testing.T) {
	t.Parallel()
	w := newWorld(t, storetest.SQLite(t), oauthdev.Options{})
	_, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
	wantCode(t, err, connect.CodeNotConnected)
	_, err = w.engine.Credentials(context.Background(), "another-vendor", w.conn.ID)
	if oriel.ErrorKind(err) != oriel.ENOTFOUND {
		t.Fatalf("another vendor's connection: %v", err)
	}
}

// TestRefresher: a background pass refreshes tokens expiring within Ahead
// (before Credentials would), once, and leaves fresh ones alone.
func TestRefresher(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.connect()
		r := &connect.Refresher{Engine: w.engine, Ahead: 10 * time.Minute, Interval: 20 * time.Millisecond}
		ctx := context.Background()
		if n, err := r.RefreshDue(ctx); err != nil || n != 0 || w.idp.RefreshCalls(clientID) != 0 {
			t.Fatalf("fresh token: %d, %v", n, err)
		}
		w.clock.Advance(time.Hour - 8*time.Minute)
		if n, err := r.RefreshDue(ctx); err != nil || n != 1 || w.idp.RefreshCalls(clientID) != 1 {
			t.Fatalf("expiring token: %d, %v, %d refreshes", n, err, w.idp.RefreshCalls(clientID))
		}
		// Run makes passes until its context ends.
		w.clock.Advance(time.Hour - 8*time.Minute)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- r.Run(runCtx) }()
		deadline := time.Now().Add(5 * time.Second)
		for w.idp.RefreshCalls(clientID) < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil || w.idp.RefreshCalls(clientID) != 2 {
			t.Fatalf("Run: %v, %d refreshes", err, w.idp.RefreshCalls(clientID))
		}
	})
}
