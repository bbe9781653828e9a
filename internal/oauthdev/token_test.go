package oauthdev

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestCodeRedemptionRejects(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	ctx := context.Background()

	t.Run("wrong verifier burns the code", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		if _, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); errorCode(err) != "invalid_grant" {
			t.Errorf("wrong verifier: %v", err)
		}
		if _, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
			t.Errorf("the right verifier after a wrong one: %v", err)
		}
	})
	t.Run("no verifier", func(t *testing.T) {
		code := f.authorize(oauth2.GenerateVerifier()).Get("code")
		if _, err := f.cfg.Exchange(ctx, code); errorCode(err) != "invalid_request" {
			t.Errorf("no verifier: %v", err)
		}
	})
	t.Run("plain verifier equal to the challenge", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		plain := oauth2.S256ChallengeFromVerifier(verifier) // what a downgraded client would send
		if _, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(plain)); errorCode(err) != "invalid_grant" {
			t.Errorf("challenge sent as verifier: %v", err)
		}
	})
	t.Run("code reuse revokes its tokens", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		tok, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
			t.Errorf("second redemption: %v", err)
		}
		if status, _ := f.me(tok.AccessToken); status != http.StatusUnauthorized {
			t.Errorf("access token after code reuse: status %d, want 401", status)
		}
		if _, err := f.refresh(tok.RefreshToken); errorCode(err) != "invalid_grant" {
			t.Errorf("refresh token after code reuse: %v", err)
		}
	})
	t.Run("wrong redirect_uri", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		other := *f.cfg
		other.RedirectURL = "http://127.0.0.1:9/oauth/callback"
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
			t.Errorf("redirect_uri without the registered query: %v", err)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		f.clock.Advance(2*time.Minute + time.Second)
		if _, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
			t.Errorf("expired code: %v", err)
		}
	})
	t.Run("code of another client", func(t *testing.T) {
		if err := f.srv.RegisterClient(Client{ID: "other", Secret: "other-secret", RedirectURIs: []string{redirectURI}}); err != nil {
			t.Fatal(err)
		}
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		other := *f.cfg
		other.ClientID, other.ClientSecret = "other", "other-secret"
		if _, err := other.Exchange(ctx, code, oauth2.VerifierOption(verifier)); errorCode(err) != "invalid_grant" {
			t.Errorf("another client's code: %v", err)
		}
	})
}

