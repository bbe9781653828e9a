package server

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// Connections, as the vendor's backend sees them: created disconnected for
// a customer and an integration, connected by the customer in the widget,
// and read through /credentials. Deleting one revokes its credentials at
// the provider when the provider supports revocation.

// maxConnectionConfig bounds a connection's config entries.
const maxConnectionConfig = 20

// connectionCreate is the body of POST /v1/customers/{customer}/connections.
type connectionCreate struct {
	Integration string            `json:"integration"`
	Config      map[string]string `json:"config"`
}

func (c *connectionCreate) validate() error {
	if !integrationKeyRE.MatchString(c.Integration) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeIntegrationKeyInvalid, "integration must be the key of one of your integrations, such as crm")
	}
	if len(c.Config) > maxConnectionConfig {
		return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeConfigInvalid, "config may hold at most %d settings", maxConnectionConfig)
	}
	return nil
}

// checkConnectionConfig checks a new connection's config against its
// provider: an OAuth2 provider's connection settings (such as a Zendesk
// subdomain) are the vendor's to give here, all of them valid; an api_key
// or basic connection takes none, since the customer enters its values in
// the widget.
func checkConnectionConfig(p *connect.Provider, config map[string]string) error {
	if p.Kind != connect.KindOAuth2 {
		if len(config) > 0 {
			return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeConfigInvalid,
				"%s connections take their settings from the customer, in the widget; send no config", p.DisplayName)
		}
		return nil
	}
	problems := p.ValidateFields(config)
	if problems == nil {
		return nil
	}
	messages := make([]string, 0, len(problems))
	for _, name := range slices.Sorted(maps.Keys(problems)) {
		messages = append(messages, "config."+truncate(name, 64)+": "+problems[name])
	}
	return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeConfigInvalid, "%s", strings.Join(messages, " "))
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) error {
	var in connectionCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	vendorID := vendorOf(r)
	integration, err := s.store.Integration(r.Context(), vendorID, in.Integration)
	if err != nil {
		return err
	}
	p, ok := connect.LookupProvider(integration.Provider)
	if !ok {
		return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeProviderUnknown, "the integration %q uses a provider the catalogue no longer has", integration.Key)
	}
	if err := checkConnectionConfig(p, in.Config); err != nil {
		return err
	}
	c := &oriel.Connection{VendorID: vendorID, CustomerID: r.PathValue("customer"), Integration: in.Integration, Config: in.Config}
	return respond(w, http.StatusCreated, c, s.store.CreateConnection(r.Context(), c))
}

func (s *Server) listCustomerConnections(r *http.Request, p oriel.Page) ([]*oriel.Connection, bool, error) {
	return s.store.ListConnections(r.Context(), vendorOf(r), r.PathValue("customer"), p)
}

// listConnections lists all the vendor's connections, or one customer's
// with ?customer= (an id or E-prefixed external id).
func (s *Server) listConnections(r *http.Request, p oriel.Page) ([]*oriel.Connection, bool, error) {
	customer := r.URL.Query()["customer"]
	if len(customer) > 1 || len(customer) == 1 && (customer[0] == "" || hasControl(customer[0])) {
		return nil, false, oriel.Errorf(oriel.EINVALID, codeCustomerFilterInvalid, "customer must be given at most once: a customer id, or E followed by its external id")
	}
	return s.store.ListConnections(r.Context(), vendorOf(r), strings.Join(customer, ""), p)
}

// codeCustomerFilterInvalid: GET /v1/connections?customer= is empty or repeated.
const codeCustomerFilterInvalid = "customer_filter_invalid"

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.Connection(r.Context(), vendorOf(r), r.PathValue("id"))
	return respond(w, http.StatusOK, c, err)
}

// deleteConnection deletes a connection and revokes its credentials.
func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.engine.Delete(r.Context(), vendorOf(r), r.PathValue("id")))
}

// connectionCredentials is the body of GET /v1/connections/{id}/credentials:
// what the vendor's backend calls the provider with. It has no field for a
// refresh token, which never leaves Oriel.
type connectionCredentials struct {
	ConnectionID string            `json:"connection_id"`
	AccessToken  string            `json:"access_token,omitempty"`
	TokenType    string            `json:"token_type,omitempty"`
	ExpiresAt    *time.Time        `json:"expires_at,omitempty"`
	Scopes       []string          `json:"scopes,omitempty"`
	Fields       map[string]string `json:"fields,omitempty"`
}

// getCredentials answers usable credentials, refreshed first when the
// access token expires within connect.RefreshWindow.
func (s *Server) getCredentials(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	cred, err := s.engine.Credentials(r.Context(), vendorOf(r), id)
	if err != nil {
		return err
	}
	out := connectionCredentials{ConnectionID: id, AccessToken: cred.AccessToken, TokenType: cred.TokenType, Scopes: cred.Scopes, Fields: cred.Fields}
	if !cred.Expiry.IsZero() {
		out.ExpiresAt = &cred.Expiry
	}
	w.Header().Set("Pragma", "no-cache") // Cache-Control: no-store comes with every response
	return reply(w, http.StatusOK, out)
}
