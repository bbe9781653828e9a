package linktoken_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// B03, B04: HMAC tokens keyed with nothing or with the vendor's public key
// never reach a verifier.
func TestVerifyHMACConfusion(t *testing.T) {
	k := keysFor(t)
	pub := k.rsa.PublicKey
	der, _ := x509.MarshalPKIXPublicKey(pub.Key)
	secrets := map[string][]byte{
		"empty":       {},
		"PEM":         []byte(pub.PEM),
		"DER":         der,
		"modulus":     pub.Key.(*rsa.PublicKey).N.Bytes(),
		"JWK":         []byte(`{"kty":"RSA","e":"AQAB","n":"` + base64.RawURLEncoding.EncodeToString(pub.Key.(*rsa.PublicKey).N.Bytes()) + `"}`),
		"fingerprint": []byte(pub.Fingerprint),
	}
	for name, secret := range secrets {
		for _, m := range []jwt.SigningMethod{jwt.SigningMethodHS256, jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
			raw := linktokentest.SignWith(t, m, secret, fmt.Sprintf(`{"alg":%q,"typ":"JWT","kid":"k1"}`, m.Alg()), linktokentest.Claims(sub, time.Now()))
			_, err := open(raw, []linktoken.Key{k.rsa.Key}, time.Now())
			wantCode(t, raw, err, linktoken.CodeAlgNotAllowed)
			t.Logf("%s/%s rejected", name, m.Alg())
		}
	}
}

// B05: a token validly signed under another algorithm than the vendor's key.
func TestVerifyAlgorithmBoundToKey(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	claims := linktokentest.Claims(sub, now)
	cases := []struct {
		name string
		raw  string
		code string
	}{
		{"RS384 with the vendor's RSA key", linktokentest.SignWith(t, jwt.SigningMethodRS384, k.rsa.Private, `{"alg":"RS384"}`, claims), linktoken.CodeAlgNotAllowed},
		{"RS512 with the vendor's RSA key", linktokentest.SignWith(t, jwt.SigningMethodRS512, k.rsa.Private, `{"alg":"RS512"}`, claims), linktoken.CodeAlgNotAllowed},
		{"PS256 with the vendor's RSA key", linktokentest.SignWith(t, jwt.SigningMethodPS256, k.rsa.Private, `{"alg":"PS256"}`, claims), linktoken.CodeAlgNotAllowed},
		{"ES256 without kid, vendor has RSA only", k.ec.Sign(t, `{"alg":"ES256"}`, claims), linktoken.CodeAlgNotAllowed},
		{"ES256 naming the RSA key's kid", k.ec.Sign(t, `{"alg":"ES256","kid":"k1"}`, claims), linktoken.CodeAlgNotAllowed},
		{"RS256 header over an ES256 signature", replaceHeader(k.ec.Sign(t, `{"alg":"ES256"}`, claims), `{"alg":"RS256"}`), linktoken.CodeSignatureInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(c.raw, []linktoken.Key{k.rsa.Key}, now)
			wantCode(t, c.raw, err, c.code)
		})
	}
}

