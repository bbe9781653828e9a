package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/orielhq/oriel"
)

// Disconnect disconnects one of the vendor's connections: its credentials
// are dropped (recording connection.disconnected), then revoked at the
// provider when it supports revocation. Revocation is best effort and
// bounded; its failure is logged, not returned, since Oriel forgot the
// credentials either way.
func (e *Engine) Disconnect(ctx context.Context, vendorID, connectionID string) (*oriel.Connection, error) {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	// Credentials that cannot be read are not revoked, but never stop a disconnect.
	cred, err := e.Store.ConnectionCredentials(ctx, vendorID, connectionID)
	if err != nil && oriel.ErrorKind(err) != oriel.ENOTFOUND {
		e.log().Warn("token not revoked: credentials unreadable", "vendor_id", vendorID, "connection_id", connectionID, "code", oriel.ErrorCode(err))
	}
	disconnected, err := e.Store.SetDisconnected(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	e.revoke(ctx, conn, cred)
	return disconnected, nil
}

// Delete deletes one of the vendor's connections (recording
// connection.deleted) and revokes the credentials it held, like Disconnect.
func (e *Engine) Delete(ctx context.Context, vendorID, connectionID string) error {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return err
	}
	cred, err := e.Store.DeleteConnection(ctx, vendorID, connectionID)
	if err != nil {
		return err
	}
	e.revoke(ctx, conn, cred)
	return nil
}

// revoke asks conn's provider to revoke cred (RFC 7009): the refresh token when
// there is one, which revokes its access tokens too, else the access token.
// It does nothing for providers without a revocation endpoint.
func (e *Engine) revoke(ctx context.Context, conn *oriel.Connection, cred *oriel.Credentials) {
	if cred == nil || (cred.RefreshToken == "" && cred.AccessToken == "") {
		return
	}
	t, err := e.loadFor(ctx, conn)
	if err != nil {
		e.log().Warn("token not revoked: integration unusable", "vendor_id", conn.VendorID, "connection_id", conn.ID, "code", oriel.ErrorCode(err))
		return
	}
	if t.provider.Kind != KindOAuth2 {
		return
	}
	endpoint, err := t.provider.RevocationURL(conn.Config)
	if endpoint == "" || err != nil {
		return
	}
	token, hint := cred.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = cred.AccessToken, "access_token"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RequestTimeout)
	defer cancel()
	err = retry(ctx, func() error {
		req, err := e.revocationRequest(ctx, t, endpoint, token, hint)
		if err != nil {
			return err
		}
		resp, err := e.httpClient().Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return &statusError{status: resp.StatusCode}
		}
		return nil
	})
	if err != nil {
		e.log().Warn("token revocation failed", "vendor_id", t.conn.VendorID, "connection_id", t.conn.ID,
			"code", oriel.ErrorCode(providerError(err, "the revocation")))
		return
	}
	e.log().Info("token revoked", "vendor_id", t.conn.VendorID, "connection_id", t.conn.ID)
}

// revocationRequest builds a revocation request in the provider's encoding,
// with the integration's client authenticated as at the token endpoint.
func (e *Engine) revocationRequest(ctx context.Context, t *target, endpoint, token, hint string) (*http.Request, error) {
	in, p := t.integration, t.provider
	params := map[string]string{"token": token, "token_type_hint": hint}
	if p.TokenAuthMethod == ClientSecretPost {
		params["client_id"], params["client_secret"] = in.ClientID, in.ClientSecret
	}
	var body []byte
	contentType := "application/x-www-form-urlencoded"
	if p.RevocationBody == RevocationJSON {
		body, _ = json.Marshal(params)
		contentType = "application/json"
	} else {
		form := url.Values{}
		for k, v := range params {
			form.Set(k, v)
		}
		body = []byte(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	if p.TokenAuthMethod == ClientSecretBasic {
		// RFC 6749 §2.3.1: form-encode the id and secret before Basic.
		req.SetBasicAuth(url.QueryEscape(in.ClientID), url.QueryEscape(in.ClientSecret))
	}
	return req, nil
}
