package oauthdev

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/logtest"
	"golang.org/x/oauth2"
)

// Test client registered by newFixture.
const (
	clientID     = "crm-connector"
	clientSecret = "s3cret/with+chars&=" // exercises form-urlencoding in Basic auth
	redirectURI  = "http://127.0.0.1:9/oauth/callback?from=test"
	testState    = "st-0123456789abcdef-☃"
)

// fixture is a running server with one client and an x/oauth2 config for it.
type fixture struct {
	t     *testing.T
	srv   *Server
	clock *logtest.Clock
	cfg   *oauth2.Config
	http  *http.Client // follows no redirects
}

// newFixture starts a server that approves consent at once, with a settable
// clock and client auth style style.
func newFixture(t *testing.T, opts Options, style oauth2.AuthStyle) *fixture {
	t.Helper()
	c := logtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.Consent == ConsentAsk {
		opts.Consent = ConsentApprove
	}
	srv := NewTestServer(t, opts)
	if err := srv.RegisterClient(Client{ID: clientID, Secret: clientSecret, Name: "Acme Analytics", RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{
		t: t, srv: srv, clock: c,
		cfg: &oauth2.Config{
			ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURI,
			Scopes:   []string{"contacts.read", "offline_access"},
			Endpoint: oauth2.Endpoint{AuthURL: srv.URL() + PathAuthorize, TokenURL: srv.URL() + PathToken, AuthStyle: style},
		},
		http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// authorize makes an authorization request with a PKCE S256 challenge for
// verifier and returns the parameters of the redirect back to the client.
func (f *fixture) authorize(verifier string, opts ...oauth2.AuthCodeOption) url.Values {
	f.t.Helper()
	opts = append(opts, oauth2.S256ChallengeOption(verifier))
	return f.redirectParams(f.get(f.cfg.AuthCodeURL(testState, opts...)))
}

// get fetches raw without following redirects.
func (f *fixture) get(raw string) *http.Response {
	f.t.Helper()
	resp, err := f.http.Get(raw)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// redirectParams checks that resp redirects to the client's redirect URI
// and returns the query there.
func (f *fixture) redirectParams(resp *http.Response) url.Values {
	f.t.Helper()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		f.t.Fatalf("status %d, want a redirect; body %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), "http://127.0.0.1:9/oauth/callback?") {
		f.t.Fatalf("redirected to %q, want the registered redirect URI", resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("from") != "test" {
		f.t.Errorf("the redirect URI's own query was lost: %v", q)
	}
	return q
}

// connect runs the whole authorization code flow and returns the token.
func (f *fixture) connect() *oauth2.Token {
	f.t.Helper()
	verifier := oauth2.GenerateVerifier()
	q := f.authorize(verifier)
	tok, err := f.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		f.t.Fatalf("Exchange: %v", err)
	}
	return tok
}

// refresh redeems a refresh token through x/oauth2.
func (f *fixture) refresh(refreshToken string) (*oauth2.Token, error) {
	return f.refreshCtx(context.Background(), refreshToken)
}

func (f *fixture) refreshCtx(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	expired := &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}
	return f.cfg.TokenSource(ctx, expired).Token()
}

// me calls the protected resource with an access token and returns the
// status and the decoded body.
func (f *fixture) me(accessToken string) (int, map[string]string) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL()+PathMe, nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// post sends a form to path, with HTTP Basic credentials when user is set,
// and returns the status and OAuth error code.
func (f *fixture) post(path string, form url.Values, user, pass string) (int, string, http.Header) {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error, resp.Header
}

// errorCode returns the OAuth error code of an x/oauth2 error, or "".
func errorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}
