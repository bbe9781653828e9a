package partner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/orielhq/oriel/client"
)

// crmData is what the CRM data page shows: the Demo CRM's contacts of the
// signed-in user's customer, read by Northwind's backend through Oriel's
// proxy, or why they could not be.
type crmData struct {
	Contacts []crmContact
	// Problem, when set, says why there are no contacts; Reconnect, that
	// the customer must connect the Demo CRM (again).
	Problem   string
	Reconnect bool
}

// crmContact is one contact of the Demo CRM's GET /api/contacts.
type crmContact struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Company string `json:"company"`
}

// crmContacts calls the Demo CRM's contacts API through Oriel
// (/v1/connections/{id}/proxy/contacts): Oriel puts the connection's
// token on the request and refreshes it when the CRM refuses it, so
// Northwind never handles the customer's CRM credentials.
func (a *app) crmContacts(ctx context.Context, u *User) *crmData {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := a.oriel.Proxy(ctx, a.cfg.CRMConnections[u.Customer.ExternalID], http.MethodGet, "contacts", nil,
		http.Header{"Accept": {"application/json"}, "Oriel-Retries": {"2"}})
	switch {
	case errors.Is(err, client.ErrNotConnected):
		return &crmData{Problem: u.Customer.Name + " has not connected its Demo CRM yet.", Reconnect: true}
	case errors.Is(err, client.ErrConnectionError), errors.Is(err, client.ErrReauthorizationRequired):
		return &crmData{Problem: "The Demo CRM no longer accepts " + u.Customer.Name + "'s connection.", Reconnect: true}
	case err != nil:
		a.logger.Warn("CRM contacts through Oriel failed", "err", err)
		return &crmData{Problem: "Oriel could not be reached; try again in a moment."}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &crmData{Problem: fmt.Sprintf("The Demo CRM answered HTTP %d.", resp.StatusCode)}
	}
	var page struct {
		Data []crmContact `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&page); err != nil {
		return &crmData{Problem: "The Demo CRM's answer is not the expected JSON."}
	}
	return &crmData{Contacts: page.Data}
}
