package linktoken

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/directlink/claims"
	"github.com/orielhq/oriel/internal/origin"
)

// b64 decodes JWS segments: base64url without padding, and with the unused
// trailing bits zero so that every token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// Parse reads a compact JWS and checks everything that needs no key: the
// size, the three segments, strict base64url, the JSON of header and claims,
// the header policy and the type and shape of every claim Oriel uses.
func Parse(raw string) (*Token, error) {
	switch {
	case raw == "":
		return nil, malformed(CodeMissing, "no token was given")
	case len(raw) > MaxTokenBytes:
		return nil, malformed(CodeTooLarge, "the token is longer than %d bytes", MaxTokenBytes)
	}
	headerEnd, payloadEnd, err := splitSegments(raw)
	if err != nil {
		return nil, err
	}
	// One buffer holds all three decoded segments.
	src := []byte(raw)
	buf := make([]byte, len(raw))
	header, err := decodeSegment(buf, src[:headerEnd], "header")
	if err != nil {
		return nil, err
	}
	payload, err := decodeSegment(buf[len(header):], src[headerEnd+1:payloadEnd], "payload")
	if err != nil {
		return nil, err
	}
	signature, err := decodeSegment(buf[len(header)+len(payload):], src[payloadEnd+1:], "signature")
	if err != nil {
		return nil, err
	}

	t := &Token{signingInput: raw[:payloadEnd], signature: signature}
	var scratch [maxMembers]member
	if err := t.readHeader(header, scratch[:0]); err != nil {
		return nil, err
	}
	if err := t.readClaims(payload, scratch[:0]); err != nil {
		return nil, err
	}
	if len(signature) == 0 {
		return nil, refused(CodeSignatureInvalid, "the token has no signature")
	}
	return t, nil
}

// splitSegments finds the two dots of header.payload.signature without
// splitting, so a string of dots costs no allocation. The strict decoder
// then refuses every byte outside the base64url alphabet except line
// breaks, which base64 decoders skip: those are refused here.
func splitSegments(raw string) (headerEnd, payloadEnd int, err error) {
	headerEnd = strings.IndexByte(raw, '.')
	if headerEnd < 0 {
		return 0, 0, errSegments
	}
	n := strings.IndexByte(raw[headerEnd+1:], '.')
	if n < 0 {
		return 0, 0, errSegments
	}
	payloadEnd = headerEnd + 1 + n
	switch {
	case strings.IndexByte(raw[payloadEnd+1:], '.') >= 0:
		return 0, 0, malformed(CodeMalformed, "a token has exactly three dot-separated parts; this one has more (an encrypted JWE is not accepted)")
	case strings.IndexByte(raw, '\n') >= 0 || strings.IndexByte(raw, '\r') >= 0:
		return 0, 0, malformed(CodeMalformed, "the token contains a line break")
	}
	return headerEnd, payloadEnd, nil
}

var errSegments = malformed(CodeMalformed, "a token has exactly three dot-separated parts: header.payload.signature")

// decodeSegment strictly decodes src into the front of dst.
func decodeSegment(dst, src []byte, name string) ([]byte, error) {
	n, err := b64.Decode(dst, src)
	if err != nil {
		return nil, malformed(CodeMalformed, "the %s is not canonical unpadded base64url: only A–Z a–z 0–9 - _, no padding, spaces, '+', '/' or 'Bearer ' prefix", name)
	}
	return dst[:n], nil
}

// readHeader applies the header policy: alg, typ and kid only (RFC 8725
// §3.1, §3.10): keys come from the vendor's registration, never from the
// token, and no extension is understood, so crit cannot be honoured.
func (t *Token) readHeader(doc []byte, scratch []member) error {
	members, err := objectMembers(doc, scratch)
	if err != nil {
		return malformed(CodeMalformed, "the header %s", err)
	}
	var alg, typ []byte
	var hasTyp bool
	for _, m := range members {
		switch string(m.name) {
		case "alg":
			if alg, err = unquote(m.value); err != nil {
				return malformed(CodeMalformed, "the header's alg %s", err)
			}
		case "typ":
			if typ, err = unquote(m.value); err != nil {
				return malformed(CodeMalformed, "the header's typ %s", err)
			}
			hasTyp = true
		case "kid":
			kid, err := unquote(m.value)
			if err != nil {
				return malformed(CodeMalformed, "the header's kid %s", err)
			}
			if err := claims.CheckKeyID(string(kid)); err != nil {
				return malformed(CodeMalformed, "the header's kid %s", err)
			}
			t.kid = string(kid)
		case "crit":
			return refused(CodeCritUnsupported, "the header lists critical extensions (crit); Oriel understands none, so it cannot accept the token")
		case "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "b64", "cty", "enc", "zip":
			return refused(CodeHeaderNotAllowed, "the header parameter %s is not allowed: keys come from the vendor's registered signing keys; use only alg, typ and kid", m.name)
		default:
			return refused(CodeHeaderNotAllowed, "the header has a parameter other than alg, typ and kid")
		}
	}
	if alg == nil {
		return malformed(CodeMalformed, "the header has no alg")
	}
	if t.alg = supportedAlg(alg); t.alg == "" {
		return refused(CodeAlgNotAllowed, "alg must be RS256, ES256 or EdDSA (none and HMAC algorithms are never accepted)")
	}
	if hasTyp && !bytes.EqualFold(typ, []byte("JWT")) {
		return refused(CodeTypNotAllowed, "typ, when present, must be JWT")
	}
	return nil
}

