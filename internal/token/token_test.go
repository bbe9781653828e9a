package token

import (
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
)

func keyring(t testing.TB, spec string) *seal.Keyring {
	t.Helper()
	k, err := seal.ParseKeyring(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const (
	key1 = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	key2 = "k2:HxwdHhscGRoXGBUWExQREg8QDQ4LDAkKBwgFBgMEAQI="
)

func TestIssueCheck(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := NewMinter(keyring(t, key1), func() time.Time { return now })
	c := &Claims{VendorID: "vnd_1", CustomerID: "cus_1", UserID: "usr_1", Role: oriel.RoleViewer, Origin: "https://app.test"}
	tok, err := m.Issue(Access, c, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "oat_") || strings.ContainsAny(tok, ":+/= ") || len(tok) > MaxLen {
		t.Fatalf("token %q is not a compact bearer token", tok)
	}
	if strings.Contains(tok, "vnd_1") || strings.Contains(tok, "cus_1") {
		t.Fatal("token is not opaque")
	}
	got, err := m.Check(Access, tok)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *c || got.ExpiresAt-got.IssuedAt != 900 || !strings.HasPrefix(got.ID, "tok_") {
		t.Fatalf("claims %+v, want %+v", got, c)
	}

	if _, err := m.Check(Session, tok); oriel.ErrorCode(err) != "token_invalid" {
		t.Fatalf("access token passed as a session: %v", err)
	}
	swapped := "ors_" + strings.TrimPrefix(tok, "oat_")
	if _, err := m.Check(Session, swapped); oriel.ErrorCode(err) != "token_invalid" {
		t.Fatalf("re-prefixed token accepted: %v", err)
	}
	for i := 4; i < len(tok); i += 7 {
		b := []byte(tok)
		b[i] ^= 1
		if _, err := m.Check(Access, string(b)); err == nil {
			t.Fatalf("token altered at %d accepted", i)
		}
	}
	for _, bad := range []string{"", "oat_", "oat_v1.k1.", "Bearer " + tok, tok + "x", strings.Repeat("a", MaxLen+1)} {
		if _, err := m.Check(Access, bad); oriel.ErrorCode(err) != "token_invalid" {
			t.Errorf("Check(%.20q) = %v, want token_invalid", bad, err)
		}
	}

	now = now.Add(15 * time.Minute)
	if _, err := m.Check(Access, tok); oriel.ErrorCode(err) != "token_expired" {
		t.Fatalf("expired token: %v", err)
	}
}

func TestRotationAndOtherDeployments(t *testing.T) {
	old := NewMinter(keyring(t, key1), nil)
	tok, err := old.Issue(Session, &Claims{VendorID: "v"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rotated := NewMinter(keyring(t, key1+","+key2), nil)
	if _, err := rotated.Check(Session, tok); err != nil {
		t.Fatalf("a token from before a key rotation was rejected: %v", err)
	}
	other := NewMinter(keyring(t, key2), nil)
	if _, err := other.Check(Session, tok); oriel.ErrorCode(err) != "token_invalid" {
		t.Fatalf("another deployment's token: %v", err)
	}
}

func TestTokensAreDistinct(t *testing.T) {
	m := NewMinter(keyring(t, key1), nil)
	seen := map[string]bool{}
	for range 1000 {
		c := &Claims{VendorID: "v", CustomerID: "c"}
		tok, err := m.Issue(Access, c, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if seen[tok] || seen[c.ID] {
			t.Fatal("a token or token id repeated")
		}
		seen[tok], seen[c.ID] = true, true
	}
}

func BenchmarkIssue(b *testing.B) {
	m := NewMinter(keyring(b, key1), nil)
	for b.Loop() {
		if _, err := m.Issue(Access, &Claims{VendorID: "vnd_x", CustomerID: "cus_y", Role: oriel.RoleAdmin}, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	m := NewMinter(keyring(b, key1), nil)
	tok, _ := m.Issue(Access, &Claims{VendorID: "vnd_x", CustomerID: "cus_y", Role: oriel.RoleAdmin}, time.Minute)
	for b.Loop() {
		if _, err := m.Check(Access, tok); err != nil {
			b.Fatal(err)
		}
	}
}
