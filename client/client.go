// Package client is the vendor side of Oriel's bound access tokens: a client
// for the token endpoints your backend calls with its API key
// (POST /v1/auth/access-tokens and …/revoke), and TokenHandler, the token
// endpoint of your own that the browser SDK's fetchToken calls. Its Proxy
// method calls a customer's connected app through Oriel
// (/v1/connections/{id}/proxy/…), without handling its credentials, and
// Call sends any other vendor API request (plans, appointments, life
// events, …) with typed errors.
//
// It imports nothing from Oriel's server, so vendors can depend on it alone:
//
//	oriel := client.New("https://oriel.example.com", os.Getenv("ORIEL_API_KEY"))
//	tok, err := oriel.AccessToken(ctx, client.User("Eacme", "Eada"))
//	// hand tok.Token and tok.ExpiresIn to the signed-in user's page only
//
// Errors Oriel answers are *Error values carrying the OAuth error code;
// match them with errors.Is(err, client.ErrInvalidTarget) and the like.
// Neither the API key nor a token is ever part of an error, and
// *AccessToken prints and logs redacted.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// EntityType is the kind of entity a token is bound to.
type EntityType string

// The entity types.
const (
	EntityCustomer EntityType = "customer"
	EntityUser     EntityType = "user"
)

// Entity is whom a token speaks for. IDs are Oriel ids ("cus_…", "usr_…")
// or "E" + your external id.
type Entity struct {
	Type EntityType
	ID   string
	// Customer is, for a user only, its customer. It may be "" for an
	// Oriel user id, or for an external id that only one of your customers'
	// users has (external ids are unique within one customer only; Oriel
	// answers invalid_request when the id is ambiguous).
	Customer string
}

// Customer is the entity of a customer: its token gets the admin role.
func Customer(id string) Entity { return Entity{Type: EntityCustomer, ID: id} }

// User is the entity of a user of customer: its token gets the user's role.
// customer may be "" when id is an Oriel user id, or an external id no
// other customer's user has. (A user is an employee of its customer for the
// employee dashboard.)
func User(customer, id string) Entity { return Entity{Type: EntityUser, ID: id, Customer: customer} }

// BoundEntity is the entity a token was issued for, by Oriel ids.
type BoundEntity struct {
	Type       EntityType `json:"type"`
	ID         string     `json:"id"`
	CustomerID string     `json:"customer_id"`
}

// AccessToken is a bound access token. It formats and logs as redacted, so
// that printing one by mistake leaks nothing; use Token itself only to hand
// it to the page it is for.
type AccessToken struct {
	Token     string
	ExpiresIn int       // seconds, as Oriel answered
	Expiry    time.Time // by this machine's clock: when the request was sent plus ExpiresIn
	Entity    BoundEntity
}

// String describes the token without revealing it.
func (t *AccessToken) String() string {
	return fmt.Sprintf("AccessToken{Token: [redacted], ExpiresIn: %d, Entity: %s %s}", t.ExpiresIn, t.Entity.Type, t.Entity.ID)
}

// GoString is String, for %#v.
func (t *AccessToken) GoString() string { return t.String() }

// LogValue keeps the token out of slog records.
func (t *AccessToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", "[redacted]"), slog.Int("expires_in", t.ExpiresIn),
		slog.String("entity_type", string(t.Entity.Type)), slog.String("entity_id", t.Entity.ID))
}

