// Package keys imports vendors' public keys: it reads PEM, rejects what must
// not be accepted (private keys, weak or oversized RSA, curves other than
// P-256), and names the one JWS algorithm each key verifies.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"github.com/orielhq/oriel"
)

// RSA modulus bounds: below 2048 bits is weak (RFC 7518 §3.3); above 4096
// makes every verification an attacker-chosen cost.
const (
	MinRSABits = 2048
	MaxRSABits = 4096
)

// JWS algorithm names, one per supported key type.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// PublicKey is a parsed, accepted vendor public key.
type PublicKey struct {
	Key         crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	Algorithm   string           // RS256, ES256 or EdDSA
	Fingerprint string           // base64url (no padding) SHA-256 of the DER SPKI
	PEM         string           // normalised "PUBLIC KEY" PEM
}

// Parse reads one PEM public key (SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC
// KEY"). Every rejection is an EUNPROCESSABLE *oriel.Error whose message says
// exactly what is wrong and never repeats the input.
func Parse(text string) (*PublicKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, invalid("public_key_missing", "no key given: send a PEM block that starts with -----BEGIN PUBLIC KEY-----")
	}
	block, rest := pem.Decode([]byte(text))
	if block == nil {
		return nil, invalid("public_key_malformed", "the key is not PEM: expected a block that starts with -----BEGIN PUBLIC KEY-----")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, invalid("public_key_malformed", "send exactly one PEM block; found data after the first one")
	}
	if strings.Contains(block.Type, "PRIVATE") {
		return nil, invalid("private_key_sent", "this is a private key (%s); send only the public key (for example: openssl rsa -in private.key -pubout)", block.Type)
	}
	var pub crypto.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, invalid("public_key_malformed", "the PUBLIC KEY block does not hold a valid SubjectPublicKeyInfo (or uses an unsupported key type)")
		}
		pub = k
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, invalid("public_key_malformed", "the RSA PUBLIC KEY block does not hold a valid PKCS#1 key")
		}
		pub = k
	case "CERTIFICATE":
		return nil, invalid("public_key_malformed", "this is a certificate; send its public key instead (openssl x509 -in cert.pem -pubkey -noout)")
	default:
		return nil, invalid("public_key_malformed", "unsupported PEM block type %q; send a PUBLIC KEY or RSA PUBLIC KEY block", block.Type)
	}
	return FromCrypto(pub)
}

// FromCrypto accepts an already parsed public key under the same rules as Parse.
func FromCrypto(pub crypto.PublicKey) (*PublicKey, error) {
	var alg string
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits < MinRSABits {
			return nil, invalid("rsa_key_too_small", "the RSA key has %d bits; at least %d are required", bits, MinRSABits)
		}
		if bits > MaxRSABits {
			return nil, invalid("rsa_key_too_large", "the RSA key has %d bits; at most %d are accepted", bits, MaxRSABits)
		}
		if k.E < 3 || k.E%2 == 0 {
			return nil, invalid("public_key_malformed", "the RSA public exponent is invalid")
		}
		alg = RS256
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, invalid("curve_not_supported", "the EC key uses %s; only P-256 (ES256) is supported", k.Curve.Params().Name)
		}
		alg = ES256
	case ed25519.PublicKey:
		alg = EdDSA
	default:
		return nil, invalid("key_type_not_supported", "unsupported key type; use RSA (2048–4096 bits), ECDSA P-256 or Ed25519")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, invalid("public_key_malformed", "the key cannot be encoded as SubjectPublicKeyInfo")
	}
	sum := sha256.Sum256(der)
	return &PublicKey{
		Key:         pub,
		Algorithm:   alg,
		Fingerprint: base64.RawURLEncoding.EncodeToString(sum[:]),
		PEM:         string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
	}, nil
}

func invalid(code, format string, args ...any) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, code, format, args...)
}
