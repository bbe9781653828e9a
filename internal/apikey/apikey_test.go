package apikey_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"regexp"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestGenerate(t *testing.T) {
	shape := regexp.MustCompile(`^sk_[a-z2-7]{52}$`)
	seen := map[string]bool{}
	for range 100 {
		secret, hash, err := apikey.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(secret) {
			t.Fatalf("secret %q does not look like sk_ + 52 base32 characters", secret)
		}
		if sum := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, sum[:]) || !bytes.Equal(apikey.Hash(secret), hash) {
			t.Fatal("hash is not the SHA-256 of the secret")
		}
		if !apikey.Plausible(secret) {
			t.Fatal("a generated secret is not plausible")
		}
		if seen[secret] {
			t.Fatal("duplicate secret")
		}
		seen[secret] = true
	}
}

func TestPlausible(t *testing.T) {
	for _, s := range []string{"", "sk_", "pk_abc", "Bearer sk_abc", "sk_" + string(bytes.Repeat([]byte("a"), apikey.MaxLen))} {
		if apikey.Plausible(s) {
			t.Errorf("Plausible(%q) = true", s)
		}
	}
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	v := &oriel.Vendor{Name: "Acme"}
	if err := s.CreateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}
	secret, k, err := apikey.Create(ctx, s, v.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == "" || k.VendorID != v.ID || k.Name != "ci" || k.Hint != secret[len(secret)-4:] {
		t.Fatalf("unexpected key %+v", k)
	}
	got, err := s.APIKeyByHash(ctx, apikey.Hash(secret))
	if err != nil || got.ID != k.ID {
		t.Fatalf("APIKeyByHash = %+v, %v; want key %s", got, err, k.ID)
	}
}
