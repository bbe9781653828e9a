package connect_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// TestOAuthConnects runs the authorization code flow with PKCE against
// oauthdev and checks the request (H01), the stored credentials and the
// result the widget gets.
func TestOAuthConnects(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		authURL := w.begin()
		u, err := url.Parse(authURL)
		must(t, err)
		q := u.Query()
		state, err := base64.RawURLEncoding.DecodeString(q.Get("state"))
		switch {
		case err != nil || len(state) < 16:
			t.Errorf("state %q is not at least 128 random bits", q.Get("state"))
		case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
			t.Errorf("PKCE: method %q, challenge %q", q.Get("code_challenge_method"), q.Get("code_challenge"))
		case q.Get("redirect_uri") != publicURL+"/oauth/callback" || w.engine.RedirectURI() != publicURL+"/oauth/callback":
			t.Errorf("redirect_uri %q", q.Get("redirect_uri"))
		case q.Get("scope") != "contacts.read offline_access" || q.Get("response_type") != "code" || q.Get("client_id") != clientID:
			t.Errorf("authorization request %v", q)
		}
		if w.begin() == authURL {
			t.Error("two authorizations share a state")
		}

		res, err := w.engine.CompleteOAuth(context.Background(), sessionID, w.authorize(authURL))
		must(t, err)
		want := connect.StatusEvent{ID: w.conn.ID, Provider: "oauth2", Connected: true}
		if res.Origin != widgetOrigin || res.Event != want || res.Connection.Status != oriel.StatusConnected || len(res.Warnings) != 0 {
			t.Fatalf("result %+v", res)
		}
		cred, err := w.engine.Credentials(context.Background(), w.vendorID, w.conn.ID)
		must(t, err)
		if !w.tokenWorks(cred.AccessToken) || cred.RefreshToken != "" || w.storedCredentials().RefreshToken == "" || cred.TokenType != "Bearer" ||
			!slices.Equal(cred.Scopes, []string{"contacts.read", "offline_access"}) ||
			cred.Expiry.Sub(time.Now()) < 59*time.Minute {
			t.Fatalf("credentials %+v", cred)
		}
		if got := w.events(); !slices.Equal(got, []string{oriel.EventConnectionCreated, oriel.EventConnectionConnected}) {
			t.Fatalf("events %v", got)
		}
		if n := w.idp.TokenCalls(clientID); n != 1 {
			t.Fatalf("%d token requests, want 1", n)
		}
	})
}

// TestCallbackRejectsState checks that a callback without a valid state of
// this session is refused before the provider is contacted (H02, H03).
func TestCallbackRejectsState(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		ctx := context.Background()
		callback := w.authorize(w.begin())
		with := func(key, value string) url.Values {
			q := url.Values{}
			for k, v := range callback {
				q[k] = slices.Clone(v)
			}
			q.Set(key, value)
			return q
		}
		cases := []struct {
			name    string
			session string
			query   url.Values
		}{
			{"missing state", sessionID, with("state", "")},
			{"wrong state", sessionID, with("state", strings.Repeat("A", 43))},
			{"repeated state", sessionID, url.Values{"state": {callback.Get("state"), callback.Get("state")}, "code": {callback.Get("code")}}},
			{"no session", "", callback},
		}
		for _, tc := range cases {
			res, err := w.engine.CompleteOAuth(ctx, tc.session, tc.query)
			if oriel.ErrorCode(err) != connect.CodeStateInvalid || oriel.ErrorKind(err) != oriel.EINVALID || res != nil {
				t.Errorf("%s: %v, %+v", tc.name, err, res)
			}
		}

		// A state started in session 1 and presented in session 2 is used up.
		res, err := w.engine.CompleteOAuth(ctx, "session-2", callback)
		if wantCode(t, err, connect.CodeStateInvalid); res != nil {
			t.Fatalf("result for a foreign session: %+v", res)
		}
		_, err = w.engine.CompleteOAuth(ctx, sessionID, callback)
		wantCode(t, err, connect.CodeStateInvalid)

		// A state is single use.
		fresh := w.authorize(w.begin())
		_, err = w.engine.CompleteOAuth(ctx, sessionID, fresh)
		must(t, err)
		_, err = w.engine.CompleteOAuth(ctx, sessionID, fresh)
		wantCode(t, err, connect.CodeStateInvalid)

		// A state expires after StateTTL.
		late := w.authorize(w.begin())
		w.clock.Advance(connect.StateTTL + time.Second)
		_, err = w.engine.CompleteOAuth(ctx, sessionID, late)
		wantCode(t, err, connect.CodeStateInvalid)

		if n := w.idp.TokenCalls(clientID); n != 1 {
			t.Fatalf("the provider saw %d token requests, want only the one valid callback's", n)
		}
	})
}

// TestCallbackChecksIssuer checks the RFC 9207 mix-up defence: an "iss"
// that is absent or names another server is refused and the code is
// never redeemed (H05).
func TestCallbackChecksIssuer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		for _, iss := range []oauthdev.IssParam{oauthdev.IssParamOmitted, oauthdev.IssParamForeign} {
			w.idp.SetIssParam(iss)
			q := w.authorize(w.begin())
			res, err := w.engine.CompleteOAuth(context.Background(), sessionID, q)
			wantCode(t, err, connect.CodeIssuerMismatch)
			if res == nil || res.Origin != widgetOrigin || res.Event.Error == "" || res.Event.Connected {
				t.Fatalf("iss mode %d: result %+v", iss, res)
			}
		}
		if n := w.idp.TokenCalls(clientID); n != 0 || w.connection().Status != oriel.StatusDisconnected {
			t.Fatalf("%d token requests, status %s", n, w.connection().Status)
		}
	})
}

