package store

import (
	"context"
	"database/sql"

	"github.com/orielhq/oriel"
)

var errVendorNotFound = oriel.Errorf(oriel.ENOTFOUND, "vendor_not_found", "no such vendor")

const vendorColumns = `id, name, allowed_origins, created_at, updated_at`

func scanVendor(sc scanner) (*oriel.Vendor, error) {
	var v oriel.Vendor
	var origins string
	var created, updated int64
	if err := sc.Scan(&v.ID, &v.Name, &origins, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	v.AllowedOrigins, err = decodeList(origins)
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &v, err
}

// CreateVendor stores v, assigning ID and timestamps.
func (s *SQL) CreateVendor(ctx context.Context, v *oriel.Vendor) error {
	v.ID = newID("vnd")
	v.CreatedAt = now()
	v.UpdatedAt = v.CreatedAt
	if v.AllowedOrigins == nil {
		v.AllowedOrigins = []string{}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO vendors (`+vendorColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		v.ID, v.Name, encodeList(v.AllowedOrigins), micros(v.CreatedAt), micros(v.UpdatedAt))
	return err
}

// Vendor returns one vendor, or ENOTFOUND.
func (s *SQL) Vendor(ctx context.Context, id string) (*oriel.Vendor, error) {
	return vendor(ctx, s.r, id)
}

func vendor(ctx context.Context, q queryer, id string) (*oriel.Vendor, error) {
	row := q.QueryRowContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE id = $1`, id)
	return one(row, scanVendor, errVendorNotFound)
}

// ListVendors returns one page of vendors ordered by id.
func (s *SQL) ListVendors(ctx context.Context, p oriel.Page) ([]*oriel.Vendor, bool, error) {
	return list(ctx, s.r, `SELECT `+vendorColumns+` FROM vendors WHERE 1 = 1`, "id", nil, p, scanVendor)
}

// UpdateVendor applies u and returns the result.
func (s *SQL) UpdateVendor(ctx context.Context, id string, u oriel.VendorUpdate) (*oriel.Vendor, error) {
	var v *oriel.Vendor
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if v, err = vendor(ctx, tx, id); err != nil {
			return err
		}
		if u.Name != nil {
			v.Name = *u.Name
		}
		if u.AllowedOrigins != nil {
			v.AllowedOrigins = *u.AllowedOrigins
		}
		v.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE vendors SET name = $1, allowed_origins = $2, updated_at = $3 WHERE id = $4`,
			v.Name, encodeList(v.AllowedOrigins), micros(v.UpdatedAt), v.ID)
		return err
	})
	return v, err
}
