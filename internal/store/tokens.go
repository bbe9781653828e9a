package store

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
)

// ErrJTIReplayed is RecordJTI's answer for a jti that was used before.
var ErrJTIReplayed = oriel.Errorf(oriel.EUNAUTHORIZED, "jti_replayed", "this direct link was already used; sign a new token (with a new jti) for every page load")

// RecordJTI records that vendorID's token jti was used, keeping the record
// until expiresAt. A jti seen before (and not yet pruned) is EUNAUTHORIZED
// "jti_replayed". The unique key makes concurrent uses race safely: exactly
// one insert wins, on every replica sharing the database.
func (s *SQL) RecordJTI(ctx context.Context, vendorID, jti string, expiresAt time.Time) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO direct_link_jtis (vendor_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		vendorID, jti, micros(expiresAt))
	return mustAffect(res, err, ErrJTIReplayed)
}

// JTIUsed reports whether vendorID's token jti is recorded (and not yet
// pruned), without recording it.
func (s *SQL) JTIUsed(ctx context.Context, vendorID, jti string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM direct_link_jtis WHERE vendor_id = $1 AND jti = $2`, vendorID, jti).Scan(&n)
	return n > 0, err
}

// RevokeToken marks an access or session token id revoked until expiresAt.
// Revoking twice is not an error.
func (s *SQL) RevokeToken(ctx context.Context, tokenID string, expiresAt time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		tokenID, micros(expiresAt))
	return err
}

// TokenRevoked reports whether tokenID was revoked.
func (s *SQL) TokenRevoked(ctx context.Context, tokenID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM revoked_tokens WHERE token_id = $1`, tokenID).Scan(&n)
	return n > 0, err
}

// PruneExpired deletes jti and revocation records that expired before t, and
// idempotency keys older than IdempotencyTTL. It returns how many rows went.
func (s *SQL) PruneExpired(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		query string
		arg   time.Time
	}{
		{`DELETE FROM direct_link_jtis WHERE expires_at < $1`, t},
		{`DELETE FROM revoked_tokens WHERE expires_at < $1`, t},
		{`DELETE FROM idempotency_keys WHERE created_at < $1`, t.Add(-IdempotencyTTL)},
	} {
		res, err := s.w.ExecContext(ctx, q.query, micros(q.arg))
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
