package connect

import (
	"context"
	"errors"
	"net/http"

	"github.com/orielhq/oriel"
)

// SubmitFields connects one of the vendor's api_key, basic or client
// credentials connections with values a user entered for its provider's
// form fields (connection config and credentials). The values are validated
// against the catalogue; when the provider has a test request, it is sent
// and must answer one of the expected statuses, and a client credentials
// provider must issue an access token for them. On success every value
// (defaults filled in) is stored encrypted as Credentials.Fields and the
// connection is connected.
//
// Invalid or refused values return a message per field, to show next to
// the fields, with CodeFieldsInvalid or CodeCredentialsRejected; no message
// ever repeats a value. A provider that cannot be reached is
// CodeProviderUnavailable. Failures leave the connection as it was.
func (e *Engine) SubmitFields(ctx context.Context, vendorID, connectionID string, values map[string]string) (*oriel.Connection, map[string]string, error) {
	t, err := e.load(ctx, vendorID, connectionID)
	if err != nil {
		return nil, nil, err
	}
	p := t.provider
	if p.Kind == KindOAuth2 {
		return nil, nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeProviderUsesOAuth2,
			"%s connects with OAuth 2.0, not with entered credentials", p.DisplayName)
	}
	if problems := p.ValidateFields(values); problems != nil {
		return nil, problems, fieldsError(problems)
	}
	filled := make(map[string]string, len(values))
	for _, f := range p.FormFields() {
		if v := f.value(values); v != "" {
			filled[f.Name] = v
		}
	}
	var problems map[string]string
	switch {
	case p.Kind == KindClientCredentials:
		problems, err = e.testClientCredentials(ctx, p, filled)
	case p.TestRequest != nil:
		problems, err = e.testCredentials(ctx, t, filled)
	}
	if err != nil {
		e.log().Warn("credentials test failed", "vendor_id", vendorID, "connection_id", connectionID, "code", oriel.ErrorCode(err))
		return nil, problems, err
	}
	conn, err := e.Store.SetConnected(ctx, vendorID, connectionID, &oriel.Credentials{Fields: filled})
	if err != nil {
		return nil, nil, err
	}
	return conn, nil, nil
}

// testClientCredentials asks p's token endpoint for an access token with
// the client id and secret in values (RFC 6749 §4.4), retrying transient
// failures. A refusal (invalid_client, or 400/401) blames the secret.
func (e *Engine) testClientCredentials(ctx context.Context, p *Provider, values map[string]string) (map[string]string, error) {
	_, err := e.fetchClientToken(ctx, p, values)
	if refusal, ok := errors.AsType[*TokenRefusal](err); ok {
		return map[string]string{"client_secret": p.DisplayName + " did not accept this client ID and secret."},
			oriel.Errorf(oriel.EUNPROCESSABLE, CodeCredentialsRejected, "%s did not issue a token for these credentials (%s)",
				p.DisplayName, refusal.oauthError)
	}
	return nil, err
}

// testCredentials sends the provider's test request with values, retrying
// transient failures. A 401 or 403 blames the secret fields; any other
// unexpected status is a general CodeCredentialsRejected.
func (e *Engine) testCredentials(ctx context.Context, t *target, values map[string]string) (map[string]string, error) {
	p := t.provider
	var status int
	err := retry(ctx, func() error {
		req, err := p.NewTestRequest(ctx, values)
		if err != nil {
			return err
		}
		resp, err := e.httpClient().Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if status = resp.StatusCode; retryableStatus(status) {
			return &statusError{status: status}
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, providerError(err, "the test request")
	case p.TestRequest.Accepts(status):
		return nil, nil
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		problems := map[string]string{}
		for _, f := range p.Credentials {
			if f.Secret {
				problems[f.Name] = p.DisplayName + " did not accept this " + f.Label + "."
			}
		}
		return problems, oriel.Errorf(oriel.EUNPROCESSABLE, CodeCredentialsRejected,
			"%s did not accept these credentials (HTTP %d)", p.DisplayName, status)
	}
	return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeCredentialsRejected,
		"%s answered the test request with HTTP %d; check the values entered", p.DisplayName, status)
}
