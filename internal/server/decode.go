package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/orielhq/oriel"
)

// body is a request body type: decode fills it, then validate checks and
// normalises it, answering EUNPROCESSABLE with a message that names the field.
type body interface {
	validate() error
}

// decode reads r's JSON body into dst and validates it.
func decode(r *http.Request, dst body) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(data, dst)
}

// readBody reads r's whole body (bounded by observe) and puts it back, so a
// later reader sees it again.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
		return nil, oriel.Errorf(oriel.ETOOLARGE, codeBodyTooLarge, "the request body is larger than %d bytes", maxErr.Limit)
	}
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// decodeJSON decodes data, which must hold exactly one JSON object with only
// dst's fields, into dst and validates it. Every failure is an *oriel.Error.
func decodeJSON(data []byte, dst body) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the request body is empty; send a JSON object")
	}
	if trimmed[0] != '{' {
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "unexpected data after the JSON object")
	}
	return dst.validate()
}

// jsonError explains a decoding failure without echoing more than a field name.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var wrongType *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the body is not valid JSON: %s (at byte %d)", strings.TrimPrefix(syntax.Error(), "json: "), syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the body is not valid JSON: it ends too early")
	case errors.As(err, &wrongType):
		return oriel.Errorf(oriel.EINVALID, codeInvalidType, "%s: expected %s, got a JSON %s", fieldName(wrongType.Field), jsonType(wrongType.Type), wrongType.Value)
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return oriel.Errorf(oriel.EINVALID, codeUnknownField, "unknown field %s; see /openapi.json for the fields this endpoint takes", truncate(field, 80))
	}
	return err
}

// fieldName names a field for a message; the body itself when path is empty.
func fieldName(path string) string {
	if path == "" {
		return "the body"
	}
	return truncate(path, 80)
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(jsonType(t.Elem()), "an "), "a ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a number"
	}
}

// truncate shortens s to at most n bytes for quoting in a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
