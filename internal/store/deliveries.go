package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orielhq/oriel"
)

var errWebhookDeliveryNotFound = oriel.Errorf(oriel.ENOTFOUND, "webhook_delivery_not_found", "no such webhook delivery")

// deliveryColumns and deliveriesFrom select deliveries with their endpoint's
// URL and their event (webhookEventColumns follow deliveryColumns).
const (
	deliveryColumns = `d.id, d.endpoint_id, p.url, d.status, d.attempts, d.next_attempt_at, d.last_error, ` + webhookEventColumns
	deliveriesFrom  = ` FROM webhook_deliveries d JOIN webhook_endpoints p ON p.id = d.endpoint_id JOIN webhook_events e ON e.id = d.event_id`
)

func scanDelivery(sc scanner) (*oriel.WebhookDelivery, error) {
	var d oriel.WebhookDelivery
	var next int64
	e, err := scanWebhookEvent(scanWith{sc: sc, before: []any{&d.ID, &d.EndpointID, &d.URL, &d.Status, &d.Attempts, &next, &d.LastError}})
	if err != nil {
		return nil, err
	}
	d.Event, d.NextAttemptAt = e, fromMicros(next)
	return &d, nil
}

// WebhookDeliveries returns the deliveries of one of the vendor's events, oldest first.
func (s *SQL) WebhookDeliveries(ctx context.Context, vendorID, eventID string) ([]*oriel.WebhookDelivery, error) {
	if _, err := webhookEvent(ctx, s.r, vendorID, eventID); err != nil {
		return nil, err
	}
	return deliveries(ctx, s.r, `WHERE e.vendor_id = $1 AND e.id = $2 ORDER BY d.id`, []any{vendorID, eventID}, nil)
}

// RetryWebhookEvent makes every delivery of the event pending again, due now.
// A delivery in flight keeps its lease, so it is not sent twice at once.
func (s *SQL) RetryWebhookEvent(ctx context.Context, vendorID, eventID string) error {
	if _, err := webhookEvent(ctx, s.r, vendorID, eventID); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2 WHERE event_id = $3`,
		oriel.DeliveryPending, micros(now()), eventID)
	return err
}

// ClaimWebhookDeliveries leases up to limit due deliveries (pending,
// next_attempt_at ≤ now, no live lease) until leaseUntil, and returns them
// with their event, URL and decrypted secret, soonest due first. A claimed
// delivery is handed to one caller only, across replicas; one whose process
// dies is claimed again once its lease expires. A delivery whose endpoint
// secret does not decrypt is not returned: it keeps its lease and records the
// reason as its last error.
func (s *SQL) ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*oriel.WebhookDelivery, error) {
	var out []*oriel.WebhookDelivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := s.leaseDeliveries(ctx, tx, now, leaseUntil, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		marks := make([]string, len(ids))
		args := make([]any, len(ids))
		for i, id := range ids {
			marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
		}
		secrets := map[string]sql.NullString{}
		claimed, err := deliveries(ctx, tx, `WHERE d.id IN (`+strings.Join(marks, ", ")+`) ORDER BY d.next_attempt_at, d.id`, args, secrets)
		if err != nil {
			return err
		}
		for _, d := range claimed {
			secret, err := s.openValue(webhookSecret, d.EndpointID, secrets[d.ID])
			if errors.Is(err, errUnreadable) {
				if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET last_error = $1 WHERE id = $2`, errUnreadable.Error(), d.ID); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			d.Secret = string(secret)
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// leaseDeliveries leases up to limit due deliveries and returns their ids.
// It is the only SQL that differs by dialect. On PostgreSQL the sub-select
// locks the rows it picks and skips rows another transaction has locked, so
// concurrent claimers on several replicas never pick the same delivery. On
// SQLite the single writer runs the statement alone, which makes it atomic.
func (s *SQL) leaseDeliveries(ctx context.Context, tx *sql.Tx, now, leaseUntil time.Time, limit int) ([]string, error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.QueryContext(ctx, `UPDATE webhook_deliveries SET lease_until = $1 WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE status = $2 AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
		ORDER BY next_attempt_at, id`+limitClause(limit)+lock+`) RETURNING id`,
		micros(leaseUntil), oriel.DeliveryPending, micros(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deliveries runs a delivery query ending in where over args. When secrets
// is not nil, it also reads each endpoint's sealed secret into it, by
// delivery id.
func deliveries(ctx context.Context, q queryer, where string, args []any, secrets map[string]sql.NullString) ([]*oriel.WebhookDelivery, error) {
	columns := deliveryColumns
	if secrets != nil {
		columns += `, p.secret`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+columns+deliveriesFrom+` `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*oriel.WebhookDelivery
	for rows.Next() {
		var secret sql.NullString
		var sc scanner = rows
		if secrets != nil {
			sc = scanWith{sc: rows, after: []any{&secret}}
		}
		d, err := scanDelivery(sc)
		if err != nil {
			return nil, err
		}
		if secrets != nil {
			secrets[d.ID] = secret
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FinishWebhookDelivery records an attempt and releases the lease: delivered,
// or failed with lastError and due again at next; a zero next gives up, and
// the delivery ends failed.
func (s *SQL) FinishWebhookDelivery(ctx context.Context, id string, delivered bool, lastError string, next time.Time) error {
	status, due := oriel.DeliveryPending, optionalMicros(next)
	switch {
	case delivered:
		status, lastError, due = oriel.DeliveryDelivered, "", nil
	case next.IsZero():
		status = oriel.DeliveryFailed
	}
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_error = $2,
		next_attempt_at = COALESCE($3, next_attempt_at), lease_until = NULL WHERE id = $4`, status, lastError, due, id)
	return mustAffect(res, err, errWebhookDeliveryNotFound)
}
