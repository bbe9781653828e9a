package store

import (
	"bytes"
	"context"
	"time"

	"github.com/orielhq/oriel"
)

// Idempotency keys live for IdempotencyTTL. A claim whose request never
// finished (the process died) may be taken over after IdempotencyStale.
const (
	IdempotencyTTL   = 24 * time.Hour
	IdempotencyStale = time.Minute
)

var (
	errIdempotencyInProgress = oriel.Errorf(oriel.ECONFLICT, "idempotency_in_progress", "a request with this Idempotency-Key is still being processed; retry in a moment")
	errIdempotencyReused     = oriel.Errorf(oriel.EUNPROCESSABLE, "idempotency_key_reused", "this Idempotency-Key was already used with a different request; use a new key for a new request")
)

// BeginIdempotent claims (vendorID, key) or returns what its first use left.
func (s *SQL) BeginIdempotent(ctx context.Context, vendorID, key string, requestHash []byte) (*IdempotentResponse, bool, error) {
	t := now()
	if _, err := s.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE vendor_id = $1 AND key = $2 AND created_at < $3`,
		vendorID, key, micros(t.Add(-IdempotencyTTL))); err != nil {
		return nil, false, err
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO idempotency_keys (vendor_id, key, request_hash, status, created_at) VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING`,
		vendorID, key, requestHash, micros(t))
	if err != nil {
		return nil, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, false, err
	}
	var hash, body []byte
	var status int
	var created int64
	if err := s.w.QueryRowContext(ctx, `SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE vendor_id = $1 AND key = $2`,
		vendorID, key).Scan(&hash, &status, &body, &created); err != nil {
		return nil, false, err
	}
	switch {
	case !bytes.Equal(hash, requestHash):
		return nil, false, errIdempotencyReused
	case status != 0:
		return &IdempotentResponse{Status: status, Body: body}, true, nil
	case fromMicros(created).Before(t.Add(-IdempotencyStale)):
		// The first request died mid-way: take the claim over, unless another retry just did.
		res, err := s.w.ExecContext(ctx, `UPDATE idempotency_keys SET created_at = $1 WHERE vendor_id = $2 AND key = $3 AND status = 0 AND created_at = $4`,
			micros(t), vendorID, key, created)
		if err := mustAffect(res, err, errIdempotencyInProgress); err != nil {
			return nil, false, err
		}
		return nil, false, nil
	default:
		return nil, false, errIdempotencyInProgress
	}
}

// FinishIdempotent stores the response of a claimed key.
func (s *SQL) FinishIdempotent(ctx context.Context, vendorID, key string, resp IdempotentResponse) error {
	_, err := s.w.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, body = $2 WHERE vendor_id = $3 AND key = $4`,
		resp.Status, resp.Body, vendorID, key)
	return err
}

// AbandonIdempotent releases a claimed key without a response.
func (s *SQL) AbandonIdempotent(ctx context.Context, vendorID, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE vendor_id = $1 AND key = $2 AND status = 0`, vendorID, key)
	return err
}
