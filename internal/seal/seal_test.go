package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/seal"
)

// newKeyring returns a keyring of fresh random keys with the given ids, the last one newest.
func newKeyring(t *testing.T, ids ...string) (*seal.Keyring, string) {
	t.Helper()
	var entries []string
	for _, id := range ids {
		e, err := seal.NewKeyEntry(id)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	spec := strings.Join(entries, ",")
	k, err := seal.ParseKeyring(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k, spec
}

func TestSealOpenRoundTrip(t *testing.T) {
	k, _ := newKeyring(t, "k1")
	aad := seal.AAD("connections", "con_123", "refresh_token")
	for _, plaintext := range [][]byte{nil, []byte("x"), []byte("CANARY-RT-secret"), bytes.Repeat([]byte{0xff}, 4096)} {
		ct, err := k.Seal(plaintext, aad)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ct, "v1:k1:") {
			t.Errorf("ciphertext %q does not start with v1:k1:", ct)
		}
		if len(plaintext) > 8 && bytes.Contains([]byte(ct), plaintext) {
			t.Errorf("ciphertext contains the plaintext")
		}
		got, err := k.Open(ct, aad)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Errorf("Open = %q, want %q", got, plaintext)
		}
	}
}

func TestSealFormat(t *testing.T) {
	k, _ := newKeyring(t, "k1")
	ct, err := k.Seal([]byte("hello"), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ct, "v1:k1:"))
	if err != nil {
		t.Fatal(err)
	}
	if want := 12 + len("hello") + 16; len(data) != want { // nonce, ciphertext, tag
		t.Errorf("sealed data is %d bytes, want %d", len(data), want)
	}
}

func TestSealNoncesAreUnique(t *testing.T) {
	k, _ := newKeyring(t, "k1")
	seen := map[string]bool{}
	for range 10000 {
		ct, err := k.Seal([]byte("same plaintext"), nil)
		if err != nil {
			t.Fatal(err)
		}
		nonce := ct[:len("v1:k1:")+16] // the first 12 bytes are the first 16 base64 characters
		if seen[nonce] {
			t.Fatalf("nonce repeated after %d seals", len(seen))
		}
		seen[nonce] = true
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	k, _ := newKeyring(t, "k1", "k2")
	aad := seal.AAD("integrations", "int_1", "client_secret")
	ct, err := k.Seal([]byte("CANARY-secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ct, "v1:k2:"))
	flip := func(i int) string {
		d := bytes.Clone(data)
		d[i] ^= 0x01
		return "v1:k2:" + base64.RawURLEncoding.EncodeToString(d)
	}
	cases := map[string]struct {
		ciphertext string
		want       error
	}{
		"nonce bit":        {flip(0), seal.ErrDecrypt},
		"ciphertext bit":   {flip(12), seal.ErrDecrypt},
		"tag bit":          {flip(len(data) - 1), seal.ErrDecrypt},
		"other known key":  {strings.Replace(ct, ":k2:", ":k1:", 1), seal.ErrDecrypt},
		"unknown key":      {strings.Replace(ct, ":k2:", ":k9:", 1), seal.ErrUnknownKey},
		"version":          {"v2" + ct[2:], seal.ErrMalformed},
		"no version":       {strings.TrimPrefix(ct, "v1:"), seal.ErrMalformed},
		"bad key id":       {strings.Replace(ct, ":k2:", ":k 2:", 1), seal.ErrMalformed},
		"truncated":        {"v1:k2:" + base64.RawURLEncoding.EncodeToString(data[:len(data)-1]), seal.ErrDecrypt},
		"too short":        {"v1:k2:" + base64.RawURLEncoding.EncodeToString(data[:27]), seal.ErrMalformed},
		"bad base64":       {ct + "!", seal.ErrMalformed},
		"padded base64":    {ct + "=", seal.ErrMalformed},
		"appended byte":    {"v1:k2:" + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(data), 0)), seal.ErrDecrypt},
		"empty":            {"", seal.ErrMalformed},
		"only header":      {"v1:k2:", seal.ErrMalformed},
		"extra field sign": {"v1:k2:x:" + ct[len("v1:k2:"):], seal.ErrMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := k.Open(tc.ciphertext, aad)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open error = %v, want %v", err, tc.want)
			}
			if got != nil {
				t.Errorf("Open returned %q with an error", got)
			}
		})
	}
}

