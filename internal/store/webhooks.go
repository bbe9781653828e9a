package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/orielhq/oriel"
)

var (
	errWebhookEndpointNotFound = oriel.Errorf(oriel.ENOTFOUND, "webhook_endpoint_not_found", "no such webhook endpoint")
	errWebhookEventNotFound    = oriel.Errorf(oriel.ENOTFOUND, "webhook_event_not_found", "no such webhook event")
)

const webhookEndpointColumns = `id, vendor_id, url, events, created_at`

func scanWebhookEndpoint(sc scanner) (*oriel.WebhookEndpoint, error) {
	var e oriel.WebhookEndpoint
	var events string
	var created int64
	if err := sc.Scan(&e.ID, &e.VendorID, &e.URL, &events, &created); err != nil {
		return nil, err
	}
	var err error
	e.Events, err = decodeList(events)
	e.CreatedAt = fromMicros(created)
	return &e, err
}

// CreateWebhookEndpoint stores e (ID and CreatedAt assigned), sealing its Secret.
func (s *SQL) CreateWebhookEndpoint(ctx context.Context, e *oriel.WebhookEndpoint) error {
	e.ID, e.CreatedAt = newID("we"), now()
	if e.Events == nil {
		e.Events = []string{}
	}
	secret, err := s.sealValue(webhookSecret, e.ID, []byte(e.Secret))
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, vendor_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.ID, e.VendorID, e.URL, encodeList(e.Events), secret, micros(e.CreatedAt))
	return err
}

// ListWebhookEndpoints returns one page of a vendor's endpoints, without secrets.
func (s *SQL) ListWebhookEndpoints(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.WebhookEndpoint, bool, error) {
	return list(ctx, s.r, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints WHERE vendor_id = $1`, "id", []any{vendorID}, p, scanWebhookEndpoint)
}

// DeleteWebhookEndpoint deletes an endpoint and, with it, its deliveries.
func (s *SQL) DeleteWebhookEndpoint(ctx context.Context, vendorID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE vendor_id = $1 AND id = $2`, vendorID, id)
	return mustAffect(res, err, errWebhookEndpointNotFound)
}

// subscribed reports whether an endpoint listening to events receives typ:
// an empty list or "*" means every type.
func subscribed(events []string, typ string) bool {
	return len(events) == 0 || slices.Contains(events, "*") || slices.Contains(events, typ)
}

// recordConnectionEvent records an event of type typ about connection c.
func recordConnectionEvent(ctx context.Context, tx *sql.Tx, c *oriel.Connection, typ string) error {
	return recordEvent(ctx, tx, c.VendorID, typ, oriel.EventData{ConnectionID: c.ID, CustomerID: c.CustomerID, Provider: c.Provider})
}

// recordEvent writes the outbox: an event of type typ carrying data, and
// one pending delivery, due now, for each of the vendor's endpoints that
// subscribe to typ. It runs in the caller's transaction, so the event exists
// exactly when the change it reports does. A connection event's fields have
// columns of their own; the rest of data is kept as JSON in details.
func recordEvent(ctx context.Context, tx *sql.Tx, vendorID, typ string, data oriel.EventData) error {
	t := now()
	eventID := newID("evt")
	details := data
	details.ConnectionID, details.CustomerID, details.Provider = "", "", ""
	encoded, err := json.Marshal(details)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (id, vendor_id, type, connection_id, customer_id, provider, details, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, eventID, vendorID, typ, data.ConnectionID, data.CustomerID, data.Provider, string(encoded), micros(t)); err != nil {
		return err
	}
	targets, err := subscribers(ctx, tx, vendorID, typ)
	if err != nil {
		return err
	}
	for _, endpointID := range targets {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, next_attempt_at) VALUES ($1, $2, $3, $4, $5)`,
			newID("dlv"), eventID, endpointID, oriel.DeliveryPending, micros(t)); err != nil {
			return err
		}
	}
	return nil
}

// subscribers returns the ids of the vendor's endpoints that receive typ.
func subscribers(ctx context.Context, q queryer, vendorID, typ string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, events FROM webhook_endpoints WHERE vendor_id = $1 ORDER BY id`, vendorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, encoded string
		if err := rows.Scan(&id, &encoded); err != nil {
			return nil, err
		}
		events, err := decodeList(encoded)
		if err != nil {
			return nil, err
		}
		if subscribed(events, typ) {
			ids = append(ids, id)
		}
	}
	return ids, rows.Err()
}

const webhookEventColumns = `e.id, e.vendor_id, e.type, e.created_at, e.details, e.connection_id, e.customer_id, e.provider`

func scanWebhookEvent(sc scanner) (*oriel.WebhookEvent, error) {
	var e oriel.WebhookEvent
	var created int64
	var details string
	if err := sc.Scan(&e.ID, &e.VendorID, &e.Type, &created, &details, &e.Data.ConnectionID, &e.Data.CustomerID, &e.Data.Provider); err != nil {
		return nil, err
	}
	var data oriel.EventData
	if err := json.Unmarshal([]byte(details), &data); err != nil {
		return nil, fmt.Errorf("corrupt event details: %w", err)
	}
	data.ConnectionID, data.CustomerID, data.Provider = e.Data.ConnectionID, e.Data.CustomerID, e.Data.Provider
	e.Data = data
	e.CreatedAt = fromMicros(created)
	return &e, nil
}

// ListWebhookEvents returns one page of a vendor's events, newest last.
func (s *SQL) ListWebhookEvents(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.WebhookEvent, bool, error) {
	return list(ctx, s.r, `SELECT `+webhookEventColumns+` FROM webhook_events e WHERE e.vendor_id = $1`, "e.id", []any{vendorID}, p, scanWebhookEvent)
}

func webhookEvent(ctx context.Context, q queryer, vendorID, id string) (*oriel.WebhookEvent, error) {
	row := q.QueryRowContext(ctx, `SELECT `+webhookEventColumns+` FROM webhook_events e WHERE e.vendor_id = $1 AND e.id = $2`, vendorID, id)
	return one(row, scanWebhookEvent, errWebhookEventNotFound)
}
