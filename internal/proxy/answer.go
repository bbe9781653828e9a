package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// ProviderAnswer is a provider's response quoted in an error: its status
// and the start of its body as text, with the connection's secrets
// replaced by "[redacted]".
type ProviderAnswer struct {
	Status          int    `json:"status"`
	ContentType     string `json:"content_type,omitempty"`
	WWWAuthenticate string `json:"www_authenticate,omitempty"`
	Body            string `json:"body"`
}

// AnswerError is an error the proxy answers with the provider's answer
// that caused it.
type AnswerError struct {
	Err    *oriel.Error
	Answer ProviderAnswer
}

func (e *AnswerError) Error() string { return e.Err.Error() }

// Unwrap exposes the *oriel.Error.
func (e *AnswerError) Unwrap() error { return e.Err }

// quote reads up to answerBytes of resp's body into an answer, and leaves
// resp's body whole for whoever reads it next.
func quote(resp *http.Response, secrets []string) ProviderAnswer {
	head, _ := io.ReadAll(io.LimitReader(resp.Body, answerBytes))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return answerOf(resp.StatusCode, resp.Header, head, secrets)
}

// answerOf quotes a provider's answer of status, header and the start of
// its body, with secrets replaced by "[redacted]".
func answerOf(status int, header http.Header, head []byte, secrets []string) ProviderAnswer {
	if len(head) > answerBytes {
		head = head[:answerBytes]
	}
	text := strings.ToValidUTF8(string(head), string(utf8.RuneError))
	www := header.Get("WWW-Authenticate")
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, "[redacted]")
		www = strings.ReplaceAll(www, s, "[redacted]")
	}
	return ProviderAnswer{Status: status, ContentType: header.Get("Content-Type"), WWWAuthenticate: www, Body: text}
}

// refusedError turns the token endpoint's refusal of a client credentials
// connection's id and secret into connection_error quoting its answer, as
// for a revoked grant; any other error is returned as it is.
func refusedError(err error, secrets []string) error {
	refusal, ok := errors.AsType[*connect.TokenRefusal](err)
	if !ok {
		return err
	}
	return &AnswerError{
		Err: oriel.Errorf(oriel.ECONFLICT, CodeConnectionError,
			"%s's token endpoint refused the connection's client ID and secret (HTTP %d); the customer must enter them again",
			refusal.Provider, refusal.Status),
		Answer: answerOf(refusal.Status, refusal.Header, refusal.Body, secrets),
	}
}
