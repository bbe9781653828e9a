package store

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
)

var errJTIReplayed = oriel.Errorf(oriel.EUNAUTHORIZED, "jti_replayed", "this direct link was already used; sign a new token (with a new jti) for every page load")

// RecordJTI records that vendorID's token jti was used, keeping the record
// until expiresAt. A jti seen before (and not yet pruned) is EUNAUTHORIZED
// "jti_replayed". The unique key makes concurrent uses race safely: exactly
// one insert wins, on every replica sharing the database.
func (s *SQL) RecordJTI(ctx context.Context, vendorID, jti string, expiresAt time.Time) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO direct_link_jtis (vendor_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		vendorID, jti, micros(expiresAt))
	return mustAffect(res, err, errJTIReplayed)
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

// StaleUploadAge is how old an incomplete upload (one a crash cut short)
// is when PruneExpired deletes it; UnusedDocumentAge, a complete document no
// life event took up.
const (
	StaleUploadAge    = time.Hour
	UnusedDocumentAge = 24 * time.Hour
)

// PruneExpired deletes jti and revocation records that expired before t,
// idempotency keys older than IdempotencyTTL, and stale or unused documents
// (their chunks go with them). It returns how many rows went.
func (s *SQL) PruneExpired(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		query string
		arg   time.Time
	}{
		{`DELETE FROM direct_link_jtis WHERE expires_at < $1`, t},
		{`DELETE FROM revoked_tokens WHERE expires_at < $1`, t},
		{`DELETE FROM idempotency_keys WHERE created_at < $1`, t.Add(-IdempotencyTTL)},
		// Uploads a crash cut short, and documents no event took up.
		{`DELETE FROM life_event_documents WHERE complete = 0 AND created_at < $1`, t.Add(-StaleUploadAge)},
		{`DELETE FROM life_event_documents WHERE event_id IS NULL AND created_at < $1`, t.Add(-UnusedDocumentAge)},
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
