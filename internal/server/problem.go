package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/proxy"
)

// Error codes the server itself emits. Codes are stable: clients match on
// them. docs/errors.md documents every code any layer can send, and a test
// keeps the two in step.
const (
	codeInternal              = "internal_error"
	codeRouteNotFound         = "route_not_found"
	codeMethodNotAllowed      = "method_not_allowed"
	codeNotReady              = "not_ready"
	codeAPIKeyMissing         = "api_key_missing"
	codeAPIKeyInvalid         = "api_key_invalid"
	codeRateLimited           = "rate_limited"
	codeInvalidJSON           = "invalid_json"
	codeUnknownField          = "unknown_field"
	codeInvalidType           = "invalid_type"
	codeBodyTooLarge          = "body_too_large"
	codeDuplicateField        = "duplicate_field"
	codeInvalidUTF8           = "invalid_utf8"
	codeUnsupportedMediaType  = "unsupported_media_type"
	codeBodyIncomplete        = "body_incomplete"
	codeBodyTimeout           = "body_timeout"
	codeLimitInvalid          = "limit_invalid"
	codeStartingAfterInvalid  = "starting_after_invalid"
	codeIdempotencyKeyInvalid = "idempotency_key_invalid"
	codeExternalIDInvalid     = "external_id_invalid"
	codeNameInvalid           = "name_invalid"
	codeEmailInvalid          = "email_invalid"
	codeRoleInvalid           = "role_invalid"
	codeKIDInvalid            = "kid_invalid"
	codeTooManyOrigins        = "too_many_origins"

	codePayFrequencyInvalid     = "pay_frequency_invalid"
	codeNewHireWindowInvalid    = "new_hire_window_days_invalid"
	codeDateInvalid             = "date_invalid"
	codeEmploymentStatusInvalid = "employment_status_invalid"
	codeWorkStateInvalid        = "work_state_invalid"
)

// Kinds that extend the oriel error kinds with statuses only the HTTP layer
// needs: the router's 405, and the body reader's 415 and 408.
const (
	kindMethodNotAllowed     = "method_not_allowed"
	kindUnsupportedMediaType = "unsupported_media_type"
	kindRequestTimeout       = "request_timeout"
)

// statusOfKind maps error kinds to HTTP statuses.
var statusOfKind = map[string]int{
	oriel.EINVALID:           http.StatusBadRequest,
	oriel.EUNAUTHORIZED:      http.StatusUnauthorized,
	oriel.EFORBIDDEN:         http.StatusForbidden,
	oriel.ENOTFOUND:          http.StatusNotFound,
	kindMethodNotAllowed:     http.StatusMethodNotAllowed,
	kindRequestTimeout:       http.StatusRequestTimeout,
	kindUnsupportedMediaType: http.StatusUnsupportedMediaType,
	proxy.KindBadGateway:     http.StatusBadGateway,
	oriel.ECONFLICT:          http.StatusConflict,
	oriel.ETOOLARGE:          http.StatusRequestEntityTooLarge,
	oriel.EUNPROCESSABLE:     http.StatusUnprocessableEntity,
	oriel.ERATELIMITED:       http.StatusTooManyRequests,
	oriel.EINTERNAL:          http.StatusInternalServerError,
	oriel.EUNAVAILABLE:       http.StatusServiceUnavailable,
}

// statusOf maps an error's kind to its HTTP status.
func statusOf(e *oriel.Error) int {
	if status, ok := statusOfKind[e.Kind]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// problemTypeBase prefixes a code to make a problem's type URI, which points
// at the code's entry in the error reference.
const problemTypeBase = "https://github.com/orielhq/oriel/blob/main/docs/errors.md#"

// problem is an RFC 9457 problem document, extended with a stable code and
// the request id to quote when asking for help.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	// Fields, for an error about entered values, holds a message per field
	// to show next to it.
	Fields map[string]string `json:"fields,omitempty"`
	// Provider, for connection_error, is the provider's answer that caused it.
	Provider *proxy.ProviderAnswer `json:"provider,omitempty"`
}

// fieldErrors is an error with a message per field of the request, which
// its problem document carries as "fields". No message repeats a value.
type fieldErrors struct {
	err    error
	fields map[string]string
}

func (e *fieldErrors) Error() string { return e.err.Error() }

// Unwrap exposes the *oriel.Error to errors.As.
func (e *fieldErrors) Unwrap() error { return e.err }

// fail answers err as a problem document. An *oriel.Error is safe to show;
// anything else is logged and answered as a bare internal error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	var e *oriel.Error
	if !errors.As(err, &e) {
		s.logger.ErrorContext(r.Context(), "request failed", "request_id", st.id, "route", st.route, "err", err)
		e = oriel.Errorf(oriel.EINTERNAL, codeInternal, "an internal error occurred; if it persists, report request id %s", st.id)
	}
	status := statusOf(e)
	st.code = e.Code
	p := problem{
		Type:      problemTypeBase + e.Code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    e.Message,
		Code:      e.Code,
		RequestID: st.id,
	}
	if fe := (*fieldErrors)(nil); errors.As(err, &fe) {
		p.Fields = fe.fields
	}
	if ae := (*proxy.AnswerError)(nil); errors.As(err, &ae) {
		p.Provider = &ae.Answer
	}
	// Oriel's own answers say so, which tells them apart from a provider's
	// answers passed on by the proxy.
	w.Header().Set("Oriel-Error", e.Code)
	body, _ := json.Marshal(p)
	write(w, status, "application/problem+json", body)
}

// reply answers v as JSON with status.
func reply(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	write(w, status, "application/json", body)
	return nil
}

// respond replies with v, or returns err when the call that made v failed.
func respond(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return reply(w, status, v)
}

// noContent answers 204, or returns err when the call before failed.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// write sends a complete body. A failure to write means the client went
// away, which the handler can do nothing about.
func write(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
