package connect

import (
	"context"
	"net/http"

	"github.com/orielhq/oriel"
)

// SubmitFields connects one of the vendor's api_key or basic connections
// with values a user entered for its provider's form fields (connection
// config and credentials). The values are validated against the catalogue;
// when the provider has a test request, it is sent and must answer one of
// the expected statuses. On success every value (defaults filled in) is
// stored encrypted as Credentials.Fields and the connection is connected.
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
	if p.TestRequest != nil {
		if problems, err := e.testCredentials(ctx, t, filled); err != nil {
			e.log().Warn("credentials test failed", "vendor_id", vendorID, "connection_id", connectionID, "code", oriel.ErrorCode(err))
			return nil, problems, err
		}
	}
	conn, err := e.Store.SetConnected(ctx, vendorID, connectionID, &oriel.Credentials{Fields: filled})
	if err != nil {
		return nil, nil, err
	}
	return conn, nil, nil
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
