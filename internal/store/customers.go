package store

import (
	"context"
	"database/sql"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

var (
	errCustomerNotFound = oriel.Errorf(oriel.ENOTFOUND, "customer_not_found", "no such customer")
	errCustomerExists   = oriel.Errorf(oriel.ECONFLICT, "external_id_taken", "another customer of this vendor already has this external_id")
)

const customerColumns = `id, vendor_id, external_id, name, allowed_origins, pay_frequency, new_hire_window_days, created_at, updated_at`

func scanCustomer(sc scanner) (*oriel.Customer, error) {
	var c oriel.Customer
	var origins string
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.VendorID, &c.ExternalID, &c.Name, &origins, &c.PayFrequency, &c.NewHireWindowDays, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	c.AllowedOrigins, err = decodeList(origins)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, err
}

// CreateCustomer stores c (ID and timestamps assigned); a duplicate external id is ECONFLICT.
func (s *SQL) CreateCustomer(ctx context.Context, c *oriel.Customer) error {
	c.ID = newID("cus")
	c.CreatedAt = now()
	c.UpdatedAt = c.CreatedAt
	if c.AllowedOrigins == nil {
		c.AllowedOrigins = []string{}
	}
	if c.PayFrequency == "" {
		c.PayFrequency = string(benefits.DefaultPayFrequency)
	}
	if c.NewHireWindowDays == 0 {
		c.NewHireWindowDays = benefits.DefaultNewHireWindowDays
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.VendorID, c.ExternalID, c.Name, encodeList(c.AllowedOrigins), c.PayFrequency, c.NewHireWindowDays, micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return errCustomerExists
	}
	return err
}

// Customer returns a vendor's customer by Oriel id or "E"-prefixed external id.
func (s *SQL) Customer(ctx context.Context, vendorID, ref string) (*oriel.Customer, error) {
	return customer(ctx, s.r, vendorID, ref)
}

func customer(ctx context.Context, q queryer, vendorID, ref string) (*oriel.Customer, error) {
	col, val := refColumn(ref)
	row := q.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE vendor_id = $1 AND `+col+` = $2`, vendorID, val)
	return one(row, scanCustomer, errCustomerNotFound)
}

// ListCustomers returns one page of a vendor's customers.
func (s *SQL) ListCustomers(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.Customer, bool, error) {
	return list(ctx, s.r, `SELECT `+customerColumns+` FROM customers WHERE vendor_id = $1`, "id", []any{vendorID}, p, scanCustomer)
}

// UpdateCustomer applies u to the customer named by ref.
func (s *SQL) UpdateCustomer(ctx context.Context, vendorID, ref string, u oriel.CustomerUpdate) (*oriel.Customer, error) {
	var c *oriel.Customer
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = customer(ctx, tx, vendorID, ref); err != nil {
			return err
		}
		if u.ExternalID != nil {
			c.ExternalID = *u.ExternalID
		}
		if u.Name != nil {
			c.Name = *u.Name
		}
		if u.AllowedOrigins != nil {
			c.AllowedOrigins = *u.AllowedOrigins
		}
		if u.PayFrequency != nil {
			c.PayFrequency = *u.PayFrequency
		}
		if u.NewHireWindowDays != nil {
			c.NewHireWindowDays = *u.NewHireWindowDays
		}
		c.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE customers SET external_id = $1, name = $2, allowed_origins = $3, pay_frequency = $4, new_hire_window_days = $5, updated_at = $6 WHERE id = $7`,
			c.ExternalID, c.Name, encodeList(c.AllowedOrigins), c.PayFrequency, c.NewHireWindowDays, micros(c.UpdatedAt), c.ID)
		if isUniqueViolation(err) {
			return errCustomerExists
		}
		return err
	})
	return c, err
}

// DeleteCustomer deletes the customer named by ref and everything it owns.
func (s *SQL) DeleteCustomer(ctx context.Context, vendorID, ref string) error {
	col, val := refColumn(ref)
	res, err := s.w.ExecContext(ctx, `DELETE FROM customers WHERE vendor_id = $1 AND `+col+` = $2`, vendorID, val)
	return mustAffect(res, err, errCustomerNotFound)
}
