package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestAccessToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		o := startOriel(t, s)
		c := o.client()
		ctx := context.Background()
		for _, tc := range []struct {
			entity client.Entity
			want   client.BoundEntity
			role   oriel.Role
		}{
			{client.Customer("Eacme"), client.BoundEntity{Type: client.EntityCustomer, ID: o.acme.ID, CustomerID: o.acme.ID}, oriel.RoleAdmin},
			{client.User("Eacme", "Eada"), client.BoundEntity{Type: client.EntityUser, ID: o.ada.ID, CustomerID: o.acme.ID}, oriel.RoleViewer},
			{client.User("", o.ada.ID), client.BoundEntity{Type: client.EntityUser, ID: o.ada.ID, CustomerID: o.acme.ID}, oriel.RoleViewer},
		} {
			before := time.Now()
			tok, err := c.AccessToken(ctx, tc.entity)
			must(t, err)
			if tok.Entity != tc.want || tok.ExpiresIn != 900 || tok.Expiry.Before(before.Add(900*time.Second)) || tok.Expiry.After(time.Now().Add(900*time.Second)) {
				t.Fatalf("%+v: got entity %+v, expires in %d at %v", tc.entity, tok.Entity, tok.ExpiresIn, tok.Expiry)
			}
			if claims := o.claims(t, tok.Token); claims.CustomerID != o.acme.ID || claims.Role != tc.role {
				t.Fatalf("%+v: claims %+v", tc.entity, claims)
			}
		}
	})
}

// An *AccessToken never prints or logs its token.
func TestAccessTokenRedacted(t *testing.T) {
	o := startOriel(t, storetest.SQLite(t))
	tok, err := o.client().AccessToken(context.Background(), client.Customer("Eacme"))
	must(t, err)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("issued", "token", tok)
	for _, out := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok), logs.String()} {
		if strings.Contains(out, tok.Token) || strings.Contains(out, "oat_") || !strings.Contains(out, "redacted") {
			t.Fatalf("the token shows: %s", out)
		}
	}
}

func TestAccessTokenErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		o := startOriel(t, s, func(c *server.Config) { c.TokenRate = server.PerMinute(4) })
		ctx := context.Background()
		wrongKey := client.New(o.url, "sk_"+strings.Repeat("x", len(o.apiKey)-3))
		for _, tc := range []struct {
			c      *client.Client
			entity client.Entity
			target error
			status int
		}{
			{wrongKey, client.Customer("Eacme"), client.ErrInvalidClient, 401},
			{o.client(), client.Customer("Enobody"), client.ErrInvalidTarget, 400},
			{o.client(), client.User("", "Eada"), nil, 200}, // an external user id no other customer's user has needs no customer
			{o.client(), client.Entity{Type: "staff", ID: "Eada"}, client.ErrInvalidRequest, 400},
			{o.client(), client.Customer("Eacme"), nil, 200},
			{o.client(), client.Customer("Eacme"), client.ErrRateLimited, 429},
		} {
			_, err := tc.c.AccessToken(ctx, tc.entity)
			if tc.target == nil {
				must(t, err)
				continue
			}
			var e *client.Error
			if !errors.Is(err, tc.target) || !errors.As(err, &e) || e.StatusCode != tc.status || e.Description == "" {
				t.Fatalf("%+v: error %v, want %v with status %d", tc.entity, err, tc.target, tc.status)
			}
			if errors.Is(err, client.ErrServerError) || strings.Contains(err.Error(), o.apiKey) {
				t.Fatalf("%+v: error %v matches another code or shows the API key", tc.entity, err)
			}
			if tc.target == client.ErrRateLimited && e.RetryAfter != 15*time.Second {
				t.Fatalf("RetryAfter = %v, want 15s at 4 a minute", e.RetryAfter)
			}
		}
	})
}

func TestRevokeAccessToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		o := startOriel(t, s)
		c, ctx := o.client(), context.Background()
		tok, err := c.AccessToken(ctx, client.User("Eacme", "Eada"))
		must(t, err)
		must(t, c.RevokeAccessToken(ctx, tok.Token))
		if revoked, err := s.TokenRevoked(ctx, o.claims(t, tok.Token).ID); err != nil || !revoked {
			t.Fatalf("the token is not revoked (%v)", err)
		}
		must(t, c.RevokeAccessToken(ctx, "not a token")) // RFC 7009: nothing to revoke is a success
		if err := c.RevokeAccessToken(ctx, ""); !errors.Is(err, client.ErrInvalidRequest) {
			t.Fatalf("revoking nothing: error %v, want invalid_request", err)
		}
		if err := client.New(o.url, "sk_wrong").RevokeAccessToken(ctx, tok.Token); !errors.Is(err, client.ErrInvalidClient) {
			t.Fatalf("wrong key: error %v, want invalid_client", err)
		}
	})
}

// Answers that are not Oriel's (a proxy's error page, a broken body) are
// unexpected_response; a failed connection is not an *Error at all.
func TestUnexpectedResponses(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"proxy error page": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>Bad Gateway</html>")
		},
		"no token": func(w http.ResponseWriter) { fmt.Fprint(w, `{"token_type":"Bearer","expires_in":900}`) },
		"not JSON": func(w http.ResponseWriter) { fmt.Fprint(w, `oat_x`) },
		"no expiry": func(w http.ResponseWriter) {
			fmt.Fprint(w, `{"access_token":"oat_x","token_type":"Bearer"}`)
		},
		"another token type": func(w http.ResponseWriter) {
			fmt.Fprint(w, `{"access_token":"oat_x","token_type":"MAC","expires_in":900}`)
		},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w) }))
		_, err := client.New(ts.URL, "sk_key").AccessToken(context.Background(), client.Customer("Eacme"))
		ts.Close()
		var e *client.Error
		if !errors.Is(err, client.ErrUnexpectedResponse) || !errors.As(err, &e) {
			t.Errorf("%s: error %v, want unexpected_response", name, err)
		} else if name == "proxy error page" && (e.StatusCode != 502 || e.RetryAfter != 7*time.Second) {
			t.Errorf("%s: %+v", name, e)
		}
	}
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close()
	_, err := client.New(ts.URL, "sk_secret_key").AccessToken(context.Background(), client.Customer("Eacme"))
	var e *client.Error
	if err == nil || errors.As(err, &e) || strings.Contains(err.Error(), "sk_secret_key") {
		t.Fatalf("unreachable server: error %v", err)
	}
}
