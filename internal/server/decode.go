package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/orielhq/oriel"
)

// body is a request body type: decode fills it, then validate checks and
// normalises it, answering EUNPROCESSABLE with a message that names the field.
type body interface {
	validate() error
}

// decode reads r's JSON body into dst and validates it. The body must be
// declared application/json (else 415).
func decode(r *http.Request, dst body) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	data, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(data, dst)
}

// requireJSON refuses a request whose Content-Type is not application/json
// (parameters such as charset=utf-8 are allowed): 415 unsupported_media_type.
func requireJSON(r *http.Request) error {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return oriel.Errorf(kindUnsupportedMediaType, codeUnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
	}
	return nil
}

// readBody reads r's whole body (bounded by observe) once: later calls in
// the same request (the idempotency layer, then the handler) get the same
// bytes without reading or copying again. A body that cannot be read whole
// is the client's failure: 413 when too large, 408 when it stalled past the
// server's read timeout, 400 when it ended early or the connection broke.
func readBody(r *http.Request) ([]byte, error) {
	st := stateOf(r)
	if st.bodyRead != nil {
		return st.bodyRead, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyReadError(err)
	}
	if data == nil {
		data = []byte{}
	}
	st.bodyRead = data
	return data, nil
}

// bodyReadError explains why a request body could not be read. Each cause
// is the client's (or its network's), so none is an internal error.
func bodyReadError(err error) error {
	if maxErr, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return oriel.Errorf(oriel.ETOOLARGE, codeBodyTooLarge, "the request body is larger than %d bytes", maxErr.Limit)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return oriel.Errorf(kindRequestTimeout, codeBodyTimeout, "the request body did not arrive in time; send it whole, promptly")
	}
	return oriel.Errorf(oriel.EINVALID, codeBodyIncomplete, "the request body ended before its declared length, or the connection broke while sending it")
}

// strictJSON are the decoding options of every request body: field names
// match exactly (letter case included), unknown fields are refused, and so
// (the decoder's defaults) are duplicate names and invalid UTF-8.
var strictJSON = json.RejectUnknownMembers(true)

// decodeJSON decodes data, which must hold exactly one JSON object with only
// dst's fields, into dst in one pass, and validates it. Every failure is an
// *oriel.Error.
func decodeJSON(data []byte, dst body) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the request body is empty; send a JSON object")
	}
	if trimmed[0] != '{' {
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the request body must be a JSON object")
	}
	if err := json.Unmarshal(data, dst, strictJSON); err != nil {
		return jsonError(err)
	}
	return dst.validate()
}

// jsonError explains a decoding failure without echoing more than a field name.
func jsonError(err error) error {
	if syntax, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		field := fieldName(syntax.JSONPointer)
		switch {
		case errors.Is(err, jsontext.ErrDuplicateName):
			return oriel.Errorf(oriel.EINVALID, codeDuplicateField, "%s appears more than once; send each field once", field)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the body is not valid JSON: it ends too early")
		case strings.Contains(syntax.Err.Error(), "UTF-8"):
			return oriel.Errorf(oriel.EINVALID, codeInvalidUTF8, "%s is not valid UTF-8 (at byte %d)", field, syntax.ByteOffset)
		}
		return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the body is not valid JSON: %s (at byte %d)", syntax.Err, syntax.ByteOffset)
	}
	if semantic, ok := errors.AsType[*json.SemanticError](err); ok {
		field := fieldName(semantic.JSONPointer)
		switch {
		case errors.Is(err, json.ErrUnknownName):
			return oriel.Errorf(oriel.EINVALID, codeUnknownField, "unknown field %q (names are case-sensitive); see /openapi.json for the fields this endpoint takes", truncate(semantic.JSONPointer.LastToken(), 80))
		case semantic.GoType != nil && semantic.JSONKind == '0' && jsonType(semantic.GoType) == "a number":
			return oriel.Errorf(oriel.EINVALID, codeInvalidType, "%s: expected a whole number within range", field)
		case semantic.GoType != nil:
			return oriel.Errorf(oriel.EINVALID, codeInvalidType, "%s: expected %s, got %s", field, jsonType(semantic.GoType), jsonKind(semantic))
		}
	}
	return oriel.Errorf(oriel.EINVALID, codeInvalidJSON, "the body is not valid JSON")
}

// fieldName names the field at a JSON pointer for a message, in the dotted
// form of the API reference ("bound_entity.id", "allowed_origins[1]"); the
// body itself when the pointer is empty.
func fieldName(p jsontext.Pointer) string {
	if p == "" {
		return "the body"
	}
	var b strings.Builder
	for token := range p.Tokens() {
		if isIndex(token) && b.Len() > 0 {
			fmt.Fprintf(&b, "[%s]", token)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(token)
	}
	return truncate(b.String(), 80)
}

// isIndex reports whether a pointer token is an array index.
func isIndex(token string) bool {
	return token != "" && strings.Trim(token, "0123456789") == ""
}

// jsonKind names the JSON value a semantic error met, for a message.
func jsonKind(e *json.SemanticError) string {
	switch e.JSONKind {
	case '"':
		return "a JSON string"
	case '0':
		return "a JSON number"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "null"
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	}
	if len(e.JSONValue) > 0 {
		return "an out-of-range number"
	}
	return "another JSON value"
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
