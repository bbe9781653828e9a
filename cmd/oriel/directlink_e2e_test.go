package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orielhq/oriel/directlink"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// linkVendor sets up, through s, a vendor that signs direct links: its
// signing key registered, an allowed origin, and customer "acme"; it
// returns the vendor's signer and API key.
func linkVendor(t *testing.T, s *serveProcess, env []string) (signer *directlink.Signer, apiKey string) {
	t.Helper()
	vendorID, apiKey := createVendor(t, env)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	for _, call := range []struct {
		method, path string
		body         map[string]any
	}{
		{"PUT", "/v1/signing-key", map[string]any{"public_key": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}},
		{"PATCH", "/v1/vendor", map[string]any{"allowed_origins": []string{"https://app.acme.test"}}},
		{"POST", "/v1/customers", map[string]any{"external_id": "acme", "name": "Acme"}},
	} {
		if code, body := s.call(call.method, call.path, apiKey, call.body); code >= 300 {
			t.Fatalf("%s %s = %d %v", call.method, call.path, code, body)
		}
	}
	signer, err = directlink.NewSigner(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}), vendorID)
	if err != nil {
		t.Fatal(err)
	}
	return signer, apiKey
}

// open opens a Fully Embedded direct link on s and returns the status and page.
func (s *serveProcess) open(t *testing.T, token string) (int, string) {
	t.Helper()
	u, err := directlink.BuildURL(s.url, directlink.KindApp, "/connections", token)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

// wantReplayRejected asserts that a page is the jti_replayed rejection.
func wantReplayRejected(t *testing.T, code int, page string) {
	t.Helper()
	if code != http.StatusUnauthorized || !strings.Contains(page, "jti_replayed") {
		t.Fatalf("replayed link answered %d, want 401 jti_replayed:\n%.500s", code, page)
	}
}

// TestDirectLinkReplayAcrossReplicas: a link opened on one replica cannot be
// opened again on another that shares the PostgreSQL database.
func TestDirectLinkReplayAcrossReplicas(t *testing.T) {
	t.Parallel()
	env := processEnv("ORIEL_DATABASE_URL="+storetest.PostgresURL(t), "ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	a, b := launchServe(t, env), launchServe(t, env)
	a.waitListening()
	b.waitListening()
	signer, _ := linkVendor(t, a, env)
	token, err := signer.Token("Eacme", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if code, page := a.open(t, token); code != http.StatusOK {
		t.Fatalf("first open on replica A = %d:\n%.500s", code, page)
	}
	code, page := b.open(t, token)
	wantReplayRejected(t, code, page)
}

// TestDirectLinkReplayAfterKill is catalogue J01: the jti is committed before
// the page is sent, so after kill -9 and a restart the link stays used.
func TestDirectLinkReplayAfterKill(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			s := startServe(t, env)
			signer, _ := linkVendor(t, s, env)
			token, err := signer.Token("Eacme", "", "")
			if err != nil {
				t.Fatal(err)
			}
			if code, page := s.open(t, token); code != http.StatusOK {
				t.Fatalf("first open = %d:\n%.500s", code, page)
			}
			s.kill()
			code, page := startServe(t, env).open(t, token)
			wantReplayRejected(t, code, page)
		})
	}
}

// TestDirectLinkConcurrentReplayAfterKill is J01 under load, where SQLite
// group-commits the jtis of concurrent opens: the server is killed with
// SIGKILL while links are still being opened, and after a restart every
// link that was answered 200 is refused as replayed.
func TestDirectLinkConcurrentReplayAfterKill(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			s := startServe(t, env)
			signer, _ := linkVendor(t, s, env)
			const links = 48
			tokens := make([]string, links)
			for i := range tokens {
				var err error
				if tokens[i], err = signer.Token("Eacme", "", ""); err != nil {
					t.Fatal(err)
				}
			}
			opened := make(chan string, links)
			var wg sync.WaitGroup
			for _, token := range tokens {
				wg.Go(func() {
					u, err := directlink.BuildURL(s.url, directlink.KindApp, "/connections", token)
					if err != nil {
						t.Error(err)
						return
					}
					resp, err := http.Get(u)
					if err != nil {
						return // the server was killed first: the link's fate is unknown
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						opened <- token
					}
				})
			}
			finished := make(chan struct{})
			go func() { wg.Wait(); close(finished) }()
			var acknowledged []string
			for len(acknowledged) < links/3 {
				select {
				case token := <-opened:
					acknowledged = append(acknowledged, token)
				case <-finished:
					t.Fatalf("only %d of %d links opened", len(acknowledged)+len(opened), links)
				}
			}
			s.kill()
			<-finished
			close(opened)
			for token := range opened {
				acknowledged = append(acknowledged, token)
			}
			// Every replay is refused, so the restarted server allows as many
			// refused links from this address as there are links: each gets
			// its real answer, not the 429 of the refused-link limit (30).
			restarted := startServe(t, env, "--link-failure-limit", strconv.Itoa(links))
			for _, token := range acknowledged {
				code, page := restarted.open(t, token)
				wantReplayRejected(t, code, page)
			}
			t.Logf("%d of %d links were answered 200 before or as the server was killed; all stay used", len(acknowledged), links)
		})
	}
}
