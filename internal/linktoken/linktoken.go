// Package linktoken reads and verifies the JWTs vendors sign to open a direct
// link (docs/direct-linking.md). It is pure: no database, no HTTP, no clock.
//
// The server uses it in this order, stopping at the first error:
//
//	tok, err := linktoken.Parse(raw)           // shape, header policy, claim types
//	keys := signing keys of vendor tok.VendorID()
//	key, err := tok.Verify(keys)               // the signature, with the vendor's key
//	err = tok.CheckTime(now, maxAge, skew)     // iat, exp, nbf
//	then: record (vendor, jti) for ReplayWindow, resolve customer/user, check origin.
//
// Until Verify succeeds every claim is untrusted input; only VendorID and KID
// may be used, to find the candidate keys. Every error is an *oriel.Error
// whose code is one of the Code constants and whose message never quotes the
// token, its claims or a key.
package linktoken

import (
	"time"

	"github.com/orielhq/oriel/internal/keys"
)

// MaxTokenBytes is the largest token Parse reads; anything longer is refused
// before any other work.
const MaxTokenBytes = 8 << 10

// Token is a parsed direct-link token. Its claims are typed and checked for
// shape, but trustworthy only after Verify.
type Token struct {
	alg string
	kid string

	sub                    string // vendor:customer[:user]; the three below slice it
	vendor, customer, user string
	jti                    string
	origin                 string // normalised; "" when absent
	iat                    int64
	exp, nbf               int64
	hasExp, hasNbf         bool

	signingInput string // header.payload, exactly as received
	signature    []byte
}

// Alg returns the header's alg: keys.RS256, keys.ES256 or keys.EdDSA.
func (t *Token) Alg() string { return t.alg }

// KID returns the header's kid, or "" when the header has none.
func (t *Token) KID() string { return t.kid }

// VendorID returns the vendor id, the first part of sub.
func (t *Token) VendorID() string { return t.vendor }

// CustomerRef returns the customer part of sub: an Oriel customer id or an
// "E"-prefixed external id (see oriel.SplitRef).
func (t *Token) CustomerRef() string { return t.customer }

// UserRef returns the user part of sub, or "" for a customer-level session.
func (t *Token) UserRef() string { return t.user }

// JTI returns the token's jti; together with VendorID it is the replay key.
func (t *Token) JTI() string { return t.jti }

// Origin returns the origin claim normalised to scheme://host[:port], or ""
// when the token has none.
func (t *Token) Origin() string { return t.origin }

// IssuedAt returns the iat claim.
func (t *Token) IssuedAt() time.Time { return time.Unix(t.iat, 0) }

// supportedAlgs are the JWS algorithms a direct-link token may use, one per
// key type that package keys accepts.
var supportedAlgs = [...]string{keys.RS256, keys.ES256, keys.EdDSA}
