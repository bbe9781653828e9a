package proxy

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/orielhq/oriel"
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
	text := strings.ToValidUTF8(string(head), string(utf8.RuneError))
	www := resp.Header.Get("WWW-Authenticate")
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, "[redacted]")
		www = strings.ReplaceAll(www, s, "[redacted]")
	}
	return ProviderAnswer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), WWWAuthenticate: www, Body: text}
}