// B10, B12–B14: which keys are tried.
func TestVerifyKeySelection(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	claims := linktokentest.Claims(sub, now)
	signedByOther := k.rsaOther.Sign(t, `{"alg":"RS256","kid":"k2"}`, claims)
	signedByOtherNoKID := k.rsaOther.Sign(t, `{"alg":"RS256"}`, claims)
	signedByVendorNamingK2 := k.rsa.Sign(t, `{"alg":"RS256","kid":"k2"}`, claims)
	cases := []struct {
		name string
		raw  string
		keys []linktoken.Key
		code string
	}{
		{"B10 unknown kid, no fallback to other keys", k.rsa.Sign(t, `{"alg":"RS256","kid":"nope"}`, claims), []linktoken.Key{k.rsa.Key}, linktoken.CodeUnknownKey},
		{"B11 kid path", k.rsa.Sign(t, `{"alg":"RS256","kid":"../../../../dev/null"}`, claims), []linktoken.Key{k.rsa.Key}, linktoken.CodeUnknownKey},
		{"B12 other vendor's key, with its kid", signedByOther, []linktoken.Key{k.rsa.Key}, linktoken.CodeUnknownKey},
		{"B12 other vendor's key, no kid", signedByOtherNoKID, []linktoken.Key{k.rsa.Key}, linktoken.CodeSignatureInvalid},
		{"B13 vendor's key under the other vendor's kid", signedByVendorNamingK2, []linktoken.Key{k.rsa.Key, k.rsaOther.WithKID("k3").Key}, linktoken.CodeUnknownKey},
		{"B13 kid matches a key that did not sign", signedByVendorNamingK2, []linktoken.Key{k.rsa.Key, k.rsaOther.Key}, linktoken.CodeSignatureInvalid},
		{"B14 rotated-out key", signedByOther, []linktoken.Key{k.rsa.Key}, linktoken.CodeUnknownKey},
		{"vendor without keys", signedByOtherNoKID, nil, linktoken.CodeUnknownKey},
		{"nil keys are skipped", signedByOtherNoKID, []linktoken.Key{{KID: "k2"}}, linktoken.CodeUnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(c.raw, c.keys, now)
			wantCode(t, c.raw, err, c.code)
		})
	}

	t.Run("B14 both keys active during rotation", func(t *testing.T) {
		for _, raw := range []string{signedByOther, signedByOtherNoKID} {
			tok, err := linktoken.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tok.Verify([]linktoken.Key{k.rsa.Key, k.rsaOther.Key})
			if err != nil || got.PublicKey != k.rsaOther.PublicKey {
				t.Fatalf("Verify = %v, %v; want the second key", got.KID, err)
			}
		}
	})
}

// At most MaxKeysTried keys are tried for a token without kid.
func TestVerifyTriesAtMostFiveKeys(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	others := make([]linktoken.Key, 0, linktoken.MaxKeysTried+1)
	for i := range linktoken.MaxKeysTried {
		others = append(others, k.rsaOther.WithKID(fmt.Sprint("o", i)).Key)
	}
	others = append(others, k.ec.Key, k.ed.Key) // other algorithms do not count
	raw := k.rsa.Sign(t, `{"alg":"RS256"}`, linktokentest.Claims(sub, now))

	_, err := open(raw, append(others, k.rsa.Key), now)
	wantCode(t, raw, err, linktoken.CodeSignatureInvalid)
	if !strings.Contains(err.Error(), "kid") {
		t.Errorf("message does not tell to use kid: %v", err)
	}
	if _, err := open(raw, append([]linktoken.Key{k.rsa.Key}, others...), now); err != nil {
		t.Errorf("first of many keys: %v", err)
	}
	if _, err := open(raw, append(others[1:], k.rsa.Key), now); err != nil {
		t.Errorf("fifth of five RSA keys: %v", err)
	}
}

