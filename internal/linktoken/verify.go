package linktoken

import (
	"github.com/golang-jwt/jwt/v5"

	"github.com/orielhq/oriel/internal/keys"
)

// MaxKeysTried is how many of the vendor's keys Verify tries for a token
// without kid; with more candidates the vendor must name its key.
const MaxKeysTried = 5

// Key is one of a vendor's signing keys as Verify needs it.
type Key struct {
	KID string // the kid a token header may name; "" when the key has none
	*keys.PublicKey
}

// Verify checks the signature with one of the keys of the vendor named by
// VendorID; the caller passes exactly that vendor's active keys, newest
// first. A token with kid is checked only with the key of that kid; one
// without is checked with each key of the token's algorithm, at most
// MaxKeysTried. The key that verified the token is returned.
//
// A key verifies exactly one algorithm (RFC 8725 §3.1), so a token whose alg
// differs from the key's is refused with alg_not_allowed, never tried.
func (t *Token) Verify(candidates []Key) (Key, error) {
	if t.kid != "" {
		for _, k := range candidates {
			if k.PublicKey != nil && k.KID == t.kid {
				return k, VerifySignature(k.PublicKey, t.alg, t.signingInput, t.signature)
			}
		}
		return Key{}, refused(CodeUnknownKey, "the vendor has no active signing key with the kid named in the token header")
	}
	usable, tried := 0, 0
	for _, k := range candidates {
		if k.PublicKey == nil {
			continue
		}
		if usable++; k.Algorithm != t.alg {
			continue
		}
		if tried == MaxKeysTried {
			return Key{}, refused(CodeSignatureInvalid, "the signature does not verify with any of the %d newest %s keys of the vendor; the vendor has more, so name the signing key with kid", MaxKeysTried, t.alg)
		}
		tried++
		if VerifySignature(k.PublicKey, t.alg, t.signingInput, t.signature) == nil {
			return k, nil
		}
	}
	switch {
	case tried > 0:
		return Key{}, refused(CodeSignatureInvalid, "the signature does not verify with any of the vendor's %s keys; sign with the private key whose public key is registered", t.alg)
	case usable > 0:
		return Key{}, refused(CodeAlgNotAllowed, "the vendor has no %s signing key; sign with the algorithm of a registered key", t.alg)
	default:
		return Key{}, refused(CodeUnknownKey, "the vendor has no active signing key; register one with POST /v1/signing-keys")
	}
}

// VerifySignature is the signature layer of Verify: it checks sig over
// signingInput with key under alg, using golang-jwt's verifiers (crypto/rsa
// PKCS#1 v1.5, crypto/ecdsa with a 64-byte R‖S signature, crypto/ed25519).
// alg must be the key's algorithm.
func VerifySignature(key *keys.PublicKey, alg, signingInput string, sig []byte) error {
	if key == nil {
		return refused(CodeUnknownKey, "no signing key was given")
	}
	if key.Algorithm != alg {
		return refused(CodeAlgNotAllowed, "the token's alg is %s but the signing key verifies %s only", alg, key.Algorithm)
	}
	var method jwt.SigningMethod
	switch alg {
	case keys.RS256:
		method = jwt.SigningMethodRS256
	case keys.ES256:
		method = jwt.SigningMethodES256
	case keys.EdDSA:
		method = jwt.SigningMethodEdDSA
	default:
		return refused(CodeAlgNotAllowed, "alg must be RS256, ES256 or EdDSA")
	}
	if method.Verify(signingInput, sig, key.Key) != nil {
		return refused(CodeSignatureInvalid, "the signature does not verify with the vendor's %s key; sign with the private key whose public key is registered", alg)
	}
	return nil
}
