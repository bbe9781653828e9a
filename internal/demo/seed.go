package demo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/demo/partner"
)

// The integrations the demo sets up, by key.
const (
	crmIntegration    = "crm"
	mailerIntegration = "mailer"
)

// brandColor is Northwind's, which the widgets take on (PUT /v1/appearance).
const brandColor = "#0d9488"

// seed makes Oriel hold what the demo needs, through the vendor API as a
// vendor's setup script would. Every step converges — PUTs, or creates
// only what is missing — so a second run changes nothing but what moved:
// the ports in URLs, the Demo CRM's endpoints. It returns each customer's
// Demo CRM connection id, by external id.
func (d *Demo) seed(ctx context.Context) (map[string]string, error) {
	api := newVendorAPI(d.cfg.OrielURL, d.state.APIKey)
	publicKey, err := partner.PublicKeyPEM(d.signingKey)
	if err != nil {
		return nil, err
	}
	steps := []struct {
		method, path string
		body         any
	}{
		{http.MethodPatch, "/v1/vendor", map[string]any{"allowed_origins": []string{d.appOrigin}}},
		{http.MethodPut, "/v1/signing-key", map[string]any{"public_key": publicKey}},
		{http.MethodPut, "/v1/appearance", map[string]any{"mode": "auto", "colors": map[string]string{"primary": brandColor}}},
		{http.MethodPut, "/v1/integrations/" + crmIntegration, map[string]any{
			"provider": "oauth2", "display_name": crmName, "client_id": crmClientID, "client_secret": d.state.CRMClientSecret,
			"scopes": crmScopes, "config": crmEndpoints(d.cfg.CRMURL),
		}},
		{http.MethodPut, "/v1/integrations/" + mailerIntegration, map[string]any{"provider": "api-key", "display_name": "Demo Mailer"}},
	}
	for _, s := range steps {
		if err := api.call(ctx, s.method, s.path, s.body, nil); err != nil {
			return nil, err
		}
	}
	crm := map[string]string{}
	for _, c := range partner.Directory {
		id, err := d.seedCustomer(ctx, api, c)
		if err != nil {
			return nil, err
		}
		crm[c.ExternalID] = id
	}
	return crm, seedAppointmentTypes(ctx, api)
}

// demoHireDate is when the demo's employees were hired.
const demoHireDate oriel.Date = "2024-03-01"

// seedCustomer makes sure the customer, its users and its connections
// exist, and returns the id of its Demo CRM connection.
func (d *Demo) seedCustomer(ctx context.Context, api *vendorAPI, c *partner.Customer) (string, error) {
	ref := "/v1/customers/E" + url.PathEscape(c.ExternalID)
	if err := ensure(ctx, api, ref, "/v1/customers", map[string]any{"external_id": c.ExternalID, "name": c.Name}); err != nil {
		return "", err
	}
	var employees []string
	for _, u := range c.Users {
		body := map[string]any{"external_id": u.ExternalID, "name": u.Name, "email": u.Email, "role": u.Role}
		if err := ensure(ctx, api, ref+"/users/E"+url.PathEscape(u.ExternalID), ref+"/users", body); err != nil {
			return "", err
		}
		employees = append(employees, u.ExternalID)
	}
	if c == partner.Directory[0] {
		// Acme is also an employer: its users are employees who enroll in
		// benefits on Northwind's Benefits page.
		if err := seedBenefits(ctx, api, c.ExternalID, employees, demoHireDate, time.Now()); err != nil {
			return "", fmt.Errorf("seed %s's benefits: %w", c.Name, err)
		}
		// The employee the Benefits page shows first has reported two life
		// events: one approved, one for the vendor console to approve.
		if err := seedLifeEvents(ctx, d.cfg.Store, api, d.state.VendorID, c.ExternalID, employees[0], time.Now()); err != nil {
			return "", fmt.Errorf("seed %s's life events: %w", c.Name, err)
		}
	}
	var existing listPage[oriel.Connection]
	if err := api.call(ctx, http.MethodGet, ref+"/connections?limit=100", nil, &existing); err != nil {
		return "", err
	}
	byIntegration := map[string]string{}
	for _, conn := range existing.Data {
		byIntegration[conn.Integration] = conn.ID
	}
	for _, integration := range []string{crmIntegration, mailerIntegration} {
		if byIntegration[integration] != "" {
			continue
		}
		var conn oriel.Connection
		if err := api.call(ctx, http.MethodPost, ref+"/connections", map[string]any{"integration": integration}, &conn); err != nil {
			return "", err
		}
		byIntegration[integration] = conn.ID
		if integration == mailerIntegration && c == partner.Directory[0] {
			// As if Acme's admin had entered its key in the widget already:
			// the list then shows a connected app beside the CRM to connect.
			cred := &oriel.Credentials{Fields: map[string]string{"api_key": "dm_live_" + c.ExternalID + "_4f9b2c7e"}}
			if _, err := d.cfg.Store.SetConnected(ctx, d.state.VendorID, conn.ID, cred); err != nil {
				return "", fmt.Errorf("connect %s's %s: %w", c.Name, integration, err)
			}
		}
	}
	return byIntegration[crmIntegration], nil
}

// ensure creates the object at path by POSTing body to collection, unless
// it exists already.
func ensure(ctx context.Context, api *vendorAPI, path, collection string, body any) error {
	err := api.call(ctx, http.MethodGet, path, nil, nil)
	if isNotFound(err) {
		err = api.call(ctx, http.MethodPost, collection, body, nil)
	}
	return err
}
