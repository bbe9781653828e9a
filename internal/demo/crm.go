package demo

import (
	"github.com/orielhq/oriel/internal/oauthdev"
)

// The Demo CRM: the OAuth 2.0 provider the demo's customers connect to.
const (
	crmName     = "Demo CRM"
	crmClientID = "northwind"
)

// crmScopes are the scopes Northwind's Demo CRM integration asks for.
var crmScopes = []string{"contacts.read", "deals.read", "offline_access"}

// newCRM returns the Demo CRM authorization server at baseURL, with
// Northwind's OAuth client registered: the one redirect URI is Oriel's
// callback. It keeps its grants in memory, so tokens from an earlier run
// stop working; Oriel then marks those connections in error, and the user
// reconnects.
func newCRM(baseURL, orielURL, clientSecret string) (*oauthdev.Server, error) {
	crm := oauthdev.New(oauthdev.Options{Issuer: baseURL, ProviderName: crmName})
	err := crm.RegisterClient(oauthdev.Client{
		ID:           crmClientID,
		Secret:       clientSecret,
		Name:         vendorName,
		RedirectURIs: []string{orielURL + "/oauth/callback"},
	})
	return crm, err
}

// crmEndpoints are the Demo CRM's endpoints and API base URL, as a generic
// oauth2 integration's config names them.
func crmEndpoints(baseURL string) map[string]string {
	return map[string]string{
		"authorization_url": baseURL + oauthdev.PathAuthorize,
		"token_url":         baseURL + oauthdev.PathToken,
		"revocation_url":    baseURL + oauthdev.PathRevoke,
		"issuer":            baseURL,
		"api_base_url":      baseURL + "/api", // for Oriel's proxy: the contacts the CRM data page shows
	}
}
