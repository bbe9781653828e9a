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

// Binding is a live API key read together with the entity of its vendor
// that an access-token request binds (see SQL.Binding).
type Binding struct {
	Key      *oriel.APIKey
	Customer *oriel.Customer // the customer asked for, when no user was
	// Users are the users that match, when a user was asked for: one, or
	// two for an external id that several customers' users share.
	Users []*oriel.User
}

// maxBoundUsers is how many users Binding reads for a user named by
// external id alone: two tell that it is ambiguous.
const maxBoundUsers = 2

// Binding reads, in one query, the live API key whose secret hashes to
// secretHash and the entity of its vendor that customerRef and userRef name:
// the customer customerRef when userRef is "", else the user userRef — of
// the customer customerRef when that is not "", else of any customer (by
// Oriel id, or up to two users by external id). It returns nil, and no
// error, when it finds no row: the key or the entity is missing, which
// APIKeyByHash and the entity's own read tell apart.
func (s *SQL) Binding(ctx context.Context, secretHash []byte, customerRef, userRef string) (*Binding, error) {
	query := `SELECT ` + qualified("k.", apiKeyColumns)
	from := ` FROM api_keys k`
	args := []any{secretHash}
	b := &Binding{}
	parts := []func(scanner) error{func(sc scanner) (err error) { b.Key, err = scanAPIKey(sc); return err }}
	var user *oriel.User
	if customerRef != "" {
		col, val := refColumn(customerRef)
		from += ` JOIN customers c ON c.vendor_id = k.vendor_id AND c.` + col + ` = $2`
		args = append(args, val)
	}
	switch {
	case userRef == "":
		query += `, ` + qualified("c.", customerColumns)
		parts = append(parts, func(sc scanner) (err error) { b.Customer, err = scanCustomer(sc); return err })
	case customerRef != "":
		col, val := refColumn(userRef)
		query += `, ` + userColumns
		from += ` JOIN users u ON u.customer_id = c.id AND u.` + col + ` = $3`
		args = append(args, val)
	default:
		col, val := refColumn(userRef)
		query += `, ` + userColumns
		from += ` JOIN users u ON u.vendor_id = k.vendor_id AND u.` + col + ` = $2`
		args = append(args, val)
	}
	if userRef != "" {
		parts = append(parts, func(sc scanner) (err error) { user, err = scanUser(sc); return err })
	}
	rows, err := s.r.QueryContext(ctx, query+from+` WHERE k.secret_hash = $1 AND k.revoked_at IS NULL`+limitClause(maxBoundUsers), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		if err := scanJoined(rows, parts...); err != nil {
			return nil, err
		}
		found = true
		if user != nil {
			b.Users = append(b.Users, user)
		}
	}
	if err := rows.Err(); err != nil || !found {
		return nil, err
	}
	return b, nil
}
