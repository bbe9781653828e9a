package main

import (
	"context"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
)

// TestKeysRotate: after a key is appended, `oriel keys rotate` moves every
// secret to it, a second run has nothing left to do, and the old key can
// then be dropped without losing a secret.
func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	k1, _ := seal.NewKeyEntry("k1")
	k2, _ := seal.NewKeyEntry("k2")
	openWith := func(spec string) *store.SQL {
		t.Helper()
		keyring, err := seal.ParseKeyring(spec)
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, dir+"/oriel.db", nil)
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(keyring)
		return db
	}

	db := openWith(k1)
	v := &oriel.Vendor{Name: "Rotating"}
	if err := db.CreateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "crm", Provider: "github", ClientID: "id", ClientSecret: "CANARY-SECRET"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	env := map[string]string{encryptionKeysEnv: k1 + "," + k2}
	for _, want := range []string{"Re-encrypted 1 values", "Re-encrypted 0 values"} {
		stdout, stderr, err := runOriel(t, env, "keys", "rotate", "--data-dir", dir)
		if err != nil || !strings.Contains(stdout, want) || !strings.Contains(stdout, `"k2"`) {
			t.Fatalf("keys rotate: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
		}
	}

	db = openWith(k2)
	defer db.Close()
	if err := db.CheckKeyring(ctx); err != nil {
		t.Fatalf("a value still needs the dropped key: %v", err)
	}
	got, err := db.Integration(ctx, v.ID, "crm")
	if err != nil || got.ClientSecret != "CANARY-SECRET" {
		t.Fatalf("secret after rotation: %v %q", err, got.ClientSecret)
	}
}

func TestKeysRotateNeedsKeys(t *testing.T) {
	_, _, err := runOriel(t, nil, "keys", "rotate", "--data-dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), encryptionKeysEnv) {
		t.Fatalf("keys rotate without keys: %v", err)
	}
}
