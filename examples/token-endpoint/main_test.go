package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The example against a real Oriel: sign in, then fetch a token as the
// browser SDK would.
func TestTokenEndpoint(t *testing.T) {
	s := storetest.SQLite(t)
	var raw [seal.KeySize]byte
	rand.Read(raw[:])
	keys, err := seal.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString(raw[:]))
	if err != nil {
		t.Fatal(err)
	}
	orielServer := httptest.NewServer(server.New(server.Config{Store: s, Keys: keys}))
	defer orielServer.Close()
	ctx := context.Background()
	v := &oriel.Vendor{Name: "Acme SaaS", AllowedOrigins: []string{}}
	must(t, s.CreateVendor(ctx, v))
	secret, _, err := apikey.Create(ctx, s, v.ID, "example")
	must(t, err)
	c := &oriel.Customer{VendorID: v.ID, ExternalID: "acme"}
	must(t, s.CreateCustomer(ctx, c))
	must(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: c.ID, ExternalID: "ada", Role: oriel.RoleMember}))

	env := map[string]string{"ORIEL_URL": orielServer.URL, "ORIEL_API_KEY": secret}
	mux, err := newMux(func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	app := httptest.NewServer(mux)
	defer app.Close()

	resp, err := http.Post(app.URL+"/demo/sign-in?customer=acme&user=ada", "", nil)
	must(t, err)
	resp.Body.Close()
	cookies := resp.Cookies()
	fetchToken := func(withSession bool) *http.Response {
		req, _ := http.NewRequest("POST", app.URL+"/api/token", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if withSession {
			req.AddCookie(cookies[0])
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		return resp
	}
	resp = fetchToken(true)
	defer resp.Body.Close()
	var body struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expiresIn"`
	}
	must(t, json.NewDecoder(resp.Body).Decode(&body))
	if resp.StatusCode != 200 || !strings.HasPrefix(body.Token, "oat_") || body.ExpiresIn != 900 {
		t.Fatalf("status %d, body %+v", resp.StatusCode, body)
	}
	if resp := fetchToken(false); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a session: status %d, want 401", resp.StatusCode)
	}

	env["ORIEL_API_KEY"] = "wrong"
	if _, err := newMux(func(k string) string { return env[k] }, nil); err == nil {
		t.Fatal("a malformed API key was accepted")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
