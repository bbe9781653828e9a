// Package directlink is the vendor side of Oriel direct linking: it signs the
// short-lived JWT that lets a vendor's customer open an Oriel widget already
// signed in, builds the three kinds of direct-link URL, and serves them as
// the "direct link URL microservice" (Handler).
//
// It imports nothing from Oriel's server, so vendors can depend on it alone:
//
//	signer, err := directlink.NewSigner(privateKeyPEM, "vnd_123")
//	url, err := signer.URL("https://oriel.example.com", directlink.Link{
//		Kind: directlink.KindConnection, Asset: "con_42", Customer: "Eacme", User: "Ealice",
//	})
//
// Every token gets iat = now and a fresh random jti, so use each URL once,
// within a few minutes (Oriel refuses tokens older than its maximum age,
// five minutes by default, and any jti it has seen before).
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
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orielhq/oriel/directlink/claims"
)

// RSA key sizes Oriel accepts.
const (
	minRSABits = 2048
	maxRSABits = 4096
)

// Signer signs direct-link tokens for one vendor with one private key. It is
// safe for concurrent use.
type Signer struct {
	vendorID string
	kid      string
	method   jwt.SigningMethod
	key      crypto.Signer
	now      func() time.Time
}

// Option configures a Signer.
type Option func(*Signer)

// WithKeyID puts kid in every token header, so Oriel checks the signature
// with the registered key of that kid only. Use it once a vendor has several
// keys (for example while rotating); without it Oriel tries the vendor's keys
// of the token's algorithm, at most five.
func WithKeyID(kid string) Option { return func(s *Signer) { s.kid = kid } }

// NewSigner reads a PEM private key — PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA
// PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY") — and returns a Signer for
// vendorID. The key type selects the algorithm: RSA (2048–4096 bits) signs
// RS256, ECDSA P-256 ES256, Ed25519 EdDSA. Error messages never include key
// material.
func NewSigner(privateKeyPEM []byte, vendorID string, opts ...Option) (*Signer, error) {
	if err := claims.CheckVendorID(vendorID); err != nil {
		return nil, fmt.Errorf("directlink: vendor id: %w", err)
	}
	key, method, err := parsePrivateKey(privateKeyPEM)
	if err != nil {
		return nil, err
	}
	s := &Signer{vendorID: vendorID, method: method, key: key, now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	if s.kid != "" {
		if err := claims.CheckKeyID(s.kid); err != nil {
			return nil, fmt.Errorf("directlink: key id: %w", err)
		}
	}
	return s, nil
}

// Algorithm returns the JWS algorithm the signer uses: RS256, ES256 or EdDSA.
func (s *Signer) Algorithm() string { return s.method.Alg() }

// VendorID returns the vendor the signer signs for.
func (s *Signer) VendorID() string { return s.vendorID }

// Token signs a direct-link token for customer and, when not empty, user
// (each an Oriel id or "E" + external id). origin, when not empty, is the
// origin of the page that will frame the widget, scheme://host[:port]; Oriel
// needs it when the customer or vendor has more than one allowed origin, and
// refuses a token whose origin is not one of them (or not an origin at all).
func (s *Signer) Token(customer, user, origin string) (string, error) {
	sub, err := claims.Subject(s.vendorID, customer, user)
	if err != nil {
		return "", fmt.Errorf("directlink: sub: %w", err)
	}
	if origin != "" {
		if err := checkOrigin(origin); err != nil {
			return "", err
		}
	}
	header, err := json.Marshal(tokenHeader{Alg: s.method.Alg(), Typ: "JWT", KID: s.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(tokenClaims{Sub: sub, IAT: s.now().Unix(), JTI: rand.Text(), Origin: origin})
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sig, err := s.method.Sign(input, s.key)
	if err != nil {
		return "", fmt.Errorf("%w: %v", errSigning, err)
	}
	return input + "." + b64(sig), nil
}

// errSigning marks the one failure of Token that is not the caller's fault.
var errSigning = errors.New("directlink: signing failed")

type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	KID string `json:"kid,omitempty"`
}

type tokenClaims struct {
	Sub    string `json:"sub"`
	IAT    int64  `json:"iat"`
	JTI    string `json:"jti"`
	Origin string `json:"origin,omitempty"`
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// parsePrivateKey finds the private key block in text (skipping an "EC
// PARAMETERS" block, as openssl ecparam writes) and selects its algorithm.
func parsePrivateKey(text []byte) (crypto.Signer, jwt.SigningMethod, error) {
	var block *pem.Block
	for {
		block, text = pem.Decode(text)
		if block == nil {
			return nil, nil, errors.New("directlink: no PEM private key found (expected -----BEGIN PRIVATE KEY-----)")
		}
		if block.Type != "EC PARAMETERS" {
			break
		}
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, nil, errors.New("directlink: the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)")
	default:
		if strings.Contains(block.Type, "PUBLIC KEY") {
			return nil, nil, errors.New("directlink: this is a public key; signing needs the private key (register the public key with Oriel)")
		}
		return nil, nil, fmt.Errorf("directlink: unsupported PEM block %q; use PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("directlink: the %s block does not hold a valid key", block.Type)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, nil, fmt.Errorf("directlink: the RSA key has %d bits; Oriel accepts %d to %d", bits, minRSABits, maxRSABits)
		}
		return k, jwt.SigningMethodRS256, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, nil, fmt.Errorf("directlink: the EC key uses %s; only P-256 (ES256) is supported", k.Curve.Params().Name)
		}
		return k, jwt.SigningMethodES256, nil
	case ed25519.PrivateKey:
		return k, jwt.SigningMethodEdDSA, nil
	default:
		return nil, nil, errors.New("directlink: unsupported key type; use RSA, ECDSA P-256 or Ed25519")
	}
}