// TestCallbackAccessDenied checks that a user's refusal reaches the widget
// as an error and changes nothing (H09).
func TestCallbackAccessDenied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		w.idp.SetConsent(oauthdev.ConsentDeny)
		res, err := w.engine.CompleteOAuth(context.Background(), sessionID, w.authorize(w.begin()))
		wantCode(t, err, connect.CodeAuthorizationDenied)
		if res == nil || res.Origin != widgetOrigin || res.Event.ID != w.conn.ID || res.Event.Error == "" || res.Event.Connected {
			t.Fatalf("result %+v", res)
		}
		if n := w.idp.TokenCalls(clientID); n != 0 || w.connection().Status != oriel.StatusDisconnected ||
			slices.Contains(w.events(), oriel.EventConnectionError) {
			t.Fatalf("%d token requests, status %s, events %v", n, w.connection().Status, w.events())
		}
	})
}

// TestCallbackTokenResponses checks odd and hostile token responses (H10,
// H14, H15): accepted ones are stored with warnings, others are refused
// without changing the connection, and the code is redeemed only once.
func TestCallbackTokenResponses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s, oauthdev.Options{})
		grant := oauthdev.Fault{ClientID: clientID, Grant: "authorization_code"}
		with := func(change func(*oauthdev.Fault)) oauthdev.Fault {
			f := grant
			change(&f)
			return f
		}
		for _, tc := range []struct {
			name     string
			fault    oauthdev.Fault
			code     string   // error code, or "" for success
			warnings []string // on success
		}{
			{"no refresh token", with(func(f *oauthdev.Fault) { f.OmitRefreshToken = true }), "", []string{connect.WarningNoRefreshToken}},
			{"odd token type", with(func(f *oauthdev.Fault) { f.TokenType = "DPoP" }), "", []string{connect.WarningTokenType}},
			{"over 1 MiB", with(func(f *oauthdev.Fault) { f.BodyBytes = 2 << 20 }), connect.CodeProviderResponseInvalid, nil},
			{"html", with(func(f *oauthdev.Fault) { f.ContentType = "text/html" }), connect.CodeProviderResponseInvalid, nil},
			{"5xx", with(func(f *oauthdev.Fault) { f.Status = 503 }), connect.CodeProviderUnavailable, nil},
			{"invalid_grant", with(func(f *oauthdev.Fault) { f.Error = "invalid_grant" }), connect.CodeProviderRejected, nil},
		} {
			before := w.idp.TokenCalls(clientID)
			w.idp.InjectFault(tc.fault)
			res, err := w.engine.CompleteOAuth(context.Background(), sessionID, w.authorize(w.begin()))
			if calls := w.idp.TokenCalls(clientID) - before; calls != 1 {
				t.Errorf("%s: %d token requests, want 1", tc.name, calls)
			}
			if tc.code != "" {
				if oriel.ErrorCode(err) != tc.code || res == nil || res.Event.Error == "" {
					t.Errorf("%s: %v, %+v", tc.name, err, res)
				}
				if strings.Contains(err.Error(), "oda_") || strings.Contains(err.Error(), "padding") {
					t.Errorf("%s: the error quotes the response: %v", tc.name, err)
				}
				continue
			}
			if err != nil || !slices.Equal(res.Warnings, tc.warnings) || !res.Event.Connected {
				t.Errorf("%s: %v, %+v", tc.name, err, res)
			}
			// Start the next case from a disconnected connection.
			_, err = w.engine.Disconnect(context.Background(), w.vendorID, w.conn.ID)
			must(t, err)
		}
		if st := w.connection().Status; st != oriel.StatusDisconnected {
			t.Fatalf("status %s after failed callbacks", st)
		}

		// A client granted less than asked connects with what it got.
		w.registerClient([]string{"contacts.read"})
		res := w.connect()
		cred := w.storedCredentials()
		if !slices.Equal(res.Warnings, []string{connect.WarningScopeReduced}) || !slices.Equal(res.MissingScopes, []string{"offline_access"}) ||
			!slices.Equal(cred.Scopes, []string{"contacts.read"}) {
			t.Fatalf("result %+v, scopes %v", res, cred.Scopes)
		}
	})
}

// TestBeginOAuthChecks checks what BeginOAuth refuses.
func TestBeginOAuthChecks(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	w := newWorld(t, s, oauthdev.Options{})
	ctx := context.Background()
	_, err := w.engine.BeginOAuth(ctx, w.vendorID, w.conn.ID, sessionID, "https://oriel.test/path")
	wantCode(t, err, "origin_invalid")
	_, err = w.engine.BeginOAuth(ctx, w.vendorID, w.conn.ID, "", widgetOrigin)
	wantCode(t, err, connect.CodeStateInvalid)
	_, err = w.engine.BeginOAuth(ctx, "another-vendor", w.conn.ID, sessionID, widgetOrigin)
	if oriel.ErrorKind(err) != oriel.ENOTFOUND {
		t.Fatalf("another vendor's connection: %v", err)
	}
	// Production engines refuse plain-HTTP endpoints.
	strict := w.newEngine(s)
	strict.AllowLoopbackHTTP = false
	_, err = strict.BeginOAuth(ctx, w.vendorID, w.conn.ID, sessionID, widgetOrigin)
	wantCode(t, err, connect.CodeEndpointInvalid)

	w.putIntegration("keys", "api-key", nil, nil)
	keyed := w.newConnection("keys")
	_, err = w.engine.BeginOAuth(ctx, w.vendorID, keyed.ID, sessionID, widgetOrigin)
	wantCode(t, err, connect.CodeNotOAuth2)
}