// supportedAlg returns the allowed algorithm name alg spells exactly, or "".
func supportedAlg(alg []byte) string {
	for _, a := range supportedAlgs {
		if string(alg) == a {
			return a
		}
	}
	return ""
}

// readClaims types and checks the claims Oriel uses; other claims are
// allowed and ignored, except aud, which names another recipient.
func (t *Token) readClaims(doc []byte, scratch []member) error {
	members, err := objectMembers(doc, scratch)
	if err != nil {
		return malformed(CodeMalformed, "the payload %s", err)
	}
	var hasIAT bool
	for _, m := range members {
		switch string(m.name) {
		case "sub":
			if err := t.readSubject(m.value); err != nil {
				return err
			}
		case "iat":
			if t.iat, err = numericDate(m.value); err != nil {
				return malformed(CodeClaimMalformed, "iat %s", err)
			}
			hasIAT = true
		case "exp":
			if t.exp, err = numericDate(m.value); err != nil {
				return malformed(CodeClaimMalformed, "exp %s", err)
			}
			t.hasExp = true
		case "nbf":
			if t.nbf, err = numericDate(m.value); err != nil {
				return malformed(CodeClaimMalformed, "nbf %s", err)
			}
			t.hasNbf = true
		case "jti":
			if err := t.readJTI(m.value); err != nil {
				return err
			}
		case "origin":
			if err := t.readOrigin(m.value); err != nil {
				return err
			}
		case "aud":
			return refused(CodeAudNotAllowed, "aud is not allowed in a direct-link token: the token is meant for Oriel alone; remove the claim")
		}
	}
	switch {
	case t.sub == "":
		return malformed(CodeSubMalformed, "sub is required: vendor_id:customer or vendor_id:customer:user")
	case !hasIAT:
		return malformed(CodeIATMissing, "iat is required: the current time in seconds since 1970")
	case t.jti == "":
		return malformed(CodeJTIMissing, "jti is required: a unique id (for example a nanoid or UUID), used once")
	}
	return nil
}

func (t *Token) readSubject(v []byte) error {
	sub, err := unquote(v)
	if err != nil {
		return malformed(CodeSubMalformed, "sub %s", err)
	}
	t.sub = string(sub)
	if t.vendor, t.customer, t.user, err = claims.ParseSubject(t.sub); err != nil {
		return malformed(CodeSubMalformed, "sub %s", err)
	}
	return nil
}

func (t *Token) readJTI(v []byte) error {
	jti, err := unquote(v)
	switch {
	case err != nil:
		return malformed(CodeJTIMalformed, "jti %s", err)
	case len(jti) == 0:
		return malformed(CodeJTIMissing, "jti is empty; send a unique id (for example a nanoid or UUID)")
	}
	if err := claims.CheckJTI(string(jti)); err != nil {
		return malformed(CodeJTIMalformed, "jti %s", err)
	}
	t.jti = string(jti)
	return nil
}

// readOrigin normalises origin by the rules of the allowed origins it will
// be compared with, so that equal origins are equal strings.
func (t *Token) readOrigin(v []byte) error {
	o, err := unquote(v)
	if err != nil {
		return malformed(CodeOriginMalformed, "origin %s", err)
	}
	if t.origin, err = origin.Normalize(string(o)); err != nil {
		msg := "is not an origin (scheme://host[:port])"
		if e := (*oriel.Error)(nil); errors.As(err, &e) {
			msg = e.Message
		}
		return malformed(CodeOriginMalformed, "origin %s", msg)
	}
	return nil
}
