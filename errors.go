package oriel

import (
	"errors"
	"fmt"
)

// Error kinds. Each maps to one HTTP status in the server; Error.Code carries
// the stable, documented machine code within that kind.
const (
	EINVALID       = "invalid"       // 400: the request is malformed
	EUNAUTHORIZED  = "unauthorized"  // 401: missing or wrong credentials
	EFORBIDDEN     = "forbidden"     // 403: authenticated but not allowed
	ENOTFOUND      = "not_found"     // 404: no such object for this caller
	ECONFLICT      = "conflict"      // 409: clashes with existing state
	EUNPROCESSABLE = "unprocessable" // 422: well-formed but semantically wrong
	ETOOLARGE      = "too_large"     // 413: the body is too big
	ERATELIMITED   = "rate_limited"  // 429: slow down
	EUNAVAILABLE   = "unavailable"   // 503: a dependency is down
	EINTERNAL      = "internal"      // 500: a bug or an unexpected failure
)

// Error is an application error that is safe to show to the caller: Message
// never holds a secret, a token or key material.
type Error struct {
	Kind    string // one of the E* kinds
	Code    string // stable machine code, e.g. "customer_not_found"
	Message string // human-readable, safe to return
}

func (e *Error) Error() string { return fmt.Sprintf("oriel %s: %s", e.Code, e.Message) }

// Errorf returns an *Error of the given kind and code.
func Errorf(kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err's *Error, or EINTERNAL.
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorCode returns the code of err's *Error, or "internal_error".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal_error"
}
