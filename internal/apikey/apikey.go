// Package apikey makes vendor API keys: a secret shown once, of which only the
// SHA-256 hash is stored.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
)

// Prefix starts every secret, so that people, logs scanners and secret
// scanners can recognise one.
const Prefix = "sk_"

// secretBytes is the entropy of a secret: 256 bits.
const secretBytes = 32

// MaxLen bounds what may be a secret: anything longer is rejected unhashed.
const MaxLen = 128

// encoding writes secrets in lower-case base32 without padding: 52
// characters for 32 bytes, nothing to escape in a header, URL or shell.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Generate returns a new secret "sk_…" (32 random bytes, lower-case base32) and its SHA-256 hash.
func Generate() (secret string, hash []byte, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = Prefix + encoding.EncodeToString(b)
	return secret, Hash(secret), nil
}

// Hash returns the SHA-256 of secret, the form in which keys are stored and
// looked up. A plain hash is enough: a secret has 256 bits of entropy, so
// there is nothing to brute-force that a slow hash would protect.
func Hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// Plausible reports whether s has the shape of a secret (prefix and bounded
// length), so a request with something else can be refused before any lookup.
func Plausible(s string) bool {
	return strings.HasPrefix(s, Prefix) && len(s) > len(Prefix) && len(s) <= MaxLen
}

// Create makes and stores a new key for the vendor, returning the secret
// (shown once) and the stored key.
func Create(ctx context.Context, s store.Store, vendorID, name string) (secret string, k *oriel.APIKey, err error) {
	secret, hash, err := Generate()
	if err != nil {
		return "", nil, err
	}
	k = &oriel.APIKey{VendorID: vendorID, Name: name, Hint: secret[len(secret)-4:]}
	if err := s.CreateAPIKey(ctx, k, hash); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}