func TestOpenRejectsWrongAAD(t *testing.T) {
	k, _ := newKeyring(t, "k1")
	ct, err := k.Seal([]byte("secret"), seal.AAD("connections", "con_A", "access_token"))
	if err != nil {
		t.Fatal(err)
	}
	for name, aad := range map[string][]byte{
		"other row":    seal.AAD("connections", "con_B", "access_token"),
		"other column": seal.AAD("connections", "con_A", "refresh_token"),
		"other table":  seal.AAD("integrations", "con_A", "access_token"),
		"none":         nil,
	} {
		if _, err := k.Open(ct, aad); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("%s: Open error = %v, want ErrDecrypt", name, err)
		}
	}
}

func TestAADPartsDoNotCollide(t *testing.T) {
	if bytes.Equal(seal.AAD("ab", "c", "d"), seal.AAD("a", "bc", "d")) {
		t.Error(`AAD("ab","c","d") equals AAD("a","bc","d")`)
	}
	if bytes.Equal(seal.AAD("a", "", "bc"), seal.AAD("a", "b", "c")) {
		t.Error(`AAD("a","","bc") equals AAD("a","b","c")`)
	}
}

func TestRotation(t *testing.T) {
	old, oldSpec := newKeyring(t, "k1")
	aad := seal.AAD("t", "r", "c")
	oldCT, err := old.Seal([]byte("sealed before rotation"), aad)
	if err != nil {
		t.Fatal(err)
	}

	newEntry, err := seal.NewKeyEntry("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := seal.ParseKeyring(oldSpec + "," + newEntry)
	if err != nil {
		t.Fatal(err)
	}
	if got := rotated.CurrentID(); got != "k2" {
		t.Errorf("CurrentID = %q, want k2 (the last key)", got)
	}
	if got, err := rotated.Open(oldCT, aad); err != nil || string(got) != "sealed before rotation" {
		t.Errorf("old ciphertext after rotation: %q, %v", got, err)
	}
	newCT, err := rotated.Seal([]byte("sealed after rotation"), aad)
	if err != nil {
		t.Fatal(err)
	}
	if kid, err := seal.KeyID(newCT); err != nil || kid != "k2" {
		t.Errorf("KeyID(new ciphertext) = %q, %v; want k2", kid, err)
	}
	// The old keyring cannot read what the new key sealed.
	if _, err := old.Open(newCT, aad); !errors.Is(err, seal.ErrUnknownKey) {
		t.Errorf("old keyring Open(new ciphertext) error = %v, want ErrUnknownKey", err)
	}
	if !rotated.Has("k1") || !rotated.Has("k2") || rotated.Has("k3") {
		t.Errorf("Has: wrong answers for %v", rotated.IDs())
	}
}

func TestKeyIDRejectsMalformed(t *testing.T) {
	for _, ct := range []string{"", "v1", "v1:k1", "v2:k1:abc", "v1::abc", "v1:k,1:abc"} {
		if _, err := seal.KeyID(ct); !errors.Is(err, seal.ErrMalformed) {
			t.Errorf("KeyID(%q) error = %v, want ErrMalformed", ct, err)
		}
	}
}

// FuzzOpen checks that no input makes Open panic, and that only a genuine
// ciphertext opens: the one plaintext ever sealed under this key, with its aad.
func FuzzOpen(f *testing.F) {
	entry := "k1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	k, err := seal.ParseKeyring(entry)
	if err != nil {
		f.Fatal(err)
	}
	valid, err := k.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, []byte("aad"))
	f.Add("v1:k1:", []byte(nil))
	f.Add("v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []byte("x"))
	f.Add("v1:k2:"+valid[6:], []byte("aad"))
	f.Fuzz(func(t *testing.T, ciphertext string, aad []byte) {
		plaintext, err := k.Open(ciphertext, aad)
		if err == nil && (string(aad) != "aad" || string(plaintext) != "secret") {
			t.Fatalf("Open(%q, %q) = %q without error", ciphertext, aad, plaintext)
		}
	})
}
