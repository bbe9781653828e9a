package auth

import (
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// A key is parsed once, and a cached key serves only its own PEM.
func TestKeyCache(t *testing.T) {
	a := linktokentest.NewKey(t, keys.EdDSA, "")
	b := linktokentest.NewKey(t, keys.EdDSA, "")
	rowA := &oriel.SigningKey{Fingerprint: a.Fingerprint, PublicKeyPEM: a.PEM}
	var c keyCache
	first := c.parse(rowA)
	if first == nil || first.Fingerprint != a.Fingerprint {
		t.Fatalf("parse = %+v, want key a", first)
	}
	if again := c.parse(rowA); again != first {
		t.Fatal("the second use parsed the key again")
	}
	if got := c.parse(&oriel.SigningKey{Fingerprint: a.Fingerprint, PublicKeyPEM: b.PEM}); got != nil {
		t.Fatalf("a row with a's fingerprint and b's key got %+v, want nil (fingerprint mismatch)", got)
	}
	if got := c.parse(&oriel.SigningKey{Fingerprint: a.Fingerprint, PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n"}); got != nil {
		t.Fatalf("an unparseable row got %+v, want nil", got)
	}
	if again := c.parse(rowA); again != first {
		t.Fatal("refused rows evicted the good key")
	}
}
