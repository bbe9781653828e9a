package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/orielhq/oriel"
)

// PutAppearance stores the vendor's widget styling, replacing any before.
func (s *SQL) PutAppearance(ctx context.Context, vendorID string, a *oriel.Appearance) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO appearances (vendor_id, mode, colors, font_family, border_radius, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (vendor_id) DO UPDATE SET mode = excluded.mode, colors = excluded.colors, font_family = excluded.font_family,
		border_radius = excluded.border_radius, updated_at = excluded.updated_at`,
		vendorID, a.Mode, encodeMap(a.Colors), a.FontFamily, a.BorderRadius, micros(now()))
	return err
}

// Appearance returns the vendor's styling, or nil when none is set.
func (s *SQL) Appearance(ctx context.Context, vendorID string) (*oriel.Appearance, error) {
	var a oriel.Appearance
	var colors string
	err := s.r.QueryRowContext(ctx, `SELECT mode, colors, font_family, border_radius FROM appearances WHERE vendor_id = $1`, vendorID).
		Scan(&a.Mode, &colors, &a.FontFamily, &a.BorderRadius)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	}
	a.Colors, err = decodeMap(colors)
	return &a, err
}
