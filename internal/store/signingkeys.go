package store

import (
	"context"
	"database/sql"

	"github.com/orielhq/oriel"
)

var (
	errSigningKeyNotFound = oriel.Errorf(oriel.ENOTFOUND, "signing_key_not_found", "no such signing key")
	errSigningKeyExists   = oriel.Errorf(oriel.ECONFLICT, "signing_key_exists", "this vendor already has this key, or another key with this kid")
)

const signingKeyColumns = `id, vendor_id, kid, algorithm, fingerprint, public_key_pem, created_at`

func scanSigningKey(sc scanner) (*oriel.SigningKey, error) {
	var k oriel.SigningKey
	var created int64
	if err := sc.Scan(&k.ID, &k.VendorID, &k.KID, &k.Algorithm, &k.Fingerprint, &k.PublicKeyPEM, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = fromMicros(created)
	return &k, nil
}

func insertSigningKey(ctx context.Context, q queryer, k *oriel.SigningKey) error {
	k.ID = newID("sigkey")
	k.CreatedAt = now()
	_, err := q.ExecContext(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.VendorID, k.KID, k.Algorithm, k.Fingerprint, k.PublicKeyPEM, micros(k.CreatedAt))
	if isUniqueViolation(err) {
		return errSigningKeyExists
	}
	return err
}

// CreateSigningKey adds a key; a duplicate kid or fingerprint for the vendor is ECONFLICT.
func (s *SQL) CreateSigningKey(ctx context.Context, k *oriel.SigningKey) error {
	return insertSigningKey(ctx, s.w, k)
}

// ReplaceSigningKeys makes k the vendor's only key, in one transaction.
func (s *SQL) ReplaceSigningKeys(ctx context.Context, k *oriel.SigningKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signing_keys WHERE vendor_id = $1`, k.VendorID); err != nil {
			return err
		}
		return insertSigningKey(ctx, tx, k)
	})
}

// ListSigningKeys returns one page of a vendor's keys.
func (s *SQL) ListSigningKeys(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.SigningKey, bool, error) {
	return list(ctx, s.r, `SELECT `+signingKeyColumns+` FROM signing_keys WHERE vendor_id = $1`, "id", []any{vendorID}, p, scanSigningKey)
}

// DeleteSigningKey removes one key.
func (s *SQL) DeleteSigningKey(ctx context.Context, vendorID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM signing_keys WHERE vendor_id = $1 AND id = $2`, vendorID, id)
	return mustAffect(res, err, errSigningKeyNotFound)
}
