// Package seal encrypts secrets at rest (OAuth tokens, client secrets, API-key
// credentials) with AES-256-GCM under a keyring of versioned keys.
//
// The keyring comes from ORIEL_ENCRYPTION_KEYS, a comma-separated list of
// "id:base64(32 random bytes)". The last key is the newest: it encrypts, and
// every key decrypts, so a key is rotated by appending a new one, re-encrypting
// the stored values, and only then dropping the old one. Each ciphertext names
// its key id, and is bound by associated data to the place it is stored (see
// AAD), so a value copied into another row or column does not decrypt.
//
// Nothing in this package ever prints key bytes, in errors or otherwise.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of every key: 32 bytes, for AES-256.
const KeySize = 32

// maxKeyIDLen bounds a key id; ids appear in every ciphertext.
const maxKeyIDLen = 32

// Keyring holds the encryption keys: the newest encrypts, all decrypt.
type Keyring struct {
	aeads   map[string]cipher.AEAD // by key id
	ids     []string               // in the order given, oldest first
	current string                 // the id of the key that encrypts
}

// ParseKeyring parses a keyring in the ORIEL_ENCRYPTION_KEYS format:
// comma-separated "id:base64key" entries, oldest first. Ids are 1–32
// characters of letters, digits, '-' and '_'; keys are 32 bytes in standard
// or URL-safe base64, padded or not. Surrounding spaces are ignored.
func ParseKeyring(spec string) (*Keyring, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("no encryption keys given")
	}
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, entry := range strings.Split(spec, ",") {
		n := i + 1 // entries are numbered from 1 in messages
		id, encoded, ok := strings.Cut(strings.TrimSpace(entry), ":")
		switch {
		case strings.TrimSpace(entry) == "":
			return nil, fmt.Errorf("encryption key %d is empty (stray comma?)", n)
		case !ok:
			// Without a colon the entry may be a bare key: do not echo it.
			return nil, fmt.Errorf("encryption key %d is not in the form id:base64key", n)
		case !validKeyID(id):
			return nil, fmt.Errorf("encryption key %d has an invalid id: use 1-%d letters, digits, '-' or '_'", n, maxKeyIDLen)
		case k.aeads[id] != nil:
			return nil, fmt.Errorf("encryption key id %q appears twice", id)
		}
		key, err := decodeKey(encoded)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", id, err)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", id, err)
		}
		k.aeads[id] = aead
		k.ids = append(k.ids, id)
		k.current = id
	}
	return k, nil
}

// CurrentID returns the id of the key that encrypts: the last one given.
func (k *Keyring) CurrentID() string { return k.current }

// IDs returns the ids of all keys, oldest first.
func (k *Keyring) IDs() []string { return append([]string(nil), k.ids...) }

// Has reports whether the keyring holds a key with this id.
func (k *Keyring) Has(id string) bool { return k.aeads[id] != nil }

// validKeyID reports whether id may name a key: it must not contain the
// separators of the keyring (',' and ':') or of a ciphertext.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// decodeKey decodes a base64 key of exactly KeySize bytes.
func decodeKey(encoded string) ([]byte, error) {
	encoded = strings.TrimSpace(encoded)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.Strict().DecodeString(encoded)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("the key is %d bytes, want %d (make one with: openssl rand -base64 %d)", len(key), KeySize, KeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("the key is not valid base64 (make one with: openssl rand -base64 %d)", KeySize)
}

// newAEAD returns AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
