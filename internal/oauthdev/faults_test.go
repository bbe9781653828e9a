package oauthdev

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestInjectedFaults(t *testing.T) {
	f := newFixture(t, Options{}, oauth2.AuthStyleInHeader)
	tok := f.connect()

	t.Run("invalid_grant once, then normal", func(t *testing.T) {
		f.srv.InjectFault(Fault{Grant: "refresh_token", Error: "invalid_grant"})
		if _, err := f.refresh(tok.RefreshToken); errorCode(err) != "invalid_grant" {
			t.Fatalf("injected invalid_grant: %v", err)
		}
		fresh, err := f.refresh(tok.RefreshToken) // the fault touched no grant
		if err != nil {
			t.Fatalf("refresh after the fault: %v", err)
		}
		tok = fresh
	})
	t.Run("server error, twice", func(t *testing.T) {
		f.srv.InjectFault(Fault{Status: http.StatusServiceUnavailable, Times: 2})
		for range 2 {
			var re *oauth2.RetrieveError
			if _, err := f.refresh(tok.RefreshToken); !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("injected 503: %v", err)
			}
		}
		if _, err := f.refresh(tok.RefreshToken); err != nil {
			t.Fatalf("refresh after two faults: %v", err)
		}
	})
	t.Run("slow response the client abandons is not processed", func(t *testing.T) {
		tok = f.connect()
		f.srv.InjectFault(Fault{Delay: 5 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := f.refreshCtx(ctx, tok.RefreshToken); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a refresh slower than the client's deadline ended with %v, want the deadline", err)
		}
		if _, err := f.refresh(tok.RefreshToken); err != nil {
			t.Errorf("the abandoned refresh used up the refresh token: %v", err)
		}
	})
	t.Run("slow response that completes", func(t *testing.T) {
		f.srv.InjectFault(Fault{Delay: 150 * time.Millisecond})
		start := time.Now()
		if _, err := f.cfg.Exchange(context.Background(), "odc_unknown", oauth2.VerifierOption(oauth2.GenerateVerifier())); errorCode(err) != "invalid_grant" {
			t.Errorf("delayed exchange of an unknown code: %v", err)
		}
		if time.Since(start) < 150*time.Millisecond {
			t.Error("the delay was not applied")
		}
	})
	t.Run("huge body", func(t *testing.T) {
		tok = f.connect()
		f.srv.InjectFault(Fault{BodyBytes: 3 << 20})
		if _, err := f.refresh(tok.RefreshToken); err == nil {
			t.Error("a 3 MiB token response was accepted")
		}
	})
	t.Run("HTML instead of JSON", func(t *testing.T) {
		f.srv.InjectFault(Fault{ContentType: "text/html"})
		if got, err := f.refresh(tok.RefreshToken); err == nil && got.AccessToken != "" {
			t.Errorf("an HTML page gave access token %q", got.AccessToken)
		}
	})
	t.Run("unknown token type and no refresh token", func(t *testing.T) {
		tok = f.connect()
		f.srv.InjectFault(Fault{TokenType: "N_A", OmitRefreshToken: true})
		got, err := f.refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if got.TokenType != "N_A" || got.RefreshToken != tok.RefreshToken {
			// x/oauth2 keeps the old refresh token when the response has none.
			t.Errorf("token %+v", got)
		}
		if _, err := f.refresh(tok.RefreshToken); err != nil {
			t.Errorf("a refresh answered without a new refresh token must leave the old one valid: %v", err)
		}
	})
	t.Run("faults select client and grant", func(t *testing.T) {
		f.srv.InjectFault(Fault{ClientID: "someone-else", Error: "invalid_grant"})
		f.srv.InjectFault(Fault{Grant: "authorization_code", Error: "server_error"})
		verifier := oauth2.GenerateVerifier()
		code := f.authorize(verifier).Get("code")
		if _, err := f.cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); errorCode(err) != "server_error" {
			t.Fatalf("exchange with an injected server_error: %v", err)
		}
		if _, err := f.cfg.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("the fault should leave the code unused: %v", err)
		}
		tok = f.connect()
		if _, err := f.refresh(tok.RefreshToken); err != nil {
			t.Errorf("a fault for another client or grant hit a refresh: %v", err)
		}
		f.srv.ClearFaults()
	})
}
