package oriel

import (
	"encoding/json"
	"time"
)

// DateLayout is the one way a Date is written: ISO 8601's YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Date is a calendar date without a time zone, such as a hire date or the
// first day of a plan year, written YYYY-MM-DD. The empty Date means "not
// set" and is written as JSON null. Dates in this form compare as strings.
type Date string

// ParseDate reads s as YYYY-MM-DD; ok is false for anything else, including
// a day that does not exist (2026-02-30).
func ParseDate(s string) (d Date, ok bool) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return "", false
	}
	return Date(s), true
}

// DateOf returns the date t falls on in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// Valid reports whether d is a well-formed date (the empty Date is not).
func (d Date) Valid() bool {
	_, ok := ParseDate(string(d))
	return ok
}

// Time returns midnight UTC at the start of d; the zero time when d is not valid.
func (d Date) Time() time.Time {
	t, err := time.Parse(DateLayout, string(d))
	if err != nil {
		return time.Time{}
	}
	return t
}

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before reports whether d comes before e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d comes after e.
func (d Date) After(e Date) bool { return d > e }

// MarshalJSON writes d as "YYYY-MM-DD", or null when not set.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON reads a string or null; the server validates the format,
// so that its message can name the field.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = Date(s)
	return nil
}
