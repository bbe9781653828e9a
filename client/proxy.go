package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Codes of Oriel's refusals to proxy a request (docs/errors.md).
const (
	// CodeConnectionError: the provider refused the connection's
	// credentials and they could not be refreshed; Error.Provider holds
	// the provider's answer, and the customer must connect again.
	CodeConnectionError = "connection_error"
	// CodeReauthorizationRequired: the connection is in error already.
	CodeReauthorizationRequired = "reauthorization_required"
	// CodeNotConnected: the connection has no credentials yet.
	CodeNotConnected = "connection_not_connected"
)

// Targets for errors.Is on Proxy's errors.
var (
	ErrConnectionError         = &Error{Code: CodeConnectionError}
	ErrReauthorizationRequired = &Error{Code: CodeReauthorizationRequired}
	ErrNotConnected            = &Error{Code: CodeNotConnected}
)

// ProviderAnswer is the provider's answer quoted in a connection_error: its
// status and the start of its body, with credentials redacted.
type ProviderAnswer struct {
	Status          int    `json:"status"`
	ContentType     string `json:"content_type"`
	WWWAuthenticate string `json:"www_authenticate"`
	Body            string `json:"body"`
}

// Proxy calls the API of a customer's connected app through Oriel, which
// puts the connection's current credentials on the request (refreshing an
// OAuth token the provider refuses, once) and streams the answer back.
// path is relative to the provider's API base URL and may hold a query,
// as in "v1/contacts?limit=10"; body may be nil; header (may be nil) is
// sent as is, and "Oriel-Retries: n" asks Oriel to retry an idempotent
// request on 429 and 5xx.
//
// It returns the provider's response, whatever its status, for the caller
// to read and close. Oriel's own refusals — an unknown connection, a
// revoked grant, a path that leaves the API — are an *Error instead. The
// Client's http.Client bounds the whole call: use WithHTTPClient with a
// longer timeout for large bodies.
func (c *Client) Proxy(ctx context.Context, connectionID, method, path string, body io.Reader, header http.Header) (*http.Response, error) {
	target := c.baseURL + "/v1/connections/" + url.PathEscape(connectionID) + "/proxy/" + strings.TrimPrefix(path, "/")
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("oriel: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oriel: %w", err)
	}
	if resp.Header.Get("Oriel-Error") == "" {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	return nil, problemFrom(resp, data)
}

// problemFrom reads one of Oriel's problem documents.
func problemFrom(resp *http.Response, body []byte) *Error {
	var p struct {
		Detail   string          `json:"detail"`
		Code     string          `json:"code"`
		Provider *ProviderAnswer `json:"provider"`
	}
	_ = json.Unmarshal(body, &p)
	e := &Error{StatusCode: resp.StatusCode, Code: resp.Header.Get("Oriel-Error"), Description: p.Detail, Provider: p.Provider}
	if seconds, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && seconds > 0 {
		e.RetryAfter = time.Duration(seconds) * time.Second
	}
	return e
}