// Client calls Oriel's vendor API with a vendor API key. It is safe for
// concurrent use.
type Client struct {
	baseURL string
	apiKey  string
	http    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc instead of a
// client with a 10-second timeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// New returns a Client for the Oriel deployment at baseURL (its public URL,
// such as https://oriel.example.com) that authenticates with apiKey.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{baseURL: strings.TrimRight(baseURL, "/"), apiKey: apiKey, http: &http.Client{Timeout: 10 * time.Second}}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// maxResponseBytes bounds what the Client reads of a response.
const maxResponseBytes = 64 << 10

// AccessToken asks Oriel for a token bound to e.
func (c *Client) AccessToken(ctx context.Context, e Entity) (*AccessToken, error) {
	type bound struct {
		Type     EntityType `json:"type"`
		ID       string     `json:"id"`
		Customer string     `json:"customer,omitempty"`
	}
	sent := time.Now()
	body, err := c.post(ctx, "/v1/auth/access-tokens", struct {
		GrantType   string `json:"grant_type"`
		BoundEntity bound  `json:"bound_entity"`
	}{"client_credentials", bound(e)})
	if err != nil {
		return nil, err
	}
	var out struct {
		AccessToken string      `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   int         `json:"expires_in"`
		BoundEntity BoundEntity `json:"bound_entity"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" || !strings.EqualFold(out.TokenType, "Bearer") || out.ExpiresIn <= 0 {
		return nil, &Error{StatusCode: http.StatusOK, Code: CodeUnexpectedResponse, Description: "the token response lacks access_token, a Bearer token_type or a positive expires_in"}
	}
	return &AccessToken{
		Token:     out.AccessToken,
		ExpiresIn: out.ExpiresIn,
		Expiry:    sent.Add(time.Duration(out.ExpiresIn) * time.Second),
		Entity:    out.BoundEntity,
	}, nil
}

// RevokeAccessToken revokes token at once, on every Oriel replica. As
// RFC 7009 has it, revoking a malformed, expired or unknown token (or one of
// another vendor, which is left alone) succeeds too.
func (c *Client) RevokeAccessToken(ctx context.Context, token string) error {
	_, err := c.post(ctx, "/v1/auth/access-tokens/revoke", struct {
		Token string `json:"token"`
	}{token})
	return err
}

// post sends v as JSON to path and returns the body of a 200 response; any
// other response is an *Error.
func (c *Client) post(ctx context.Context, path string, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("oriel: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oriel: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("oriel: reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errorFrom(resp, body)
	}
	return body, nil
}

// OAuth error codes of Oriel's token endpoints (docs/errors.md), and
// CodeUnexpectedResponse for an answer that is not one of them.
const (
	CodeInvalidClient          = "invalid_client"
	CodeInvalidRequest         = "invalid_request"
	CodeUnsupportedGrantType   = "unsupported_grant_type"
	CodeInvalidTarget          = "invalid_target"
	CodeRateLimited            = "rate_limited"
	CodeServerError            = "server_error"
	CodeTemporarilyUnavailable = "temporarily_unavailable"
	CodeUnexpectedResponse     = "unexpected_response"
)

// Targets for errors.Is: an *Error matches the one with its Code.
var (
	ErrInvalidClient          = &Error{Code: CodeInvalidClient}
	ErrInvalidRequest         = &Error{Code: CodeInvalidRequest}
	ErrUnsupportedGrantType   = &Error{Code: CodeUnsupportedGrantType}
	ErrInvalidTarget          = &Error{Code: CodeInvalidTarget}
	ErrRateLimited            = &Error{Code: CodeRateLimited}
	ErrServerError            = &Error{Code: CodeServerError}
	ErrTemporarilyUnavailable = &Error{Code: CodeTemporarilyUnavailable}
	ErrUnexpectedResponse     = &Error{Code: CodeUnexpectedResponse}
)

// Error is a failure answered by Oriel.
type Error struct {
	StatusCode  int    // the HTTP status
	Code        string // the OAuth error code, e.g. "invalid_target"
	Description string // Oriel's error_description: what is wrong and how to fix it
	// RetryAfter is how long to wait before retrying, from a 429's Retry-After.
	RetryAfter time.Duration
	// Provider is, for a connection_error from Proxy, the provider's answer.
	Provider *ProviderAnswer
}

func (e *Error) Error() string {
	return fmt.Sprintf("oriel: %s (HTTP %d): %s", e.Code, e.StatusCode, e.Description)
}

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// errorFrom reads an error response: an RFC 6749 error object, or else an
// unexpected response (from a proxy, say).
func errorFrom(resp *http.Response, body []byte) *Error {
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	e := &Error{StatusCode: resp.StatusCode}
	if json.Unmarshal(body, &oauth) == nil && oauth.Error != "" {
		e.Code, e.Description = oauth.Error, oauth.Description
	} else {
		e.Code, e.Description = CodeUnexpectedResponse, "the response is not an OAuth error: "+resp.Status
	}
	if seconds, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && seconds > 0 {
		e.RetryAfter = time.Duration(seconds) * time.Second
	}
	return e
}
