// Package claims holds the rules for the claims of an Oriel direct-link token
// that both sides must agree on: the shape of sub, jti and kid. The signer
// (package directlink) checks them before signing and Oriel's verifier checks
// them again, so a token the SDK makes is never refused for its shape. (The
// origin claim is normalised by Oriel alone, with the same rules as the
// allowed origins it is compared with.)
//
// Error messages describe the rule that was broken and never repeat the
// value, so they are safe to show to whoever sent the token.
package claims

import (
	"errors"
	"strconv"
	"strings"
)

// Limits on claim values.
const (
	MaxSubjectLen = 256 // bytes in sub
	MaxJTILen     = 128 // characters in jti
	MaxKeyIDLen   = 128 // characters in a kid header parameter
)

// Separator joins the parts of sub: vendor:customer[:user].
const Separator = ":"

// Subject joins a vendor id, a customer reference and an optional user
// reference into a sub claim, checking every part. References are Oriel ids
// or "E"-prefixed external ids.
func Subject(vendor, customer, user string) (string, error) {
	parts := [...]string{vendor, customer, user}
	n := 2
	if user != "" {
		n = 3
	}
	if err := checkSubjectParts(parts[:n]); err != nil {
		return "", err
	}
	sub := strings.Join(parts[:n], Separator)
	if len(sub) > MaxSubjectLen {
		return "", errSubjectTooLong
	}
	return sub, nil
}

// ParseSubject splits sub into vendor id, customer reference and user
// reference (empty when sub names only a customer) under the rules of Subject.
func ParseSubject(sub string) (vendor, customer, user string, err error) {
	if len(sub) > MaxSubjectLen {
		return "", "", "", errSubjectTooLong
	}
	vendor, rest, ok := strings.Cut(sub, Separator)
	if !ok {
		return "", "", "", errors.New("must be vendor:customer or vendor:customer:user; found no ':'")
	}
	customer, user, hasUser := strings.Cut(rest, Separator)
	if strings.Contains(user, Separator) {
		return "", "", "", errors.New("must be vendor:customer or vendor:customer:user; found more than three parts")
	}
	parts := [...]string{vendor, customer, user}
	n := 2
	if hasUser {
		n = 3
	}
	if err := checkSubjectParts(parts[:n]); err != nil {
		return "", "", "", err
	}
	return vendor, customer, user, nil
}

// CheckVendorID checks a vendor id under the rules of the parts of sub.
func CheckVendorID(id string) error { return checkSubjectPart(subjectPartNames[0], id) }

// CheckExternalID reports whether a customer's or user's external id can be
// named in sub as "E" + id: it must be printable ASCII without spaces, ':'
// or '%'. Oriel should refuse other external ids when they are created.
func CheckExternalID(id string) error { return checkSubjectPart("external id", id) }

var (
	subjectPartNames  = [...]string{"vendor id", "customer", "user"}
	errSubjectTooLong = errors.New("is longer than " + strconv.Itoa(MaxSubjectLen) + " bytes")
)

// checkSubjectParts checks vendor, customer and (when present) user in order.
func checkSubjectParts(parts []string) error {
	for i, p := range parts {
		if err := checkSubjectPart(subjectPartNames[i], p); err != nil {
			return err
		}
	}
	return nil
}

// checkSubjectPart requires a non-empty run of printable ASCII without ':',
// '%' or spaces: nothing that could hide a separator or decode differently.
func checkSubjectPart(name, p string) error {
	if p == "" {
		return errors.New("the " + name + " part is empty")
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == ':' || c == '%' {
			return errors.New("the " + name + " part may hold only printable ASCII without spaces, ':' or '%'")
		}
	}
	return nil
}

// CheckJTI checks a jti claim: 1 to MaxJTILen printable ASCII characters
// without spaces (a nanoid, a UUID or base64url all fit).
func CheckJTI(jti string) error { return checkToken(jti, MaxJTILen) }

// CheckKeyID checks a kid header parameter under the same rule as jti, with
// at most MaxKeyIDLen characters.
func CheckKeyID(kid string) error { return checkToken(kid, MaxKeyIDLen) }

// checkToken requires 1 to max printable ASCII characters without spaces.
func checkToken(s string, max int) error {
	if s == "" {
		return errors.New("is empty")
	}
	if len(s) > max {
		return errors.New("is longer than " + strconv.Itoa(max) + " characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return errors.New("may hold only printable ASCII without spaces")
		}
	}
	return nil
}
