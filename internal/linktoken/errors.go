package linktoken

import "github.com/orielhq/oriel"

// Error codes. Every rejection is an *oriel.Error with one of these codes;
// docs/direct-linking.md explains each to integrators. The 400 codes say the
// token cannot be read; the 401 codes say it was read and refused.
const (
	CodeMissing          = "token_missing"       // 400: no token
	CodeTooLarge         = "token_too_large"     // 400: over MaxTokenBytes
	CodeMalformed        = "token_malformed"     // 400: not a strict compact JWS with JSON header and claims
	CodeSubMalformed     = "sub_malformed"       // 400: sub missing or not vendor:customer[:user]
	CodeIATMissing       = "iat_missing"         // 400: no iat
	CodeClaimMalformed   = "claim_malformed"     // 400: iat, exp or nbf not an integer NumericDate
	CodeJTIMissing       = "jti_missing"         // 400: no jti, or an empty one
	CodeJTIMalformed     = "jti_malformed"       // 400: jti not a string of 1–128 printable ASCII characters
	CodeOriginMalformed  = "origin_malformed"    // 400: origin not scheme://host[:port]
	CodeAlgNotAllowed    = "alg_not_allowed"     // 401: alg not RS256/ES256/EdDSA, or not the key's algorithm
	CodeHeaderNotAllowed = "header_not_allowed"  // 401: a header parameter other than alg, typ, kid (and crit)
	CodeCritUnsupported  = "crit_unsupported"    // 401: crit present
	CodeTypNotAllowed    = "typ_not_allowed"     // 401: typ present and not JWT
	CodeAudNotAllowed    = "aud_not_allowed"     // 401: aud present
	CodeUnknownKey       = "unknown_key"         // 401: no key of the vendor's matches kid, or the vendor has none
	CodeSignatureInvalid = "signature_invalid"   // 401: every signature-level failure
	CodeExpired          = "token_expired"       // 401: exp passed
	CodeNotYetValid      = "token_not_yet_valid" // 401: nbf in the future
	CodeIATInFuture      = "iat_in_future"       // 401: iat more than the skew ahead
	CodeTooOld           = "token_too_old"       // 401: iat older than the maximum age
)

// malformed returns a 400 error with code; the message must not quote the token.
func malformed(code, format string, args ...any) error {
	return oriel.Errorf(oriel.EINVALID, code, format, args...)
}

// refused returns a 401 error with code; the message must not quote the token.
func refused(code, format string, args ...any) error {
	return oriel.Errorf(oriel.EUNAUTHORIZED, code, format, args...)
}
