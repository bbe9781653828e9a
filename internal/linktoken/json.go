package linktoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"
)

// Limits on the JSON of a header or claims set.
const (
	maxMembers = 32 // members in one object
	maxDepth   = 8  // nesting of arrays and objects inside one member's value
)

// member is one name/value pair of a JSON object: name unescaped, value the
// raw JSON text of the value.
type member struct {
	name  []byte
	value []byte
}

var (
	errNotUTF8    = errors.New("is not valid UTF-8")
	errNotJSON    = errors.New("is not valid JSON")
	errNotObject  = errors.New("is not a JSON object")
	errDuplicate  = errors.New("has two members whose names differ at most in letter case")
	errTooMany    = errors.New("has more than " + strconv.Itoa(maxMembers) + " members")
	errTooDeep    = errors.New("nests arrays or objects more than " + strconv.Itoa(maxDepth) + " levels deep")
	errNotString  = errors.New("must be a JSON string")
	errNotInteger = errors.New("must be an integer number of seconds since 1970 (NumericDate), not a string, fraction or exponent")
)

// objectMembers checks that doc is one JSON object in valid UTF-8 (RFC 7519
// §7.2) and appends its members to dst. Names that are equal when letter
// case is ignored are rejected, not resolved: "sub" beside "SUB" could
// otherwise mean one thing to us and another to a case-insensitive decoder
// such as encoding/json.
//
// encoding/json validates the syntax; the walk below then only has to find
// the boundaries of the top-level members, which keeps Parse free of
// reflection.
func objectMembers(doc []byte, dst []member) ([]member, error) {
	if !utf8.Valid(doc) {
		return nil, errNotUTF8
	}
	if !json.Valid(doc) {
		return nil, errNotJSON
	}
	w := walker{doc: doc}
	if !w.consume('{') {
		return nil, errNotObject
	}
	if w.consume('}') {
		return dst, nil
	}
	for {
		start := w.pos
		if !w.skipString() {
			return nil, errNotJSON
		}
		name, err := unquote(doc[start:w.pos])
		if err != nil {
			return nil, err
		}
		if !w.consume(':') {
			return nil, errNotJSON
		}
		value, err := w.value()
		if err != nil {
			return nil, err
		}
		for _, m := range dst {
			if bytes.EqualFold(m.name, name) {
				return nil, errDuplicate
			}
		}
		if len(dst) == maxMembers {
			return nil, errTooMany
		}
		dst = append(dst, member{name: name, value: value})
		if w.consume('}') {
			return dst, nil
		}
		if !w.consume(',') {
			return nil, errNotJSON
		}
	}
}

// walker steps through a document that json.Valid has accepted.
type walker struct {
	doc []byte
	pos int
}

// consume skips white space, then c if it comes next, and reports whether it did.
func (w *walker) consume(c byte) bool {
	w.skipSpace()
	if w.pos < len(w.doc) && w.doc[w.pos] == c {
		w.pos++
		w.skipSpace()
		return true
	}
	return false
}

func (w *walker) skipSpace() {
	for w.pos < len(w.doc) {
		switch w.doc[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// skipString moves past the string that starts at pos.
func (w *walker) skipString() bool {
	if w.pos >= len(w.doc) || w.doc[w.pos] != '"' {
		return false
	}
	for w.pos++; w.pos < len(w.doc); w.pos++ {
		switch w.doc[w.pos] {
		case '\\':
			w.pos++
		case '"':
			w.pos++
			return true
		}
	}
	return false
}

// value moves past the member value that starts at pos and returns its text.
func (w *walker) value() ([]byte, error) {
	start, depth := w.pos, 0
	for w.pos < len(w.doc) {
		switch w.doc[w.pos] {
		case '"':
			if !w.skipString() {
				return nil, errNotJSON
			}
			continue
		case '{', '[':
			if depth++; depth > maxDepth {
				return nil, errTooDeep
			}
		case '}', ']':
			if depth == 0 {
				return bytes.TrimRight(w.doc[start:w.pos], " \t\n\r"), nil
			}
			depth--
		case ',':
			if depth == 0 {
				return bytes.TrimRight(w.doc[start:w.pos], " \t\n\r"), nil
			}
		}
		w.pos++
	}
	return nil, errNotJSON
}

// unquote returns the contents of the JSON string literal s. Literals
// without escapes (nearly all) are returned in place.
func unquote(s []byte) ([]byte, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return nil, errNotString
	}
	if bytes.IndexByte(s, '\\') < 0 {
		return s[1 : len(s)-1], nil
	}
	var v string
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, errNotString
	}
	return []byte(v), nil
}

// maxNumericDate is 9999-12-31T23:59:59Z; later dates are an attack or a bug.
const maxNumericDate = 253402300799

// numericDate reads a non-negative integer NumericDate (RFC 7519 §2) up to
// maxNumericDate. JSON has already ruled out leading zeros.
func numericDate(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 12 {
		return 0, errNotInteger
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, errNotInteger
		}
		n = n*10 + int64(c-'0')
	}
	if n > maxNumericDate {
		return 0, errNotInteger
	}
	return n, nil
}
