package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/orielhq/oriel"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	errIntegrationNotFound = oriel.Errorf(oriel.ENOTFOUND, "integration_not_found", "no such integration")
	errIntegrationInUse    = oriel.Errorf(oriel.ECONFLICT, "integration_in_use", "connections still use this integration; delete them first")
	errLogoNotFound        = oriel.Errorf(oriel.ENOTFOUND, "logo_not_found", "no such logo")
)

const integrationColumns = `id, vendor_id, key, provider, display_name, client_id, scopes, config, logo, created_at, updated_at`

func scanIntegration(sc scanner) (*oriel.Integration, error) {
	var i oriel.Integration
	var scopes, config string
	var created, updated int64
	if err := sc.Scan(&i.ID, &i.VendorID, &i.Key, &i.Provider, &i.DisplayName, &i.ClientID, &scopes, &config, &i.Logo, &created, &updated); err != nil {
		return nil, err
	}
	var err1, err2 error
	i.Scopes, err1 = decodeList(scopes)
	i.Config, err2 = decodeMap(config)
	i.CreatedAt, i.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &i, errors.Join(err1, err2)
}

// PutIntegration creates or replaces the vendor's integration with i.Key,
// keeping its ID and CreatedAt on replace, and sealing i.ClientSecret.
func (s *SQL) PutIntegration(ctx context.Context, i *oriel.Integration) (created bool, err error) {
	if i.Scopes == nil {
		i.Scopes = []string{}
	}
	t := now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		id := newID("int")
		secret, err := s.sealValue(integrationSecret, id, []byte(i.ClientSecret))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO integrations (id, vendor_id, key, provider, display_name, client_id, client_secret, scopes, config, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (vendor_id, key) DO NOTHING`,
			id, i.VendorID, i.Key, i.Provider, i.DisplayName, i.ClientID, secret, encodeList(i.Scopes), encodeMap(i.Config), micros(t))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			i.ID, i.CreatedAt, i.Logo, created = id, t, "", true
			return err
		}
		// The key exists: replace that row, under its own id, keeping its logo.
		var createdAt int64
		if err := tx.QueryRowContext(ctx, `SELECT id, created_at, logo FROM integrations WHERE vendor_id = $1 AND key = $2`,
			i.VendorID, i.Key).Scan(&id, &createdAt, &i.Logo); err != nil {
			return err
		}
		if secret, err = s.sealValue(integrationSecret, id, []byte(i.ClientSecret)); err != nil {
			return err
		}
		i.ID, i.CreatedAt = id, fromMicros(createdAt)
		_, err = tx.ExecContext(ctx, `UPDATE integrations SET provider = $1, display_name = $2, client_id = $3, client_secret = $4, scopes = $5, config = $6, updated_at = $7 WHERE id = $8`,
			i.Provider, i.DisplayName, i.ClientID, secret, encodeList(i.Scopes), encodeMap(i.Config), micros(t), id)
		return err
	})
	i.UpdatedAt = t
	return created, err
}

// Integration returns one integration by key, with ClientSecret decrypted.
func (s *SQL) Integration(ctx context.Context, vendorID, key string) (*oriel.Integration, error) {
	var secret sql.NullString
	row := s.r.QueryRowContext(ctx, `SELECT `+integrationColumns+`, client_secret FROM integrations WHERE vendor_id = $1 AND key = $2`, vendorID, key)
	i, err := one(row, func(sc scanner) (*oriel.Integration, error) {
		return scanIntegration(scanWith{sc: sc, after: []any{&secret}})
	}, errIntegrationNotFound)
	if err != nil {
		return nil, err
	}
	plain, err := s.openValue(integrationSecret, i.ID, secret)
	i.ClientSecret = string(plain)
	return i, err
}

// integrationID returns the id and provider of the vendor's integration with key.
func integrationID(ctx context.Context, q queryer, vendorID, key string) (id, provider string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, provider FROM integrations WHERE vendor_id = $1 AND key = $2`, vendorID, key).Scan(&id, &provider)
	if errors.Is(err, sql.ErrNoRows) {
		err = errIntegrationNotFound
	}
	return id, provider, err
}

// ListIntegrations returns one page of a vendor's integrations, without secrets.
func (s *SQL) ListIntegrations(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.Integration, bool, error) {
	return list(ctx, s.r, `SELECT `+integrationColumns+` FROM integrations WHERE vendor_id = $1`, "id", []any{vendorID}, p, scanIntegration)
}

// DeleteIntegration deletes an integration; one that connections still use
// is ECONFLICT "integration_in_use" (the foreign key decides, so a connection
// created concurrently is never orphaned).
func (s *SQL) DeleteIntegration(ctx context.Context, vendorID, key string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM integrations WHERE vendor_id = $1 AND key = $2`, vendorID, key)
	if isForeignKeyViolation(err) {
		return errIntegrationInUse
	}
	return mustAffect(res, err, errIntegrationNotFound)
}

// SetIntegrationLogo stores logo for the vendor, unless the vendor has a
// logo of that name (the same bytes) already, points the integration at it,
// and deletes the logo it replaces when none of the vendor's integrations
// uses that one any more; nil removes the integration's logo.
func (s *SQL) SetIntegrationLogo(ctx context.Context, vendorID, key string, logo *oriel.Logo) (*oriel.Integration, error) {
	name := ""
	if logo != nil {
		name = logo.Name
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT logo FROM integrations WHERE vendor_id = $1 AND key = $2`, vendorID, key).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return errIntegrationNotFound
		} else if err != nil {
			return err
		}
		if logo != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO logos (vendor_id, name, content_type, data, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (vendor_id, name) DO NOTHING`, vendorID, logo.Name, logo.ContentType, logo.Data, micros(now())); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE integrations SET logo = $1, updated_at = $2 WHERE vendor_id = $3 AND key = $4`,
			name, micros(now()), vendorID, key); err != nil {
			return err
		}
		if old == "" || old == name {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM logos WHERE vendor_id = $1 AND name = $2
			AND NOT EXISTS (SELECT 1 FROM integrations WHERE vendor_id = $1 AND logo = $2)`, vendorID, old)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Integration(ctx, vendorID, key)
}

// Logo returns a stored logo by name: any vendor's copy, since the name
// says what the bytes are.
func (s *SQL) Logo(ctx context.Context, name string) (*oriel.Logo, error) {
	l := &oriel.Logo{Name: name}
	err := s.r.QueryRowContext(ctx, `SELECT content_type, data FROM logos WHERE name = $1 LIMIT 1`, name).Scan(&l.ContentType, &l.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLogoNotFound
	}
	return l, err
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint failure.
func isForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var lite *sqlite.Error
	return errors.As(err, &lite) && lite.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
