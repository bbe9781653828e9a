package oauthdev

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	for name, style := range map[string]oauth2.AuthStyle{
		"client_secret_basic": oauth2.AuthStyleInHeader,
		"client_secret_post":  oauth2.AuthStyleInParams,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{AccessTokenTTL: time.Minute}, style)
			if err := f.srv.RegisterClient(Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, TokenAuthMethod: name}); err != nil {
				t.Fatal(err)
			}
			verifier := oauth2.GenerateVerifier()
			q := f.authorize(verifier)
			if q.Get("state") != testState || q.Get("iss") != f.srv.URL() || q.Get("code") == "" {
				t.Fatalf("authorization response %v: want the code, the state untouched and iss %s", q, f.srv.URL())
			}
			tok, err := f.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" ||
				tok.ExpiresIn != 60 || tok.Extra("scope") != "contacts.read offline_access" {
				t.Errorf("token %+v scope %v", tok, tok.Extra("scope"))
			}
			status, body := f.me(tok.AccessToken)
			if status != http.StatusOK || body["sub"] != userID || body["client_id"] != clientID {
				t.Errorf("GET /api/me = %d %v", status, body)
			}
			if f.srv.TokenCalls(clientID) != 1 || f.srv.RefreshCalls(clientID) != 0 {
				t.Errorf("token calls %d, refresh calls %d; want 1, 0", f.srv.TokenCalls(clientID), f.srv.RefreshCalls(clientID))
			}
		})
	}
}

func TestClientAuthMethodIsEnforced(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInParams)
	if err := f.srv.RegisterClient(Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, TokenAuthMethod: authBasic}); err != nil {
		t.Fatal(err)
	}
	verifier := oauth2.GenerateVerifier()
	_, err := f.cfg.Exchange(context.Background(), f.authorize(verifier).Get("code"), oauth2.VerifierOption(verifier))
	if errorCode(err) != "invalid_client" {
		t.Errorf("client_secret_post for a client_secret_basic client: %v", err)
	}
}

func TestReducedScope(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	if err := f.srv.RegisterClient(Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}, Scopes: []string{"contacts.read"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.connect().Extra("scope"); got != "contacts.read" {
		t.Errorf("granted scope %v, want only contacts.read", got)
	}
}

func TestConsentPage(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	f.srv.SetConsent(ConsentAsk)
	verifier := oauth2.GenerateVerifier()

	open := func() (requestID, csrf string, cookie *http.Cookie) {
		t.Helper()
		resp := f.get(f.cfg.AuthCodeURL(testState, oauth2.S256ChallengeOption(verifier)))
		page, _ := io.ReadAll(resp.Body)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("consent page: status %d, headers %v", resp.StatusCode, h)
		}
		for _, want := range []string{"Acme Analytics wants access to your Demo CRM account", "See your contacts and companies", ">Approve<", ">Deny<"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("consent page lacks %q", want)
			}
		}
		field := func(name string) string {
			m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindSubmatch(page)
			if m == nil {
				t.Fatalf("consent page has no %s", name)
			}
			return string(m[1])
		}
		for _, c := range resp.Cookies() {
			if c.Name == csrfCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
			t.Fatalf("CSRF cookie %+v", cookie)
		}
		return field("request_id"), field("csrf_token"), cookie
	}
	decide := func(requestID, csrf string, cookie *http.Cookie, decision string) *http.Response {
		t.Helper()
		form := url.Values{"request_id": {requestID}, "csrf_token": {csrf}, "decision": {decision}}
		req, _ := http.NewRequest("POST", f.srv.URL()+PathConsent, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := f.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	id, csrf, cookie := open()
	q := f.redirectParams(decide(id, csrf, cookie, "approve"))
	if q.Get("state") != testState || q.Get("iss") != f.srv.URL() {
		t.Errorf("approval redirect %v", q)
	}
	if _, err := f.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Errorf("exchanging the approved code: %v", err)
	}
	if resp := decide(id, csrf, cookie, "approve"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed decision: status %d, want 400", resp.StatusCode)
	}

	id, csrf, cookie = open()
	if q := f.redirectParams(decide(id, csrf, cookie, "deny")); q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != testState {
		t.Errorf("denial redirect %v", q)
	}

	for name, tamper := range map[string]func(id, csrf string, c *http.Cookie) (string, string, *http.Cookie){
		"no cookie":  func(id, csrf string, _ *http.Cookie) (string, string, *http.Cookie) { return id, csrf, nil },
		"wrong csrf": func(id, _ string, c *http.Cookie) (string, string, *http.Cookie) { return id, "forged", c },
		"cookie from another page": func(id, csrf string, _ *http.Cookie) (string, string, *http.Cookie) {
			_, _, other := open()
			return id, csrf, other
		},
	} {
		id, csrf, cookie := tamper(open())
		if resp := decide(id, csrf, cookie, "approve"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, want 403 and no redirect", name, resp.StatusCode)
		}
	}
}

func TestConsentDenyMode(t *testing.T) {
	f := newFixture(t, Options{Consent: ConsentDeny}, oauth2.AuthStyleInHeader)
	q := f.authorize(oauth2.GenerateVerifier())
	if q.Get("error") != "access_denied" || q.Get("state") != testState || q.Get("iss") != f.srv.URL() {
		t.Errorf("denied authorization response %v", q)
	}
}

