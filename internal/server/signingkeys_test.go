package server

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"sync"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// testKeys are generated once: RSA generation is slow.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]crypto.Signer{"rsa2048": rsa2048, "rsa1024": rsa1024, "p256": p256, "p384": p384, "ed25519": ed}
})

// publicPEM returns the SPKI PEM of a test key's public half.
func publicPEM(t *testing.T, name string) string {
	der, err := x509.MarshalPKIXPublicKey(testKeys()[name].Public())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func TestSigningKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		rsaKey := e.do("POST", "/v1/signing-keys", map[string]any{"public_key": publicPEM(t, "rsa2048"), "kid": "2026-01"}).want(201).object()
		matchSchema(t, "SigningKey", rsaKey)
		if field(rsaKey, "algorithm") != "RS256" || field(rsaKey, "kid") != "2026-01" || field(rsaKey, "vendor_id") != e.vendor.ID || field(rsaKey, "fingerprint") == "" {
			t.Fatalf("created %v", rsaKey)
		}
		pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(testKeys()["rsa2048"].Public().(*rsa.PublicKey))}))
		e.do("POST", "/v1/signing-keys", map[string]any{"public_key": pkcs1}).problem(409, "signing_key_exists")
		e.do("POST", "/v1/signing-keys", map[string]any{"public_key": publicPEM(t, "p256"), "kid": "2026-01"}).problem(409, "signing_key_exists")
		for name, alg := range map[string]string{"p256": "ES256", "ed25519": "EdDSA"} {
			if got := e.do("POST", "/v1/signing-keys", map[string]any{"public_key": publicPEM(t, name)}).want(201).object(); field(got, "algorithm") != alg {
				t.Fatalf("%s: algorithm %v, want %s", name, got["algorithm"], alg)
			}
		}
		var page listPage[map[string]any]
		e.do("GET", "/v1/signing-keys", nil).want(200).into(&page)
		if len(page.Data) != 3 {
			t.Fatalf("list = %+v", page)
		}
		matchSchema(t, "SigningKeyList", e.do("GET", "/v1/signing-keys", nil).object())

		e.do("DELETE", "/v1/signing-keys/"+field(rsaKey, "id"), nil).want(204)
		e.do("DELETE", "/v1/signing-keys/"+field(rsaKey, "id"), nil).problem(404, "signing_key_not_found")

		replaced := e.do("PUT", "/v1/signing-key", map[string]any{"public_key": publicPEM(t, "rsa2048")}).want(200).object()
		matchSchema(t, "SigningKeyReplaced", replaced)
		if field(replaced, "vendor_id") != e.vendor.ID || replaced["success"] != true {
			t.Fatalf("replaced %v", replaced)
		}
		e.do("GET", "/v1/signing-keys", nil).want(200).into(&page)
		if len(page.Data) != 1 || page.Data[0]["algorithm"] != "RS256" {
			t.Fatalf("after PUT, keys = %+v", page.Data)
		}
	})
}

func TestSigningKeysRejected(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	private, _ := x509.MarshalPKCS8PrivateKey(testKeys()["p256"])
	for name, tc := range map[string]struct {
		body map[string]any
		code string
	}{
		"missing":     {map[string]any{"kid": "a"}, "public_key_missing"},
		"not PEM":     {map[string]any{"public_key": "hello"}, "public_key_malformed"},
		"garbage DER": {map[string]any{"public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}, "public_key_malformed"},
		"private key": {map[string]any{"public_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: private}))}, "private_key_sent"},
		"small RSA":   {map[string]any{"public_key": publicPEM(t, "rsa1024")}, "rsa_key_too_small"},
		"P-384":       {map[string]any{"public_key": publicPEM(t, "p384")}, "curve_not_supported"},
		"kid spaces":  {map[string]any{"public_key": publicPEM(t, "p256"), "kid": "my key"}, "kid_invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			detail := e.do("POST", "/v1/signing-keys", tc.body).problem(422, tc.code)
			if tc.code == "private_key_sent" && !strings.Contains(detail, "public key") {
				t.Errorf("detail %q does not say to send the public key", detail)
			}
		})
	}
	e.do("PUT", "/v1/signing-key", map[string]any{"public_key": publicPEM(t, "rsa1024")}).problem(422, "rsa_key_too_small")
	e.do("PUT", "/v1/signing-key", map[string]any{"key": publicPEM(t, "rsa1024")}).problem(422, "rsa_key_too_small")
	e.do("PUT", "/v1/signing-key", map[string]any{}).problem(422, "public_key_missing")
	e.do("PUT", "/v1/signing-key", map[string]any{"public_key": publicPEM(t, "p256"), "key": publicPEM(t, "p256")}).problem(422, "public_key_ambiguous")
	e.do("PUT", "/v1/signing-key", map[string]any{"pubkey": publicPEM(t, "p256")}).problem(400, "unknown_field")
	// "key", the first name of public_key, still works (issue 13).
	e.do("PUT", "/v1/signing-key", map[string]any{"key": publicPEM(t, "p256")}).want(200)
}
