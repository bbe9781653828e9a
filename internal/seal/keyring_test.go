package seal_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/orielhq/oriel/internal/seal"
)

// secretKey is a fixed test key; the tests check it never appears in an error.
var secretKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

func TestParseKeyring(t *testing.T) {
	raw := []byte("0123456789abcdef0123456789abcdef")
	cases := map[string]string{
		"standard padded":  "k1:" + base64.StdEncoding.EncodeToString(raw),
		"standard raw":     "k1:" + base64.RawStdEncoding.EncodeToString(raw),
		"url-safe":         "k1:" + base64.URLEncoding.EncodeToString(raw),
		"spaces around":    "  k1:" + secretKey + " , k_2-x:" + secretKey + " ",
		"many keys":        "a:" + secretKey + ",b:" + secretKey + ",c:" + secretKey,
		"32-character id":  strings.Repeat("x", 32) + ":" + secretKey,
		"newline separate": "a:" + secretKey + ",\nb:" + secretKey + "\n",
	}
	for name, spec := range cases {
		if _, err := seal.ParseKeyring(spec); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	k, err := seal.ParseKeyring("old:" + secretKey + ",new:" + secretKey)
	if err != nil {
		t.Fatal(err)
	}
	if k.CurrentID() != "new" || strings.Join(k.IDs(), ",") != "old,new" {
		t.Errorf("CurrentID %q, IDs %v; want new, [old new]", k.CurrentID(), k.IDs())
	}
}

func TestParseKeyringErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("too short"))
	long := base64.StdEncoding.EncodeToString(make([]byte, 64))
	cases := map[string]struct{ spec, want string }{
		"empty":         {"", "no encryption keys"},
		"blank":         {"  ", "no encryption keys"},
		"stray comma":   {"k1:" + secretKey + ",", "key 2 is empty"},
		"no id":         {secretKey, "key 1 is not in the form id:base64key"},
		"empty id":      {":" + secretKey, "key 1 has an invalid id"},
		"bad id":        {"k/1:" + secretKey, "key 1 has an invalid id"},
		"long id":       {strings.Repeat("x", 33) + ":" + secretKey, "key 1 has an invalid id"},
		"duplicate":     {"k1:" + secretKey + ",k1:" + secretKey, `"k1" appears twice`},
		"bad base64":    {"k1:not*base64", `"k1": the key is not valid base64`},
		"short key":     {"k1:" + short, "the key is 9 bytes, want 32"},
		"long key":      {"k1:" + long, "the key is 64 bytes, want 32"},
		"second broken": {"k1:" + secretKey + ",k2:" + secretKey[:20], `"k2"`},
	}
	for name, tc := range cases {
		_, err := seal.ParseKeyring(tc.spec)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", name, err, tc.want)
		}
		if strings.Contains(err.Error(), secretKey[:20]) || strings.Contains(err.Error(), short) {
			t.Errorf("%s: error %q shows key material", name, err)
		}
	}
}

func TestNewKeyEntry(t *testing.T) {
	a, err := seal.NewKeyEntry("k1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := seal.NewKeyEntry("k1")
	if a == b {
		t.Error("two new keys are equal")
	}
	if _, err := seal.ParseKeyring(a); err != nil {
		t.Errorf("ParseKeyring(NewKeyEntry) = %v", err)
	}
	if _, err := seal.NewKeyEntry("bad:id"); err == nil {
		t.Error("NewKeyEntry accepted an id with ':'")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), seal.DevKeyFile)
	first, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first call: created %v, err %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %04o, want 0600", perm)
	}

	second, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second call: created %v, err %v", created, err)
	}
	ct, err := first.Seal([]byte("kept across restarts"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := second.Open(ct, nil); err != nil || string(got) != "kept across restarts" {
		t.Errorf("the reloaded key does not open what the first sealed: %q, %v", got, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the key file", len(entries))
	}
}

func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), seal.DevKeyFile)
	const n = 8
	rings := make([]*seal.Keyring, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, _, err := seal.LoadOrCreateKeyFile(path)
			if err != nil {
				t.Error(err)
			}
			rings[i] = k
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	ct, err := rings[0].Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range rings {
		if _, err := k.Open(ct, nil); err != nil {
			t.Errorf("caller %d got a different key: %v", i, err)
		}
	}
}

func TestLoadOrCreateKeyFileRefusesReadableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), seal.DevKeyFile)
	if err := os.WriteFile(path, []byte("dev:"+secretKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // regardless of umask
		t.Fatal(err)
	}
	_, _, err := seal.LoadOrCreateKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("error = %v, want a hint to chmod 600", err)
	}
	if strings.Contains(err.Error(), secretKey[:20]) {
		t.Errorf("error %q shows key material", err)
	}
}

func TestLoadOrCreateKeyFileBadContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), seal.DevKeyFile)
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := seal.LoadOrCreateKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error = %v, want one naming the file", err)
	}
}
