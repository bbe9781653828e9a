package connect

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// stateBytes is the entropy of an OAuth state: 256 bits, well over the
// 128 the catalogue asks for (H01).
const stateBytes = 32

// newState returns a fresh OAuth state parameter and the SHA-256 under
// which it is stored; the state itself is never stored.
func newState() (state string, hash []byte) {
	state = randomString(stateBytes)
	return state, hashState(state)
}

// hashState returns the SHA-256 of a state parameter.
func hashState(state string) []byte {
	h := sha256.Sum256([]byte(state))
	return h[:]
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
