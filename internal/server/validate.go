package server

import (
	"errors"
	"net/mail"
	"unicode/utf8"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/origin"
)

// Bounds on what bodies may hold.
const (
	maxTextLen    = 255 // characters in an external id or a name
	maxEmailLen   = 254 // RFC 5321's limit on a forward path
	maxKIDLen     = 128
	maxOrigins    = 100
	maxOriginEcho = 100 // bytes of a rejected origin quoted back
)

// checkText accepts 1–255 characters (0–255 when optional) without control characters.
func checkText(field, code, s string, required bool) error {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		return oriel.Errorf(oriel.EUNPROCESSABLE, code, "%s is required", field)
	case n > maxTextLen:
		return oriel.Errorf(oriel.EUNPROCESSABLE, code, "%s must be at most %d characters; it has %d", field, maxTextLen, n)
	}
	if hasControl(s) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, code, "%s must not contain control characters (such as a newline or tab)", field)
	}
	return nil
}

// checkCustomerExternalID checks a customer's external id, which is required.
func checkCustomerExternalID(s string) error {
	return checkText("external_id", codeExternalIDInvalid, s, true)
}

// checkUserExternalID checks a user's external id, which may be empty.
func checkUserExternalID(s string) error {
	return checkText("external_id", codeExternalIDInvalid, s, false)
}

// checkVendorName checks a vendor's name, which is required.
func checkVendorName(s string) error {
	return checkText("name", codeNameInvalid, s, true)
}

// checkName checks a customer's, user's or API key's name, which may be empty.
func checkName(s string) error {
	return checkText("name", codeNameInvalid, s, false)
}

// checkEmail accepts an empty string or a bare address such as a@example.com:
// a loose check that catches typos, not a proof of deliverability.
func checkEmail(s string) error {
	if s == "" {
		return nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || len(s) > maxEmailLen {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeEmailInvalid, "email must be a bare address such as name@example.com, at most %d characters", maxEmailLen)
	}
	return nil
}

// checkRole accepts admin, member and viewer.
func checkRole(r oriel.Role) error {
	if !r.Valid() {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeRoleInvalid, "role must be admin, member or viewer")
	}
	return nil
}

// checkKID accepts an empty kid or 1–128 printable ASCII characters without spaces.
func checkKID(kid string) error {
	if len(kid) > maxKIDLen {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeKIDInvalid, "kid must be at most %d characters", maxKIDLen)
	}
	for _, c := range kid {
		if c <= ' ' || c > '~' {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeKIDInvalid, "kid must be printable ASCII without spaces")
		}
	}
	return nil
}

// normalizeOriginsIn normalises *list in place when list is not nil.
func normalizeOriginsIn(list *[]string) error {
	if list == nil {
		return nil
	}
	out, err := normalizeOrigins(*list)
	if err == nil {
		*list = out
	}
	return err
}

// normalizeOrigins replaces each origin in list by its normal form and drops
// duplicates. A bad entry answers origin_invalid, naming it.
func normalizeOrigins(list []string) ([]string, error) {
	if len(list) > maxOrigins {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeTooManyOrigins, "allowed_origins may list at most %d origins", maxOrigins)
	}
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, s := range list {
		o, err := origin.Normalize(s)
		if err != nil {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, origin.Code, "allowed_origins[%d] %q %s", i, truncate(s, maxOriginEcho), messageOf(err))
		}
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out, nil
}

// messageOf returns the safe message of an *oriel.Error.
func messageOf(err error) string {
	if e := (*oriel.Error)(nil); errors.As(err, &e) {
		return e.Message
	}
	return "is invalid"
}

// ifSet applies check to *p when the field p points to was sent.
func ifSet[T any](p *T, check func(T) error) error {
	if p == nil {
		return nil
	}
	return check(*p)
}

// firstError returns the first non-nil error.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkPayFrequency accepts weekly, biweekly, semimonthly and monthly.
func checkPayFrequency(f string) error {
	if !benefits.PayFrequency(f).Valid() {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codePayFrequencyInvalid, "pay_frequency must be weekly, biweekly, semimonthly or monthly")
	}
	return nil
}

// checkNewHireWindowDays accepts 1 to benefits.MaxNewHireWindowDays.
func checkNewHireWindowDays(n int) error {
	if n < 1 || n > benefits.MaxNewHireWindowDays {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeNewHireWindowInvalid, "new_hire_window_days must be from 1 to %d", benefits.MaxNewHireWindowDays)
	}
	return nil
}

// checkDate accepts a date written YYYY-MM-DD.
func checkDate(field string, d oriel.Date) error {
	if !d.Valid() {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeDateInvalid, "%s must be a date written YYYY-MM-DD", field)
	}
	return nil
}

// checkOptionalDate accepts an unset date or one written YYYY-MM-DD.
func checkOptionalDate(field string, d oriel.Date) error {
	if d == "" {
		return nil
	}
	return checkDate(field, d)
}

// checkEmploymentStatus accepts active and terminated.
func checkEmploymentStatus(s string) error {
	if s != benefits.EmploymentActive && s != benefits.EmploymentTerminated {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeEmploymentStatusInvalid, "employment_status must be active or terminated")
	}
	return nil
}

// checkWorkState accepts an empty state or a region code of 2–3 capital
// letters or digits, such as CA.
func checkWorkState(s string) error {
	if s == "" {
		return nil
	}
	ok := len(s) >= 2 && len(s) <= 3
	for _, c := range s {
		ok = ok && (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}
	if !ok {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeWorkStateInvalid, "work_state must be a region code of 2–3 capital letters, such as CA")
	}
	return nil
}
