package partner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSigningKeyIsMadeOnceAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	first, err := LoadOrCreateSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v, want 0600", err, fi.Mode())
	}
	again, err := LoadOrCreateSigningKey(path)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("the second call made another key (%v)", err)
	}
	pub, err := PublicKeyPEM(first)
	if err != nil || !strings.HasPrefix(pub, "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("public key %q, %v", pub, err)
	}
}
