package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/orielhq/oriel"
)

// Party is whom a direct link or an access token speaks for, read in one
// query: a customer, the allowed origins of its vendor (which stand when the
// customer has none of its own) and its widget styling, and, when asked
// for, one of its users, and what the request checks beside them
// (PartyQuery).
type Party struct {
	Customer      *oriel.Customer
	VendorOrigins []string
	Appearance    *oriel.Appearance // nil when the vendor set none
	User          *oriel.User       // nil when no user was asked for

	// SigningKeys are the vendor's signing keys, newest first, when
	// PartyQuery.SigningKeys asked for them.
	SigningKeys []SigningKeyRef
	// TokenRevoked tells whether PartyQuery.TokenID is revoked.
	TokenRevoked bool
	// OwnsConnection tells whether PartyQuery.ConnectionID names one of the
	// customer's connections.
	OwnsConnection bool
}

// SigningKeyRef is a signing key as opening a direct link needs it: its kid
// and fingerprint, without its PEM. The fingerprint is the SHA-256 of the
// key itself, so a key parsed once and remembered by fingerprint is this
// very key, whichever row or replica it was parsed from.
type SigningKeyRef struct {
	KID, Fingerprint string
}

// PartyQuery says which party ReadParty reads, and what it reads with it.
type PartyQuery struct {
	VendorID    string
	CustomerRef string // an Oriel id or "E" + external id
	UserRef     string // "" for no user
	// TokenID, when set, is an access or session token id whose revocation
	// is read too (Party.TokenRevoked).
	TokenID string
	// ConnectionID, when set, is a connection whose ownership is read too
	// (Party.OwnsConnection).
	ConnectionID string
	// SigningKeys reads the vendor's signing keys too (Party.SigningKeys).
	SigningKeys bool
}

// ReadParty reads the party q names, and what q asks for beside it, in one
// query. A missing customer is ENOTFOUND customer_not_found; a missing user
// of an existing customer is ENOTFOUND user_not_found.
func (s *SQL) ReadParty(ctx context.Context, q PartyQuery) (*Party, error) {
	col, val := refColumn(q.CustomerRef)
	query := `SELECT ` + qualified("c.", customerColumns) + `, v.allowed_origins, a.vendor_id IS NOT NULL,
		COALESCE(a.mode, ''), COALESCE(a.colors, '{}'), COALESCE(a.font_family, ''), COALESCE(a.border_radius, '')`
	from := ` FROM customers c JOIN vendors v ON v.id = c.vendor_id LEFT JOIN appearances a ON a.vendor_id = c.vendor_id`
	args := []any{q.VendorID, val}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	p := &Party{}
	var origins string
	var styled bool
	parts := []func(scanner) error{
		func(sc scanner) (err error) { p.Customer, err = scanCustomer(sc); return err },
		func(sc scanner) error { return sc.Scan(&origins, &styled) },
		func(sc scanner) (err error) { p.Appearance, err = scanAppearance(sc); return err },
	}
	if q.UserRef != "" {
		ucol, uval := refColumn(q.UserRef)
		query += `, ` + userColumns
		from += ` JOIN users u ON u.customer_id = c.id AND u.` + ucol + ` = ` + arg(uval)
		parts = append(parts, func(sc scanner) (err error) { p.User, err = scanUser(sc); return err })
	}
	if q.TokenID != "" {
		query += `, EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = ` + arg(q.TokenID) + `)`
		parts = append(parts, func(sc scanner) error { return sc.Scan(&p.TokenRevoked) })
	}
	if q.ConnectionID != "" {
		query += `, EXISTS (SELECT 1 FROM connections WHERE vendor_id = $1 AND id = ` + arg(q.ConnectionID) + ` AND customer_id = c.id)`
		parts = append(parts, func(sc scanner) error { return sc.Scan(&p.OwnsConnection) })
	}
	// The vendor's keys make a row each (a vendor without any, one row of
	// NULLs), newest first: ids sort by creation time.
	var kid, fingerprint sql.NullString
	order := ""
	if q.SigningKeys {
		query += `, k.kid, k.fingerprint`
		from += ` LEFT JOIN signing_keys k ON k.vendor_id = c.vendor_id`
		order = ` ORDER BY k.id DESC`
		parts = append(parts, func(sc scanner) error { return sc.Scan(&kid, &fingerprint) })
	}
	rows, err := s.r.QueryContext(ctx, query+from+` WHERE c.vendor_id = $1 AND c.`+col+` = $2`+order, args...)
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
		if fingerprint.Valid {
			p.SigningKeys = append(p.SigningKeys, SigningKeyRef{KID: kid.String, Fingerprint: fingerprint.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		if q.UserRef == "" {
			return nil, errCustomerNotFound
		}
		// Which one is missing: the customer, or its user?
		if _, err := s.Customer(ctx, q.VendorID, q.CustomerRef); err != nil {
			return nil, err
		}
		return nil, errUserNotFound
	}
	if !styled {
		p.Appearance = nil
	}
	if p.VendorOrigins, err = decodeList(origins); err != nil {
		return nil, err
	}
	return p, nil
}

// scanJoined scans one row that holds, in order, the columns of each of
// parts, which are scan functions such as scanCustomer: each part's Scan call
// collects its destinations, and the last makes the one real Scan. Every
// part then finishes (converting what it scanned) as its call returns.
func scanJoined(sc scanner, parts ...func(scanner) error) error {
	var dest []any
	var step func(i int) error
	step = func(i int) error {
		if i == len(parts) {
			return sc.Scan(dest...)
		}
		return parts[i](scanFunc(func(d ...any) error {
			dest = append(dest, d...)
			return step(i + 1)
		}))
	}
	return step(0)
}

// qualified prefixes each column of a comma-separated list with a table
// alias, e.g. "c.".
func qualified(alias, columns string) string {
	return alias + strings.ReplaceAll(columns, ", ", ", "+alias)
}

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