func TestAuthorizeRejectsBadRequests(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	good := url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "state": {testState},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "scope": {"contacts.read"},
	}
	with := func(change func(url.Values)) string {
		q := url.Values{}
		for k, v := range good {
			q[k] = append([]string(nil), v...)
		}
		change(q)
		return f.srv.URL() + PathAuthorize + "?" + q.Encode()
	}

	// Errors about the client or redirect URI are shown, never redirected.
	for name, change := range map[string]func(url.Values){
		"unknown client":           func(q url.Values) { q.Set("client_id", "nobody") },
		"no redirect_uri":          func(q url.Values) { q.Del("redirect_uri") },
		"redirect_uri with slash":  func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:9/oauth/callback/?from=test") },
		"redirect_uri other port":  func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:10/oauth/callback?from=test") },
		"redirect_uri extra query": func(q url.Values) { q.Set("redirect_uri", redirectURI+"&evil=1") },
		"redirect_uri elsewhere":   func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
		"redirect_uri repeated":    func(q url.Values) { q.Add("redirect_uri", "https://evil.example/cb") },
	} {
		resp := f.get(with(change))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q; want 400 without redirect", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// Other errors go back to the client, with the state and iss.
	for name, c := range map[string]struct {
		change func(url.Values)
		want   string
	}{
		"no PKCE":               {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		"plain PKCE":            {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		"PKCE method omitted":   {func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
		"short challenge":       {func(q url.Values) { q.Set("code_challenge", challenge[:42]) }, "invalid_request"},
		"implicit grant":        {func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
		"unknown scope":         {func(q url.Values) { q.Set("scope", "contacts.read admin") }, "invalid_scope"},
		"repeated parameter":    {func(q url.Values) { q.Add("scope", "deals.read") }, "invalid_request"},
		"missing response_type": {func(q url.Values) { q.Del("response_type") }, "unsupported_response_type"},
	} {
		q := f.redirectParams(f.get(with(c.change)))
		if q.Get("error") != c.want || q.Get("code") != "" || q.Get("state") != testState || q.Get("iss") != f.srv.URL() {
			t.Errorf("%s: redirect %v, want error %s with state and iss", name, q, c.want)
		}
	}
}

func TestIssParam(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	f.srv.SetIssParam(IssParamOmitted)
	if q := f.authorize(oauth2.GenerateVerifier()); q.Has("iss") || q.Get("code") == "" {
		t.Errorf("IssParamOmitted: %v", q)
	}
	f.srv.SetIssParam(IssParamForeign)
	if q := f.authorize(oauth2.GenerateVerifier()); q.Get("iss") != ForeignIssuer {
		t.Errorf("IssParamForeign: %v", q)
	}
}

func TestMetadata(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	resp := f.get(f.srv.URL() + PathMetadata)
	var md map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	base := f.srv.URL()
	for key, want := range map[string]any{
		"issuer": base, "authorization_endpoint": base + PathAuthorize, "token_endpoint": base + PathToken,
		"revocation_endpoint": base + PathRevoke, "authorization_response_iss_parameter_supported": true,
	} {
		if md[key] != want {
			t.Errorf("%s = %v, want %v", key, md[key], want)
		}
	}
	if methods, _ := md["code_challenge_methods_supported"].([]any); len(methods) != 1 || methods[0] != "S256" {
		t.Errorf("code_challenge_methods_supported = %v, want only S256", md["code_challenge_methods_supported"])
	}
}

func TestStartStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := New(Options{})
	base, stop, err := srv.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(base, "http://127.0.0.1:") || srv.Issuer() != base {
		t.Errorf("base URL %q, issuer %q", base, srv.Issuer())
	}
	resp, err := http.Get(base + PathMetadata)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %v, %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(base + PathMetadata)
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still answers after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop() // idempotent
}

func TestIssuerFromRequestHost(t *testing.T) {
	srv := New(Options{Consent: ConsentApprove})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.RegisterClient(Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ts.URL + PathMetadata)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md struct{ Issuer string }
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil || md.Issuer != ts.URL {
		t.Errorf("issuer %q, %v; want %q", md.Issuer, err, ts.URL)
	}
}

func TestRegisterClientValidates(t *testing.T) {
	srv := New(Options{})
	for name, c := range map[string]Client{
		"no secret":           {ID: "a", RedirectURIs: []string{redirectURI}},
		"no redirect URI":     {ID: "a", Secret: "s"},
		"relative redirect":   {ID: "a", Secret: "s", RedirectURIs: []string{"/callback"}},
		"redirect fragment":   {ID: "a", Secret: "s", RedirectURIs: []string{"https://app.example/cb#x"}},
		"custom scheme":       {ID: "a", Secret: "s", RedirectURIs: []string{"javascript:alert(1)"}},
		"unknown auth method": {ID: "a", Secret: "s", RedirectURIs: []string{redirectURI}, TokenAuthMethod: "private_key_jwt"},
	} {
		if err := srv.RegisterClient(c); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
}
