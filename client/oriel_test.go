package client_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

// orielServer is a real Oriel server on loopback with one vendor: customer
// acme with user ada (a viewer).
type orielServer struct {
	url    string
	apiKey string
	store  *store.SQL
	minter *token.Minter // opens the server's tokens, to check what was issued
	acme   *oriel.Customer
	ada    *oriel.User
}

// startOriel serves Oriel on s; config may adjust its Config.
func startOriel(t *testing.T, s *store.SQL, config ...func(*server.Config)) *orielServer {
	t.Helper()
	var raw [seal.KeySize]byte
	rand.Read(raw[:])
	keys, err := seal.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString(raw[:]))
	must(t, err)
	cfg := server.Config{Store: s, Keys: keys, Logger: slog.New(slog.DiscardHandler), PublicURL: "http://oriel.test", Region: "us"}
	for _, c := range config {
		c(&cfg)
	}
	ts := httptest.NewServer(server.New(cfg))
	t.Cleanup(ts.Close)

	ctx := context.Background()
	v := &oriel.Vendor{Name: "Acme SaaS", AllowedOrigins: []string{}}
	must(t, s.CreateVendor(ctx, v))
	secret, _, err := apikey.Create(ctx, s, v.ID, "test")
	must(t, err)
	o := &orielServer{url: ts.URL, apiKey: secret, store: s, minter: token.NewMinter(keys, nil)}
	o.acme = &oriel.Customer{VendorID: v.ID, ExternalID: "acme", Name: "Acme"}
	must(t, s.CreateCustomer(ctx, o.acme))
	o.ada = &oriel.User{VendorID: v.ID, CustomerID: o.acme.ID, ExternalID: "ada", Role: oriel.RoleViewer}
	must(t, s.CreateUser(ctx, o.ada))
	return o
}

// client returns a Client of the vendor.
func (o *orielServer) client() *client.Client { return client.New(o.url+"/", o.apiKey) }

// claims opens an access token the server issued.
func (o *orielServer) claims(t *testing.T, raw string) *token.Claims {
	t.Helper()
	c, err := o.minter.Check(token.Access, raw)
	must(t, err)
	return c
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