// B15–B18, C09: signatures that must not verify.
func TestVerifyBadSignatures(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	claims := linktokentest.Claims(sub, now)
	rsaToken := k.rsa.Token(t, sub, now)
	h, p, s := segments(rsaToken)
	sig, _ := base64.RawURLEncoding.DecodeString(s)
	n := k.rsa.Key.Key.(*rsa.PublicKey).N
	esHeader := `{"alg":"ES256","kid":"e1"}`
	esInput := linktokentest.Encode(esHeader) + "." + linktokentest.Encode(claims)
	digest := sha256.Sum256([]byte(esInput))
	der, err := ecdsa.SignASN1(rand.Reader, k.ec.Private.(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	withSig := func(input string, sig []byte) string {
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	cases := []struct{ name, raw string }{
		{"B15 ES256 DER signature", withSig(esInput, der)},
		{"B16 ES256 r=s=0", withSig(esInput, make([]byte, 64))},
		{"B16 ES256 r=s=n", withSig(esInput, append(elliptic.P256().Params().N.FillBytes(make([]byte, 32)), elliptic.P256().Params().N.FillBytes(make([]byte, 32))...))},
		{"B17 one byte short", withSig(h+"."+p, sig[:len(sig)-1])},
		{"B17 one byte long", withSig(h+"."+p, append(append([]byte{}, sig...), 0))},
		{"B17 all zero", withSig(h+"."+p, make([]byte, len(sig)))},
		{"B17 n", withSig(h+"."+p, n.Bytes())},
		{"B17 n-1", withSig(h+"."+p, new(big.Int).Sub(n, big.NewInt(1)).Bytes())},
		{"B17 one", withSig(h+"."+p, big.NewInt(1).FillBytes(make([]byte, len(sig))))},
		{"B18 header changed after signing", replaceHeader(rsaToken, `{"alg":"RS256","kid":"k1"}`)},
		{"B18 payload changed after signing", h + "." + linktokentest.Encode(strings.Replace(claims, "cus_ZQc", "cus_ZQd", 1)) + "." + s},
		{"C09 expired and badly signed", withSig(h+"."+linktokentest.Encode(fmt.Sprintf(`{"sub":%q,"iat":1,"exp":2,"jti":"j"}`, sub)), sig)},
		{"Ed25519 signature flipped", flipByte(k.ed.Token(t, sub, now))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := open(c.raw, []linktoken.Key{k.rsa.Key, k.ec.Key, k.ed.Key}, now)
			wantCode(t, c.raw, err, linktoken.CodeSignatureInvalid)
		})
	}
}

// C14: the (r, n−s) twin of an ES256 signature verifies too, and carries the
// same jti: replay protection must key on (vendor, jti), never on the bytes.
func TestVerifyMalleableTwinHasSameJTI(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	raw := k.ec.Token(t, sub, now)
	h, p, s := segments(raw)
	sig, _ := base64.RawURLEncoding.DecodeString(s)
	curveN := elliptic.P256().Params().N
	sTwin := new(big.Int).Sub(curveN, new(big.Int).SetBytes(sig[32:]))
	twin := h + "." + p + "." + base64.RawURLEncoding.EncodeToString(append(sig[:32:32], sTwin.FillBytes(make([]byte, 32))...))
	a, err := open(raw, []linktoken.Key{k.ec.Key}, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := open(twin, []linktoken.Key{k.ec.Key}, now)
	if err != nil {
		t.Fatalf("twin: %v", err)
	}
	if twin == raw || a.JTI() != b.JTI() || a.VendorID() != b.VendorID() {
		t.Fatal("the twin must differ in bytes and agree on (vendor, jti)")
	}
}

// VerifySignature refuses a key of another algorithm before any crypto.
func TestVerifySignatureChecksAlgorithm(t *testing.T) {
	k := keysFor(t)
	err := linktoken.VerifySignature(k.rsa.PublicKey, keys.ES256, "a.b", make([]byte, 64))
	wantCode(t, "", err, linktoken.CodeAlgNotAllowed)
	wantCode(t, "", linktoken.VerifySignature(nil, keys.RS256, "a.b", nil), linktoken.CodeUnknownKey)
	err = linktoken.VerifySignature(&keys.PublicKey{Key: k.rsa.Key.Key, Algorithm: "HS256"}, "HS256", "a.b", make([]byte, 32))
	wantCode(t, "", err, linktoken.CodeAlgNotAllowed)
}

// replaceHeader swaps the header segment of raw for another header.
func replaceHeader(raw, header string) string {
	_, p, s := segments(raw)
	return linktokentest.Encode(header) + "." + p + "." + s
}

// flipByte changes one bit inside the signature, keeping the encoding canonical.
func flipByte(raw string) string {
	h, p, s := segments(raw)
	sig, _ := base64.RawURLEncoding.DecodeString(s)
	sig[0] ^= 1
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(sig)
}
