package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/linktoken"
)

// Error codes this package adds to linktoken's and token's. Each is
// documented in docs/errors.md.
const (
	CodeOriginNotAllowed   = "origin_not_allowed"   // 403: the origin claim is not an allowed origin
	CodeOriginRequired     = "origin_required"      // 403: no origin claim, several allowed origins
	CodeNoAllowedOrigin    = "no_allowed_origin"    // 403: neither customer nor vendor has an allowed origin
	CodeOriginMismatch     = "origin_mismatch"      // 403: the referring page is not on the parent origin
	CodeCustomerNotFound   = "customer_not_found"   // 401: sub names no customer of the vendor
	CodeUserNotFound       = "user_not_found"       // 401: sub names no user of the customer
	CodeConnectionNotFound = "connection_not_found" // 404: the link's connection is not the customer's
	CodeJTIReplayed        = "jti_replayed"         // 401: the token was used before
	CodeSessionRevoked     = "session_revoked"      // 401: the session token was revoked
	CodeUnavailable        = "service_unavailable"  // 503: the store failed; nothing was accepted
)

// Rejection is the error every method of DirectLinks returns: the error to
// answer with, and what may be logged and shown about the refused token. It
// never holds the token or its claims beyond the vendor id, the kid and a
// hash of the jti.
type Rejection struct {
	Err *oriel.Error
	// Origin is the verified parent origin when the failure came after it
	// was resolved (see the package documentation), else "". Only a
	// non-empty Origin may frame the error page or receive a message.
	Origin string
	// VendorID and KID come from the token once it parsed; before the
	// signature verified they are what the sender claimed.
	VendorID, KID string
	// JTIHash identifies the jti in logs without revealing it (see HashJTI).
	JTIHash string
	// Cause is the underlying failure behind a 503, for the logs only.
	Cause error
}

func (r *Rejection) Error() string { return r.Err.Error() }

// Unwrap exposes the *oriel.Error to errors.As.
func (r *Rejection) Unwrap() error { return r.Err }

// LogAttrs returns the fields of the one log line a rejection deserves: the
// code and the token's loggable facts.
func (r *Rejection) LogAttrs() []slog.Attr {
	attrs := []slog.Attr{slog.String("code", r.Err.Code)}
	for _, a := range []struct{ key, value string }{
		{"vendor_id", r.VendorID}, {"kid", r.KID}, {"jti_sha256", r.JTIHash},
	} {
		if a.value != "" {
			attrs = append(attrs, slog.String(a.key, a.value))
		}
	}
	if r.Cause != nil {
		attrs = append(attrs, slog.String("err", r.Cause.Error()))
	}
	return attrs
}

// HashJTI returns the first 16 hex digits of the SHA-256 of jti: enough to
// match a log line with the vendor's own record of the token, not enough to
// forge or replay anything.
func HashJTI(jti string) string {
	sum := sha256.Sum256([]byte(jti))
	return hex.EncodeToString(sum[:8])
}

// reject wraps err, which failed the token tok (nil when it did not parse),
// with parent as the known origin. Errors that are not *oriel.Error come
// from the store: they answer 503, so that an outage never lets a token
// through (fail closed) and never blames the caller.
func reject(err error, tok *linktoken.Token, parent string) *Rejection {
	r := &Rejection{Origin: parent}
	if tok != nil {
		r.VendorID, r.KID, r.JTIHash = tok.VendorID(), tok.KID(), HashJTI(tok.JTI())
	}
	if !errors.As(err, &r.Err) {
		r.Err, r.Cause = errUnavailable, err
	}
	return r
}

var errUnavailable = oriel.Errorf(oriel.EUNAVAILABLE, CodeUnavailable, "Oriel cannot reach its database right now, so nothing was accepted; try again in a moment")

// Errors for a subject that does not exist. The store answers 404 to the
// vendor API; to a direct link or session it is a failed authentication.
var (
	errCustomerNotFound = oriel.Errorf(oriel.EUNAUTHORIZED, CodeCustomerNotFound, "the customer named by the token's sub (or by the session) does not exist; create it with POST /v1/customers, or fix sub")
	errUserNotFound     = oriel.Errorf(oriel.EUNAUTHORIZED, CodeUserNotFound, "the user named by the token's sub (or by the session) is not a user of its customer; create it with POST /v1/customers/{customer}/users, or fix sub")
	// errConnectionNotFound is the same for a connection of another
	// customer (or vendor) as for a missing one, as the widget API answers.
	errConnectionNotFound = oriel.Errorf(oriel.ENOTFOUND, CodeConnectionNotFound, "no such connection")
)

// notFoundAs returns as401 when err is the store's ENOTFOUND, else err.
func notFoundAs(err error, as401 *oriel.Error) error {
	if oriel.ErrorKind(err) == oriel.ENOTFOUND {
		return as401
	}
	return err
}
