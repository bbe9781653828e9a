package server

import (
	"net/http"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// The widget API: what the connection pages (web/static/connections.js)
// call, authenticated by their session (widgetauth.go). It shows and
// changes the session's customer's connections only; the connection engine
// does the work.

// codeConnectionNotFound is the store's code for a missing connection, which
// the widget API answers for another customer's connection too.
const codeConnectionNotFound = "connection_not_found"

// errConnectionNotFound answers exactly as the store does for a missing id.
var errConnectionNotFound = oriel.Errorf(oriel.ENOTFOUND, codeConnectionNotFound, "no such connection")

// maxFieldValues bounds the values one form submission may hold; no
// provider has this many fields.
const maxFieldValues = 32

// widgetConnection is a connection as the widget shows it: what it is
// called, how it looks, where it stands, and what to ask the user for.
type widgetConnection struct {
	ID           string                 `json:"id"`
	Name         string                 `json:"name"`        // the integration's display name
	Integration  string                 `json:"integration"` // the vendor's key of the integration
	Provider     string                 `json:"provider"`
	ProviderName string                 `json:"provider_name"`
	Logo         string                 `json:"logo,omitempty"` // the path of its logo under /logos/
	Kind         connect.Kind           `json:"kind,omitempty"` // "" when the catalogue no longer has the provider
	Status       oriel.ConnectionStatus `json:"status"`
	LastError    string                 `json:"last_error,omitempty"`
	ConnectedAt  *time.Time             `json:"connected_at,omitempty"`
	// Fields are what an api_key or basic connection asks for.
	Fields []*connect.Field `json:"fields,omitempty"`
}

// newWidgetConnection describes c. A generic provider's name ("OAuth 2.0
// app") says nothing to the user, who knows the app by the vendor's name for
// it: that name stands for both, and its logo is the integration's
// (integrationLogo). The store reads the integration's name and logo with
// the connection, so describing a page of connections reads nothing more.
func newWidgetConnection(c *oriel.Connection) *widgetConnection {
	v := &widgetConnection{ID: c.ID, Integration: c.Integration, Provider: c.Provider, ProviderName: c.Provider,
		Status: c.Status, LastError: c.LastError, ConnectedAt: c.ConnectedAt, Name: c.IntegrationName}
	p, ok := connect.LookupProvider(c.Provider)
	if ok {
		v.ProviderName, v.Kind = p.DisplayName, p.Kind
		if p.Kind != connect.KindOAuth2 {
			v.Fields = p.FormFields()
		}
	}
	v.Logo = integrationLogo(&oriel.Integration{DisplayName: c.IntegrationName, Logo: c.IntegrationLogo}, p)
	switch {
	case v.Name == "":
		v.Name = v.ProviderName
	case ok && p.Generic:
		v.ProviderName = v.Name
	}
	return v
}

// replyWidget answers c, or returns err when the call that made c failed.
func (s *Server) replyWidget(w http.ResponseWriter, r *http.Request, c *oriel.Connection, err error) error {
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, newWidgetConnection(c))
}

// customerConnection returns the connection named by r's path when it is
// one of the session's customer's; any other answers connection_not_found.
func (s *Server) customerConnection(r *http.Request) (*oriel.Connection, error) {
	sess := sessionOf(r)
	c, err := s.store.Connection(r.Context(), sess.VendorID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if c.CustomerID != sess.Customer.ID {
		return nil, errConnectionNotFound
	}
	return c, nil
}

func (s *Server) widgetConnections(r *http.Request, p oriel.Page) ([]*widgetConnection, bool, error) {
	sess := sessionOf(r)
	conns, more, err := s.store.ListConnections(r.Context(), sess.VendorID, sess.Customer.ID, p)
	if err != nil {
		return nil, false, err
	}
	views := make([]*widgetConnection, len(conns))
	for i, c := range conns {
		views[i] = newWidgetConnection(c)
	}
	return views, more, nil
}

// widgetIntegration is an integration as the widget lists it when the
// customer has no connection yet: what the app can connect.
type widgetIntegration struct {
	Key          string       `json:"key"`
	Name         string       `json:"name"`
	ProviderName string       `json:"provider_name"`
	Kind         connect.Kind `json:"kind,omitempty"`
	Logo         string       `json:"logo,omitempty"`
}

// widgetIntegrations serves GET /widget-api/integrations: one page of the
// vendor's integrations, without their clients or settings.
func (s *Server) widgetIntegrations(r *http.Request, p oriel.Page) ([]widgetIntegration, bool, error) {
	list, more, err := s.store.ListIntegrations(r.Context(), sessionOf(r).VendorID, p)
	if err != nil {
		return nil, false, err
	}
	views := make([]widgetIntegration, len(list))
	for i, in := range list {
		v := widgetIntegration{Key: in.Key, Name: in.DisplayName, ProviderName: in.Provider}
		pr, ok := connect.LookupProvider(in.Provider)
		if ok {
			v.ProviderName, v.Kind = pr.DisplayName, pr.Kind
		}
		v.Logo = integrationLogo(in, pr)
		views[i] = v
	}
	return views, more, nil
}

func (s *Server) widgetConnection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerConnection(r)
	return s.replyWidget(w, r, c, err)
}

// fieldValues is the body of POST /widget-api/connections/{id}/fields.
type fieldValues struct {
	Values map[string]string `json:"values"`
}

func (f *fieldValues) validate() error {
	if len(f.Values) > maxFieldValues {
		return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeFieldsInvalid, "values may hold at most %d fields", maxFieldValues)
	}
	return nil
}

// widgetSubmitFields connects an api_key or basic connection with the values
// the user entered; invalid or refused values answer 422 with a message per
// field.
func (s *Server) widgetSubmitFields(w http.ResponseWriter, r *http.Request) error {
	var in fieldValues
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.customerConnection(r)
	if err != nil {
		return err
	}
	c, problems, err := s.engine.SubmitFields(r.Context(), c.VendorID, c.ID, in.Values)
	if problems != nil {
		return &fieldErrors{err: err, fields: problems}
	}
	return s.replyWidget(w, r, c, err)
}

// widgetDisconnect drops a connection's credentials and revokes them at
// the provider.
func (s *Server) widgetDisconnect(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerConnection(r)
	if err != nil {
		return err
	}
	c, err = s.engine.Disconnect(r.Context(), c.VendorID, c.ID)
	return s.replyWidget(w, r, c, err)
}

// oauthStart is the answer of POST …/oauth-start.
type oauthStart struct {
	// URL is where the widget sends its popup: Oriel's /oauth/start with a
	// one-time ticket, valid for ticketTTL.
	URL string `json:"url"`
}

// widgetStartOAuth begins an authorization of an OAuth2 connection and
// answers the one-time URL that starts it in the widget's popup.
func (s *Server) widgetStartOAuth(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerConnection(r)
	if err != nil {
		return err
	}
	ticket, err := s.newOAuthTicket(r.Context(), c)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, oauthStart{URL: s.startURL(ticket)})
}
