package store

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
)

var (
	errAPIKeyInvalid  = oriel.Errorf(oriel.EUNAUTHORIZED, "api_key_invalid", "the API key is missing, malformed, revoked or unknown")
	errAPIKeyNotFound = oriel.Errorf(oriel.ENOTFOUND, "api_key_not_found", "no such API key")
)

const apiKeyColumns = `id, vendor_id, name, hint, created_at, last_used_at`

func scanAPIKey(sc scanner) (*oriel.APIKey, error) {
	var k oriel.APIKey
	var created int64
	var used *int64
	if err := sc.Scan(&k.ID, &k.VendorID, &k.Name, &k.Hint, &created, &used); err != nil {
		return nil, err
	}
	k.CreatedAt = fromMicros(created)
	if used != nil {
		t := fromMicros(*used)
		k.LastUsedAt = &t
	}
	return &k, nil
}

// CreateAPIKey stores k (ID and CreatedAt assigned) with the SHA-256 of its secret.
func (s *SQL) CreateAPIKey(ctx context.Context, k *oriel.APIKey, secretHash []byte) error {
	k.ID = newID("key")
	k.CreatedAt = now()
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (id, vendor_id, name, hint, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.ID, k.VendorID, k.Name, k.Hint, secretHash, micros(k.CreatedAt))
	return err
}

// APIKeyByHash returns the live key whose secret hashes to secretHash, or EUNAUTHORIZED.
func (s *SQL) APIKeyByHash(ctx context.Context, secretHash []byte) (*oriel.APIKey, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`, secretHash)
	return one(row, scanAPIKey, errAPIKeyInvalid)
}

// TouchAPIKey records that the key was used at t.
func (s *SQL) TouchAPIKey(ctx context.Context, id string, t time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, micros(t), id)
	return err
}

// ListAPIKeys returns one page of a vendor's live keys.
func (s *SQL) ListAPIKeys(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.APIKey, bool, error) {
	return list(ctx, s.r, `SELECT `+apiKeyColumns+` FROM api_keys WHERE vendor_id = $1 AND revoked_at IS NULL`, "id", []any{vendorID}, p, scanAPIKey)
}

// RevokeAPIKey revokes one of the vendor's keys at once, or answers ENOTFOUND.
func (s *SQL) RevokeAPIKey(ctx context.Context, vendorID, id string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE vendor_id = $2 AND id = $3 AND revoked_at IS NULL`,
		micros(now()), vendorID, id)
	return mustAffect(res, err, errAPIKeyNotFound)
}
