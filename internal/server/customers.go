package server

import (
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// customerCreate is the body of POST /v1/customers.
type customerCreate struct {
	ExternalID     string   `json:"external_id"`
	Name           string   `json:"name"`
	AllowedOrigins []string `json:"allowed_origins"`
	// PayFrequency and NewHireWindowDays default to biweekly and 30.
	PayFrequency      string `json:"pay_frequency"`
	NewHireWindowDays int    `json:"new_hire_window_days"`
}

func (c *customerCreate) validate() error {
	if c.PayFrequency == "" {
		c.PayFrequency = string(benefits.DefaultPayFrequency)
	}
	if c.NewHireWindowDays == 0 {
		c.NewHireWindowDays = benefits.DefaultNewHireWindowDays
	}
	return firstError(
		checkCustomerExternalID(c.ExternalID),
		checkName(c.Name),
		normalizeOriginsIn(&c.AllowedOrigins),
		checkPayFrequency(c.PayFrequency),
		checkNewHireWindowDays(c.NewHireWindowDays),
	)
}

// customerPatch is the body of PATCH /v1/customers/{customer}.
type customerPatch oriel.CustomerUpdate

func (p *customerPatch) validate() error {
	return firstError(
		ifSet(p.ExternalID, checkCustomerExternalID),
		ifSet(p.Name, checkName),
		normalizeOriginsIn(p.AllowedOrigins),
		ifSet(p.PayFrequency, checkPayFrequency),
		ifSet(p.NewHireWindowDays, checkNewHireWindowDays),
	)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customerCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &oriel.Customer{VendorID: vendorOf(r), ExternalID: in.ExternalID, Name: in.Name, AllowedOrigins: in.AllowedOrigins,
		PayFrequency: in.PayFrequency, NewHireWindowDays: in.NewHireWindowDays}
	err := s.store.CreateCustomer(r.Context(), c)
	return respond(w, http.StatusCreated, c, err)
}

func (s *Server) listCustomers(r *http.Request, p oriel.Page) ([]*oriel.Customer, bool, error) {
	return s.store.ListCustomers(r.Context(), vendorOf(r), p)
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.Customer(r.Context(), vendorOf(r), r.PathValue("customer"))
	return respond(w, http.StatusOK, c, err)
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	var p customerPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	c, err := s.store.UpdateCustomer(r.Context(), vendorOf(r), r.PathValue("customer"), oriel.CustomerUpdate(p))
	return respond(w, http.StatusOK, c, err)
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteCustomer(r.Context(), vendorOf(r), r.PathValue("customer")))
}
