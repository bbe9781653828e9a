package linktoken_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// fuzzKey is an Ed25519 key derived from a fixed seed. Ed25519 signatures
// are deterministic and not malleable, so the tokens fuzzTokens signs are
// the only strings that may verify under it; the committed corpus in
// testdata/fuzz/FuzzParse holds them with the same bytes.
func fuzzKey(t testing.TB) *linktokentest.Key {
	seed := sha256.Sum256([]byte("oriel linktoken FuzzParse"))
	return linktokentest.FromPrivate(t, ed25519.NewKeyFromSeed(seed[:]), "fz")
}

// fuzzTokens returns the valid tokens signed with fuzzKey.
func fuzzTokens(t testing.TB) []string {
	k := fuzzKey(t)
	return []string{
		k.Sign(t, `{"alg":"EdDSA","typ":"JWT"}`, `{"sub":"vnd_f:cus_f:usr_f","iat":1800000000,"jti":"fuzz-1"}`),
		k.Sign(t, `{"alg":"EdDSA","kid":"fz"}`, `{"sub":"vnd_f:Ecus","iat":1800000000,"exp":1800000060,"nbf":1799999990,"jti":"fuzz-2","origin":"https://a.example:8443","x":[{"y":null}]}`),
		k.Sign(t, `{"\u0061lg":"EdDSA"}`, `{"s\u0075b":"vnd_f\u003ac\/1","iat":1800000000,"jti":"\u006a"}`),
	}
}

// FuzzParse feeds arbitrary strings to Parse and Verify. Nothing may panic,
// every error must carry a documented code, every accepted token must read
// the same with encoding/json, and only the genuinely signed tokens verify.
func FuzzParse(f *testing.F) {
	key := fuzzKey(f)
	signed := map[string]bool{}
	for _, raw := range fuzzTokens(f) {
		signed[raw] = true
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := linktoken.Parse(raw)
		if err != nil {
			wantDocumentedError(t, err)
			return
		}
		agreesWithEncodingJSON(t, raw, tok)
		_, err = tok.Verify([]linktoken.Key{key.Key})
		if err == nil && !signed[raw] {
			t.Fatalf("a token that was never signed verified: %q", raw)
		}
		if err != nil {
			wantDocumentedError(t, err)
		}
	})
}

// The committed corpus holds the tokens fuzzTokens signs, and they verify.
func TestFuzzCorpusIsSigned(t *testing.T) {
	key := fuzzKey(t)
	for i, raw := range fuzzTokens(t) {
		file := filepath.Join("testdata", "fuzz", "FuzzParse", fmt.Sprint("valid-", i+1))
		committed, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(committed), strconv.Quote(raw)) {
			t.Errorf("%s does not hold the token fuzzTokens signs (%v)", file, err)
		}
		tok, err := linktoken.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tok.Verify([]linktoken.Key{key.Key}); err != nil {
			t.Fatal(err)
		}
	}
}

func wantDocumentedError(t *testing.T, err error) {
	t.Helper()
	var e *oriel.Error
	if !errors.As(err, &e) || statusKinds[e.Code] != e.Kind {
		t.Fatalf("undocumented error %#v", err)
	}
}

// agreesWithEncodingJSON decodes the token with encoding/json (exact names,
// into maps) and checks that Parse read the same header and claims.
func agreesWithEncodingJSON(t *testing.T, raw string, tok *linktoken.Token) {
	t.Helper()
	h, p, _ := segments(raw)
	var header, claims map[string]any
	for _, x := range []struct {
		seg string
		dst *map[string]any
	}{{h, &header}, {p, &claims}} {
		b, err := decodeSegment(x.seg)
		if err != nil {
			t.Fatalf("Parse accepted a segment base64 refuses: %v", err)
		}
		if err := json.Unmarshal(b, x.dst); err != nil {
			t.Fatalf("Parse accepted JSON encoding/json refuses: %v", err)
		}
	}
	sub := tok.VendorID() + ":" + tok.CustomerRef()
	if tok.UserRef() != "" {
		sub += ":" + tok.UserRef()
	}
	kid, _ := header["kid"].(string)
	got := fmt.Sprint(header["alg"], kid, claims["sub"], claims["jti"], claims["iat"])
	want := fmt.Sprint(tok.Alg(), tok.KID(), sub, tok.JTI(), float64(tok.IssuedAt().Unix()))
	if got != want {
		t.Fatalf("encoding/json reads %q, Parse read %q", got, want)
	}
}
