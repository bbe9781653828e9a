package oauthdev

import (
	"maps"
	"net/http"
	"slices"
)

// metadata is the server's RFC 8414 authorization server metadata.
type metadata struct {
	Issuer                         string   `json:"issuer"`
	AuthorizationEndpoint          string   `json:"authorization_endpoint"`
	TokenEndpoint                  string   `json:"token_endpoint"`
	RevocationEndpoint             string   `json:"revocation_endpoint"`
	ScopesSupported                []string `json:"scopes_supported"`
	ResponseTypesSupported         []string `json:"response_types_supported"`
	ResponseModesSupported         []string `json:"response_modes_supported"`
	GrantTypesSupported            []string `json:"grant_types_supported"`
	TokenAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported  []string `json:"code_challenge_methods_supported"`
	IssParameterSupported          bool     `json:"authorization_response_iss_parameter_supported"`
}

// handleMetadata serves GET /.well-known/oauth-authorization-server.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerFor(r)
	authMethods := []string{authBasic, authPost}
	writeJSON(w, http.StatusOK, metadata{
		Issuer:                         iss,
		AuthorizationEndpoint:          iss + PathAuthorize,
		TokenEndpoint:                  iss + PathToken,
		RevocationEndpoint:             iss + PathRevoke,
		ScopesSupported:                slices.Sorted(maps.Keys(s.opts.Scopes)),
		ResponseTypesSupported:         []string{"code"},
		ResponseModesSupported:         []string{"query"},
		GrantTypesSupported:            []string{"authorization_code", "refresh_token", "client_credentials"},
		TokenAuthMethodsSupported:      authMethods,
		RevocationAuthMethodsSupported: authMethods,
		CodeChallengeMethodsSupported:  []string{"S256"},
		IssParameterSupported:          true,
	})
}
