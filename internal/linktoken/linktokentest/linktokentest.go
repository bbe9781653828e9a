// Package linktokentest mints direct-link tokens for tests, well-formed or
// not: header and payload are raw JSON text, so a test can send duplicate
// members, odd types or forbidden header parameters, signed for real.
package linktokentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
)

// Key is a vendor signing key pair: the public half as linktoken.Verify
// takes it, and the private half to sign with.
type Key struct {
	linktoken.Key
	Private crypto.Signer
}

// NewKey generates a key for alg (keys.RS256 makes RSA-2048, keys.ES256
// P-256, keys.EdDSA Ed25519) with the given kid ("" for none).
func NewKey(t testing.TB, alg, kid string) *Key {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case keys.RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case keys.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case keys.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("linktokentest: unsupported alg %q", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return FromPrivate(t, priv, kid)
}

// FromPrivate wraps an existing private key.
func FromPrivate(t testing.TB, priv crypto.Signer, kid string) *Key {
	t.Helper()
	pub, err := keys.FromCrypto(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &Key{Key: linktoken.Key{KID: kid, PublicKey: pub}, Private: priv}
}

// WithKID returns a copy of k that carries another kid.
func (k *Key) WithKID(kid string) *Key {
	c := *k
	c.KID = kid
	return &c
}

// PrivatePEM returns the private key as PKCS#8 PEM.
func (k *Key) PrivatePEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// Header returns the header a well-behaved signer sends for k.
func (k *Key) Header() string {
	if k.KID == "" {
		return fmt.Sprintf(`{"alg":%q,"typ":"JWT"}`, k.Algorithm)
	}
	return fmt.Sprintf(`{"alg":%q,"typ":"JWT","kid":%q}`, k.Algorithm, k.KID)
}

// Sign encodes header and payload and signs them with k under its algorithm.
func (k *Key) Sign(t testing.TB, header, payload string) string {
	t.Helper()
	return SignWith(t, jwt.GetSigningMethod(k.Algorithm), k.Private, header, payload)
}

// Token signs Claims(sub, iat) under k's usual header.
func (k *Key) Token(t testing.TB, sub string, iat time.Time) string {
	t.Helper()
	return k.Sign(t, k.Header(), Claims(sub, iat))
}

// SignWith signs header.payload with any golang-jwt method and key, for
// tokens no honest vendor would make (HS256 with a public key, RS384, …).
func SignWith(t testing.TB, method jwt.SigningMethod, key any, header, payload string) string {
	t.Helper()
	input := Encode(header) + "." + Encode(payload)
	sig, err := method.Sign(input, key)
	if err != nil {
		t.Fatalf("linktokentest: sign with %s: %v", method.Alg(), err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Encode returns s in unpadded base64url.
func Encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Claims returns the payload of a valid token for sub issued at iat, with a
// fresh jti.
func Claims(sub string, iat time.Time) string {
	return fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":%q}`, sub, iat.Unix(), rand.Text())
}
