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
	a, err := scanAppearance(s.r.QueryRowContext(ctx, `SELECT `+appearanceColumns+` FROM appearances a WHERE a.vendor_id = $1`, vendorID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

const appearanceColumns = `a.mode, a.colors, a.font_family, a.border_radius`

func scanAppearance(sc scanner) (*oriel.Appearance, error) {
	var a oriel.Appearance
	var colors string
	if err := sc.Scan(&a.Mode, &colors, &a.FontFamily, &a.BorderRadius); err != nil {
		return nil, err
	}
	var err error
	a.Colors, err = decodeMap(colors)
	return &a, err
}
