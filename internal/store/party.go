package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/orielhq/oriel"
)

// Party is whom a direct link or an access token speaks for, read in one
// query: a customer, the allowed origins of its vendor (which stand when the
// customer has none of its own) and its widget styling, and, when asked
// for, one of its users.
type Party struct {
	Customer      *oriel.Customer
	VendorOrigins []string
	Appearance    *oriel.Appearance // nil when the vendor set none
	User          *oriel.User       // nil when no user was asked for
}

// Party returns vendorID's customer named by customerRef with its vendor's
// allowed origins and, when userRef is not "", the customer's user named by
// userRef. A missing customer is ENOTFOUND customer_not_found; a missing
// user of an existing customer is ENOTFOUND user_not_found.
func (s *SQL) Party(ctx context.Context, vendorID, customerRef, userRef string) (*Party, error) {
	col, val := refColumn(customerRef)
	query := `SELECT ` + qualified("c.", customerColumns) + `, v.allowed_origins, a.vendor_id IS NOT NULL,
		COALESCE(a.mode, ''), COALESCE(a.colors, '{}'), COALESCE(a.font_family, ''), COALESCE(a.border_radius, '')`
	from := ` FROM customers c JOIN vendors v ON v.id = c.vendor_id LEFT JOIN appearances a ON a.vendor_id = c.vendor_id`
	where := ` WHERE c.vendor_id = $1 AND c.` + col + ` = $2`
	args := []any{vendorID, val}
	p := &Party{}
	var origins string
	var styled bool
	parts := []func(scanner) error{
		func(sc scanner) (err error) { p.Customer, err = scanCustomer(sc); return err },
		func(sc scanner) error { return sc.Scan(&origins, &styled) },
		func(sc scanner) (err error) { p.Appearance, err = scanAppearance(sc); return err },
	}
	if userRef != "" {
		ucol, uval := refColumn(userRef)
		query += `, ` + userColumns
		from += ` JOIN users u ON u.customer_id = c.id AND u.` + ucol + ` = $3`
		args = append(args, uval)
		parts = append(parts, func(sc scanner) (err error) { p.User, err = scanUser(sc); return err })
	}
	err := scanJoined(s.r.QueryRowContext(ctx, query+from+where, args...), parts...)
	if errors.Is(err, sql.ErrNoRows) {
		if userRef == "" {
			return nil, errCustomerNotFound
		}
		// Which one is missing: the customer, or its user?
		if _, err := s.Customer(ctx, vendorID, customerRef); err != nil {
			return nil, err
		}
		return nil, errUserNotFound
	}
	if err != nil {
		return nil, err
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
