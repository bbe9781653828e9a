package directlink

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testKeys are generated once per test binary: RSA generation is slow.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return map[string]crypto.Signer{"RS256": rsaKey, "ES256": ecKey, "EdDSA": edKey}
})

func pkcs8(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func newTestSigner(t *testing.T, alg string, opts ...Option) *Signer {
	t.Helper()
	s, err := NewSigner(pkcs8(t, testKeys()[alg]), "vnd_1", opts...)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return time.Unix(1_800_000_000, 0) }
	return s
}

func TestNewSignerKeyFormats(t *testing.T) {
	k := testKeys()
	ecDER, _ := x509.MarshalECPrivateKey(k["ES256"].(*ecdsa.PrivateKey))
	ecParams := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}})
	for name, c := range map[string]struct {
		pem []byte
		alg string
	}{
		"PKCS#8 RSA":     {pkcs8(t, k["RS256"]), "RS256"},
		"PKCS#1 RSA":     {pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k["RS256"].(*rsa.PrivateKey))}), "RS256"},
		"PKCS#8 P-256":   {pkcs8(t, k["ES256"]), "ES256"},
		"SEC 1 P-256":    {append(ecParams, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})...), "ES256"},
		"PKCS#8 Ed25519": {pkcs8(t, k["EdDSA"]), "EdDSA"},
	} {
		s, err := NewSigner(c.pem, "vnd_1")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Algorithm() != c.alg || s.VendorID() != "vnd_1" {
			t.Errorf("%s: algorithm %s vendor %s", name, s.Algorithm(), s.VendorID())
		}
	}
}

func TestNewSignerRejects(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(testKeys()["RS256"].Public())
	good := pkcs8(t, testKeys()["EdDSA"])
	cases := []struct {
		name, vendor, kid string
		pem               []byte
		want              string
	}{
		{"not PEM", "vnd_1", "", []byte("hello"), "no PEM private key"},
		{"public key", "vnd_1", "", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), "public key"},
		{"encrypted", "vnd_1", "", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), "encrypted"},
		{"garbage in block", "vnd_1", "", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), "valid key"},
		{"RSA 1024", "vnd_1", "", pkcs8(t, small), "1024 bits"},
		{"P-384", "vnd_1", "", pkcs8(t, p384), "P-384"},
		{"empty vendor", "", "", good, "vendor id"},
		{"vendor with colon", "vnd:1", "", good, "vendor id"},
		{"kid with space", "vnd_1", "my key", good, "key id"},
	}
	for _, c := range cases {
		_, err := NewSigner(c.pem, c.vendor, WithKeyID(c.kid))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: error quotes key material: %v", c.name, err)
		}
	}
}

func TestTokenContents(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			s := newTestSigner(t, alg, WithKeyID("k1"))
			raw, err := s.Token("Eacme", "Ealice", "https://App.Vendor.example:443")
			if err != nil {
				t.Fatal(err)
			}
			// An independent check with golang-jwt's full parser.
			var c struct {
				jwt.RegisteredClaims
				Origin string `json:"origin"`
			}
			tok, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return testKeys()[alg].Public(), nil },
				jwt.WithValidMethods([]string{alg}), jwt.WithStrictDecoding(), jwt.WithTimeFunc(s.now))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header["typ"] != "JWT" || tok.Header["kid"] != "k1" || len(tok.Header) != 3 {
				t.Errorf("header = %v", tok.Header)
			}
			if c.Subject != "vnd_1:Eacme:Ealice" || c.IssuedAt.Unix() != 1_800_000_000 || c.Origin != "https://App.Vendor.example:443" {
				t.Errorf("claims = %+v", c)
			}
			if len(c.ID) < 26 {
				t.Errorf("jti %q carries less than 128 bits", c.ID)
			}
		})
	}
}

func TestTokenShape(t *testing.T) {
	s := newTestSigner(t, "EdDSA")
	raw, err := s.Token("cus_1", "", "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(raw, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if string(header) != `{"alg":"EdDSA","typ":"JWT"}` {
		t.Errorf("header = %s", header)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if len(claims) != 3 || claims["sub"] != "vnd_1:cus_1" {
		t.Errorf("claims = %s", payload)
	}
	other, _ := s.Token("cus_1", "", "")
	if other == raw {
		t.Error("two tokens share a jti")
	}
}

func TestTokenRejectsBadInput(t *testing.T) {
	s := newTestSigner(t, "EdDSA")
	for _, c := range []struct{ customer, user, origin, want string }{
		{"", "", "", "customer part is empty"},
		{"cus 1", "", "", "customer part"},
		{"cus_1", "a:b", "", "user part"},
		{"cus_1", "usr%3A", "", "user part"},
		{"cus_1", "", "https://vendor.example/", "origin"},
		{"cus_1", "", "*", "origin"},
		{"cus_1", "", "https://*.vendor.example", "origin"},
		{"cus_1", "", "vendor.example", "origin"},
		{"cus_1", "", "https://vendor.example; script-src *", "origin"},
		{"cus_1", "", "https://vendor.example#x", "origin"},
		{strings.Repeat("c", 300), "", "", "longer than 256"},
	} {
		if _, err := s.Token(c.customer, c.user, c.origin); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Token(%q, %q, %q) error %v, want %q", c.customer, c.user, c.origin, err, c.want)
		}
	}
}
