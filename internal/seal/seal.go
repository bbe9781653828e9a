package seal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// version is the first field of every ciphertext; a new format gets a new one.
const version = "v1"

// Errors that Open and KeyID wrap; test for them with errors.Is.
var (
	// ErrMalformed means the ciphertext is not in the v1:<kid>:<data> format.
	ErrMalformed = errors.New("seal: malformed ciphertext")
	// ErrUnknownKey means the ciphertext names a key id the keyring lacks.
	ErrUnknownKey = errors.New("seal: unknown encryption key id")
	// ErrDecrypt means authentication failed: the ciphertext was altered, or
	// the associated data (where it is stored) differs from when it was sealed.
	ErrDecrypt = errors.New("seal: ciphertext does not authenticate")
)

// Seal encrypts plaintext with the newest key and returns
// "v1:<kid>:<base64url(nonce || ciphertext || tag)>", with a random 12-byte
// nonce. aad binds the result to where it is stored (see AAD); Open must be
// given the same aad. The version and key id are authenticated too.
func (k *Keyring) Seal(plaintext, aad []byte) (string, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: read random nonce: %w", err)
	}
	header := version + ":" + k.current + ":"
	sealed := aead.Seal(nonce, nonce, plaintext, associatedData(header, aad))
	return header + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a ciphertext made by Seal with any key of the keyring. It
// fails, never returning garbage, when any part of the ciphertext was altered
// or aad differs from the one it was sealed with.
func (k *Keyring) Open(ciphertext string, aad []byte) ([]byte, error) {
	kid, data, err := split(ciphertext)
	if err != nil {
		return nil, err
	}
	aead := k.aeads[kid]
	if aead == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, kid)
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(data)
	if err != nil || len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrMalformed
	}
	nonce, body := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	header := version + ":" + kid + ":"
	plaintext, err := aead.Open(nil, nonce, body, associatedData(header, aad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plaintext, nil
}

// KeyID returns the id of the key a ciphertext was sealed with, without
// decrypting it: re-encryption after a rotation uses it to find what is left
// on an old key, and start-up to check that every stored key id is present.
func KeyID(ciphertext string) (string, error) {
	kid, _, err := split(ciphertext)
	return kid, err
}

// split parses "v1:<kid>:<data>".
func split(ciphertext string) (kid, data string, err error) {
	v, rest, ok1 := strings.Cut(ciphertext, ":")
	kid, data, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || v != version || !validKeyID(kid) {
		return "", "", ErrMalformed
	}
	return kid, data, nil
}

// associatedData authenticates the ciphertext's header along with the
// caller's aad. The header ends in ':' and holds no other ':' after the
// version, so the concatenation is unambiguous.
func associatedData(header string, aad []byte) []byte {
	return append([]byte(header), aad...)
}

// AAD returns associated data that binds a sealed value to one column of one
// row of one table: a value sealed for (t, r, c) opens only with AAD(t, r, c).
// Each part is length-prefixed, so different parts never collide.
func AAD(table, rowID, column string) []byte {
	var b []byte
	for _, part := range []string{table, rowID, column} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}