func TestTokenEndpointRejectsMalformedRequests(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	grant := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"odr_unknown"}}
	withClient := func(extra url.Values) url.Values {
		v := url.Values{"client_id": {clientID}, "client_secret": {clientSecret}}
		for k, vals := range grant {
			v[k] = vals
		}
		for k, vals := range extra {
			v[k] = append(v[k], vals...)
		}
		return v
	}
	for _, c := range []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		code       string
	}{
		{"wrong secret in body", url.Values{"client_id": {clientID}, "client_secret": {"nope"}, "grant_type": {"refresh_token"}}, "", "", 401, "invalid_client"},
		{"wrong secret in header", grant, clientID, "nope", 401, "invalid_client"},
		{"unknown client", grant, "nobody", "x", 401, "invalid_client"},
		{"no client authentication", grant, "", "", 401, "invalid_client"},
		{"two authentication methods", url.Values{"client_secret": {clientSecret}, "grant_type": {"refresh_token"}}, clientID, clientSecret, 400, "invalid_request"},
		{"repeated parameter", withClient(url.Values{"grant_type": {"refresh_token"}}), "", "", 400, "invalid_request"},
		{"unsupported grant", url.Values{"client_id": {clientID}, "client_secret": {clientSecret}, "grant_type": {"password"}}, "", "", 400, "unsupported_grant_type"},
		{"no grant type", url.Values{"client_id": {clientID}, "client_secret": {clientSecret}}, "", "", 400, "invalid_request"},
		{"unknown refresh token", withClient(nil), "", "", 400, "invalid_grant"},
	} {
		status, code, h := f.post(PathToken, c.form, c.user, c.pass)
		if status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
		if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
			t.Errorf("%s: headers %v", c.name, h)
		}
		if wantBasic := c.status == 401 && c.user != ""; (h.Get("WWW-Authenticate") != "") != wantBasic {
			t.Errorf("%s: WWW-Authenticate %q", c.name, h.Get("WWW-Authenticate"))
		}
	}

	for name, build := range map[string]func() *http.Request{
		"query parameters": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL()+PathToken+"?"+withClient(nil).Encode(), strings.NewReader(withClient(nil).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		},
		"JSON body": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL()+PathToken, strings.NewReader(`{"grant_type":"refresh_token"}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
	} {
		resp, err := f.http.Do(build())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, resp.StatusCode)
		}
	}
	if resp := f.get(f.srv.URL() + PathToken); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /token: status %d, want 405", resp.StatusCode)
	}
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInParams)
	first := f.connect()
	second, err := f.refresh(first.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("refresh did not rotate: %+v", second)
	}
	if f.srv.RefreshCalls(clientID) != 1 || f.srv.TokenCalls(clientID) != 2 {
		t.Errorf("refresh calls %d, token calls %d; want 1, 2", f.srv.RefreshCalls(clientID), f.srv.TokenCalls(clientID))
	}
	if status, _ := f.me(second.AccessToken); status != http.StatusOK {
		t.Errorf("new access token: status %d", status)
	}

	// Replaying the old refresh token is theft or a race: the family dies.
	if _, err := f.refresh(first.RefreshToken); errorCode(err) != "invalid_grant" {
		t.Fatalf("reusing a rotated refresh token: %v", err)
	}
	if _, err := f.refresh(second.RefreshToken); errorCode(err) != "invalid_grant" {
		t.Errorf("the current refresh token after reuse detection: %v", err)
	}
	if status, _ := f.me(second.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token after reuse detection: status %d, want 401", status)
	}
	if f.srv.RefreshCalls(clientID) != 3 {
		t.Errorf("refresh calls %d, want 3", f.srv.RefreshCalls(clientID))
	}
}

// TestConcurrentRefreshesOfOneToken shows why Oriel must refresh once: of
// concurrent refreshes with the same rotating token, one wins and the
// others' reuse revokes the grant.
func TestConcurrentRefreshesOfOneToken(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	tok := f.connect()
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.refresh(tok.RefreshToken)
			mu.Lock()
			defer mu.Unlock()
			outcomes[errorCode(err)]++
		}()
	}
	wg.Wait()
	if outcomes[""] != 1 || outcomes["invalid_grant"] != 9 || f.srv.RefreshCalls(clientID) != 10 {
		t.Errorf("outcomes %v, refresh calls %d; want 1 success and 9 invalid_grant of 10", outcomes, f.srv.RefreshCalls(clientID))
	}
}

func TestTokenExpiry(t *testing.T) {
	f := newFixture(t, Options{AccessTokenTTL: time.Minute, RefreshTokenTTL: time.Hour}, oauth2.AuthStyleInHeader)
	tok := f.connect()
	f.clock.Advance(59 * time.Second)
	if status, _ := f.me(tok.AccessToken); status != http.StatusOK {
		t.Errorf("access token after 59 s: status %d", status)
	}
	f.clock.Advance(time.Second)
	req, _ := http.NewRequest("GET", f.srv.URL()+PathMe, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("expired access token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	fresh, err := f.refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after access token expiry: %v", err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.refresh(fresh.RefreshToken); errorCode(err) != "invalid_grant" {
		t.Errorf("refresh past the grant's absolute lifetime: %v", err)
	}
	if status, _ := f.me(""); status != http.StatusUnauthorized {
		t.Errorf("no token: status %d", status)
	}
}

func TestRevocation(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	tok := f.connect()
	revoke := func(token, user, pass string) (int, string) {
		status, code, _ := f.post(PathRevoke, url.Values{"token": {token}, "token_type_hint": {"access_token"}}, user, pass)
		return status, code
	}
	if status, _ := revoke(tok.AccessToken, clientID, clientSecret); status != http.StatusOK {
		t.Fatalf("revoking the access token: %d", status)
	}
	if status, _ := f.me(tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("revoked access token: status %d", status)
	}
	fresh, err := f.refresh(tok.RefreshToken)
	if err != nil {
		t.Fatalf("the refresh token should survive revoking an access token: %v", err)
	}

	if err := f.srv.RegisterClient(Client{ID: "other", Secret: "other-secret", RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	if status, code := revoke(fresh.RefreshToken, "other", "other-secret"); status != http.StatusBadRequest || code != "invalid_request" {
		t.Errorf("revoking another client's token: %d %s", status, code)
	}
	if status, code := revoke(fresh.RefreshToken, clientID, "wrong"); status != http.StatusUnauthorized || code != "invalid_client" {
		t.Errorf("revoking with a wrong secret: %d %s", status, code)
	}
	if status, _ := revoke(fresh.RefreshToken, clientID, clientSecret); status != http.StatusOK {
		t.Fatalf("revoking the refresh token: %d", status)
	}
	if _, err := f.refresh(fresh.RefreshToken); errorCode(err) != "invalid_grant" {
		t.Errorf("revoked refresh token: %v", err)
	}
	if status, _ := f.me(fresh.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("access token of a revoked grant: status %d", status)
	}
	if status, _ := revoke("oda_never-issued", clientID, clientSecret); status != http.StatusOK {
		t.Errorf("revoking an unknown token: %d, want 200 (RFC 7009)", status)
	}
	if got := f.srv.RevokeCalls(clientID); got != 4 {
		t.Errorf("revoke calls %d, want 4", got)
	}
}
