// Package wycheproof_test runs Project Wycheproof's vectors through the
// direct-link verifier: the signature layer (linktoken.VerifySignature) with
// the RSA PKCS#1 v1.5, ECDSA P-256 (R‖S) and Ed25519 files, and the whole
// pipeline (Parse then Verify) with the JSON Web Signature file. It is the
// only package that imports the vectors module, which embeds every file and
// makes its test binary large.
package wycheproof_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"math/big"
	"strings"
	"testing"

	"github.com/c2sp/wycheproof"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
)

// signatureFile is the part of a *Verify schema file these tests read.
type signatureFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		PublicKeyPem string `json:"publicKeyPem"`
		Tests        []struct {
			TcID    int      `json:"tcId"`
			Comment string   `json:"comment"`
			Flags   []string `json:"flags"`
			Msg     string   `json:"msg"`
			Sig     string   `json:"sig"`
			Result  string   `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// D01, D04: every valid signature verifies, every invalid one is refused
// with signature_invalid, "acceptable" ones may go either way.
func TestSignatureVectors(t *testing.T) {
	for file, alg := range map[string]string{
		"rsa_signature_2048_sha256_test.json":    keys.RS256,
		"rsa_signature_3072_sha256_test.json":    keys.RS256,
		"rsa_signature_4096_sha256_test.json":    keys.RS256,
		"ecdsa_secp256r1_sha256_p1363_test.json": keys.ES256,
		"ed25519_test.json":                      keys.EdDSA,
	} {
		t.Run(strings.TrimSuffix(file, "_test.json"), func(t *testing.T) {
			var f signatureFile
			readVectors(t, file, &f)
			var ran, valid, invalid, acceptable int
			for _, g := range f.TestGroups {
				pub, err := keys.Parse(g.PublicKeyPem)
				if err != nil {
					t.Fatalf("group key refused: %v", err)
				}
				for _, tc := range g.Tests {
					ran++
					msg, sig := mustHex(t, tc.Msg), mustHex(t, tc.Sig)
					err := linktoken.VerifySignature(pub, alg, string(msg), sig)
					switch tc.Result {
					case "valid":
						valid++
						if err != nil {
							t.Errorf("tcId %d (%s %v): valid signature refused: %v", tc.TcID, tc.Comment, tc.Flags, err)
						}
					case "invalid":
						invalid++
						if oriel.ErrorCode(err) != linktoken.CodeSignatureInvalid {
							t.Errorf("tcId %d (%s %v): invalid signature got %v", tc.TcID, tc.Comment, tc.Flags, err)
						}
					default:
						acceptable++
					}
				}
			}
			if ran != f.NumberOfTests {
				t.Errorf("ran %d of %d vectors", ran, f.NumberOfTests)
			}
			t.Logf("%d vectors: %d valid, %d invalid, %d acceptable", ran, valid, invalid, acceptable)
		})
	}
}

// jwsFile is the part of json_web_signature_test.json these tests read.
type jwsFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		Comment string          `json:"comment"`
		Public  json.RawMessage `json:"public"`
		Tests   []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			JWS     string `json:"jws"`
			Result  string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// D02: every invalid JWS vector is refused by Parse then Verify, with a
// documented code, when the group's public key is the vendor's only key.
// Because most vectors carry payloads that are not direct-link claims (so
// Parse refuses them early), every compact vector of an algorithm Oriel
// allows is also run through the signature layer alone:
// D03: valid ones verify there (RFC 7520 figure 13 among them); invalid
// ones are refused there too, except signatureLayerExceptions.
func TestJSONWebSignatureVectors(t *testing.T) {
	var f jwsFile
	readVectors(t, "json_web_signature_test.json", &f)
	var ran, validChecked, invalidChecked int
	codes := map[string]int{}
	for _, g := range f.TestGroups {
		var candidates []linktoken.Key
		if key, kid := publicJWK(t, g.Public); key != nil {
			candidates = []linktoken.Key{{KID: kid, PublicKey: key}}
		}
		for _, tc := range g.Tests {
			ran++
			if tc.Result == "invalid" {
				err := parseAndVerify(tc.JWS, candidates)
				var e *oriel.Error
				if !errors.As(err, &e) || e.Kind == oriel.EINTERNAL {
					t.Errorf("tcId %d (%s: %s): want a documented refusal, got %v", tc.TcID, g.Comment, tc.Comment, err)
				}
				codes[oriel.ErrorCode(err)]++
			}
			alg, input, sig, ok := compactParts(tc.JWS)
			if !ok || len(candidates) == 0 || candidates[0].Algorithm != alg {
				continue // HS*, PS*, RS384/512, P-521, JSON serialization …
			}
			err := linktoken.VerifySignature(candidates[0].PublicKey, alg, input, sig)
			switch {
			case tc.Result == "valid":
				validChecked++
				if err != nil {
					t.Errorf("tcId %d (%s: %s): valid %s signature refused: %v", tc.TcID, g.Comment, tc.Comment, alg, err)
				}
			case err == nil && !signatureLayerExceptions[tc.TcID]:
				t.Errorf("tcId %d (%s: %s): invalid vector verifies at the signature layer", tc.TcID, g.Comment, tc.Comment)
			default:
				invalidChecked++
			}
		}
	}
	if ran != f.NumberOfTests {
		t.Errorf("ran %d of %d vectors", ran, f.NumberOfTests)
	}
	t.Logf("%d vectors; invalid ones refused by Parse+Verify with %v; at the signature layer %d valid verified, %d invalid checked", ran, codes, validChecked, invalidChecked)
}

// signatureLayerExceptions are invalid vectors whose signature is genuine:
// what makes them invalid is a key property Oriel does not have.
var signatureLayerExceptions = map[int]bool{
	332: true, // "UsingRS256" with a key the JWK reserves for PS512; Oriel binds every RSA key to RS256
	353: true, // keys whose JWK says "use":"enc" or "key_ops":["encrypt"]: vendors register
	354: true, // PEM keys, which carry no use or key_ops, so these do not apply
	355: true,
	356: true,
}

func parseAndVerify(raw string, candidates []linktoken.Key) error {
	tok, err := linktoken.Parse(raw)
	if err != nil {
		return err
	}
	_, err = tok.Verify(candidates)
	if err == nil {
		return errors.New("accepted")
	}
	return err
}

// compactParts splits a compact JWS for the signature layer: the header's
// alg, the signing input and the strictly decoded signature.
func compactParts(raw string) (alg, input string, sig []byte, ok bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", nil, false
	}
	header, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return "", "", nil, false
	}
	var h struct{ Alg string }
	if json.Unmarshal(header, &h) != nil {
		return "", "", nil, false
	}
	sig, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	return h.Alg, parts[0] + "." + parts[1], sig, err == nil
}

// publicJWK converts a group's public JWK into a key Oriel would register,
// or nil when Oriel would refuse it (a small RSA key, P-521, …) or there is none.
func publicJWK(t *testing.T, raw json.RawMessage) (*keys.PublicKey, string) {
	t.Helper()
	if len(raw) == 0 {
		return nil, ""
	}
	var jwk struct{ Kty, Crv, Kid, N, E, X, Y string }
	if err := json.Unmarshal(raw, &jwk); err != nil {
		t.Fatal(err)
	}
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWK member: %v", err)
		}
		return v
	}
	var pub crypto.PublicKey
	switch {
	case jwk.Kty == "RSA":
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(b(jwk.N)), E: int(new(big.Int).SetBytes(b(jwk.E)).Int64())}
	case jwk.Kty == "EC" && jwk.Crv == "P-256":
		k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, b(jwk.X)...), b(jwk.Y)...))
		if err != nil {
			t.Fatal(err)
		}
		pub = k
	case jwk.Kty == "OKP" && jwk.Crv == "Ed25519":
		pub = ed25519.PublicKey(b(jwk.X))
	default:
		return nil, ""
	}
	key, err := keys.FromCrypto(pub)
	if err != nil {
		return nil, ""
	}
	return key, jwk.Kid
}

func readVectors(t *testing.T, name string, dst any) {
	t.Helper()
	b, err := fs.ReadFile(wycheproof.TestVectors, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		t.Fatal(err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
