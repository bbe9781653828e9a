package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

var (
	errUserNotFound = oriel.Errorf(oriel.ENOTFOUND, "user_not_found", "no such user in this customer")
	errUserExists   = oriel.Errorf(oriel.ECONFLICT, "external_id_taken", "another user of this customer already has this external_id")
)

const userColumns = `u.id, u.vendor_id, u.customer_id, u.external_id, u.name, u.email, u.role, u.hire_date, u.employment_status, u.date_of_birth, u.work_state, u.created_at, u.updated_at`

// usersOfCustomer selects users joined to their customer; $1 is the vendor id
// and $2 the customer reference's value.
func usersOfCustomer(customerRef string) (query, value string) {
	col, val := refColumn(customerRef)
	return `SELECT ` + userColumns + ` FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.vendor_id = $1 AND c.` + col + ` = $2`, val
}

func scanUser(sc scanner) (*oriel.User, error) {
	var u oriel.User
	var external, hired, born sql.NullString
	var created, updated int64
	if err := sc.Scan(&u.ID, &u.VendorID, &u.CustomerID, &external, &u.Name, &u.Email, &u.Role, &hired, &u.EmploymentStatus, &born, &u.WorkState, &created, &updated); err != nil {
		return nil, err
	}
	u.ExternalID = external.String
	u.HireDate, u.DateOfBirth = oriel.Date(hired.String), oriel.Date(born.String)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// nullable stores an empty external id as NULL, so many users may lack one.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateUser stores u under the customer that u.CustomerID names (an Oriel id
// or "E"-prefixed external id of one of the vendor's customers), setting
// u.CustomerID to the customer's Oriel id.
func (s *SQL) CreateUser(ctx context.Context, u *oriel.User) error {
	u.ID = newID("usr")
	u.CreatedAt = now()
	u.UpdatedAt = u.CreatedAt
	if u.EmploymentStatus == "" {
		u.EmploymentStatus = benefits.EmploymentActive
	}
	col, val := refColumn(u.CustomerID)
	row := s.w.QueryRowContext(ctx, `INSERT INTO users (id, vendor_id, customer_id, external_id, name, email, role, hire_date, employment_status, date_of_birth, work_state, created_at, updated_at)
		SELECT $1, vendor_id, id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM customers WHERE vendor_id = $12 AND `+col+` = $13
		RETURNING customer_id`,
		u.ID, nullable(u.ExternalID), u.Name, u.Email, u.Role, nullable(string(u.HireDate)), u.EmploymentStatus, nullable(string(u.DateOfBirth)), u.WorkState,
		micros(u.CreatedAt), micros(u.UpdatedAt), u.VendorID, val)
	switch err := row.Scan(&u.CustomerID); {
	case errors.Is(err, sql.ErrNoRows):
		return errCustomerNotFound
	case isUniqueViolation(err):
		return errUserExists
	default:
		return err
	}
}

// User returns a customer's user by Oriel id or "E"-prefixed external id.
func (s *SQL) User(ctx context.Context, vendorID, customerRef, userRef string) (*oriel.User, error) {
	return user(ctx, s.r, vendorID, customerRef, userRef)
}

// UserByID returns a vendor's user by its Oriel id alone, whatever its
// customer, or ENOTFOUND.
func (s *SQL) UserByID(ctx context.Context, vendorID, id string) (*oriel.User, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.vendor_id = $1 AND u.id = $2`, vendorID, id)
	return one(row, scanUser, errUserNotFound)
}

func user(ctx context.Context, q queryer, vendorID, customerRef, userRef string) (*oriel.User, error) {
	query, cval := usersOfCustomer(customerRef)
	col, val := refColumn(userRef)
	row := q.QueryRowContext(ctx, query+` AND u.`+col+` = $3`, vendorID, cval, val)
	return one(row, scanUser, errUserNotFound)
}

// ListUsers returns one page of a customer's users; an unknown customer is ENOTFOUND.
func (s *SQL) ListUsers(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*oriel.User, bool, error) {
	if _, err := s.Customer(ctx, vendorID, customerRef); err != nil {
		return nil, false, err
	}
	query, cval := usersOfCustomer(customerRef)
	return list(ctx, s.r, query, "u.id", []any{vendorID, cval}, p, scanUser)
}

// UpdateUser applies u to the user.
func (s *SQL) UpdateUser(ctx context.Context, vendorID, customerRef, userRef string, upd oriel.UserUpdate) (*oriel.User, error) {
	var u *oriel.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = user(ctx, tx, vendorID, customerRef, userRef); err != nil {
			return err
		}
		if upd.ExternalID != nil {
			u.ExternalID = *upd.ExternalID
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.Email != nil {
			u.Email = *upd.Email
		}
		if upd.Role != nil {
			u.Role = *upd.Role
		}
		applyEmployment(u, upd)
		u.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE users SET external_id = $1, name = $2, email = $3, role = $4, hire_date = $5, employment_status = $6,
			date_of_birth = $7, work_state = $8, updated_at = $9 WHERE id = $10`,
			nullable(u.ExternalID), u.Name, u.Email, u.Role, nullable(string(u.HireDate)), u.EmploymentStatus,
			nullable(string(u.DateOfBirth)), u.WorkState, micros(u.UpdatedAt), u.ID)
		if isUniqueViolation(err) {
			return errUserExists
		}
		return err
	})
	return u, err
}

// applyEmployment applies the employment fields of upd to u.
func applyEmployment(u *oriel.User, upd oriel.UserUpdate) {
	if upd.HireDate != nil {
		u.HireDate = *upd.HireDate
	}
	if upd.EmploymentStatus != nil {
		u.EmploymentStatus = *upd.EmploymentStatus
	}
	if upd.DateOfBirth != nil {
		u.DateOfBirth = *upd.DateOfBirth
	}
	if upd.WorkState != nil {
		u.WorkState = *upd.WorkState
	}
}

// UsersByExternalID returns up to limit of a vendor's users whose external
// id is externalID, across all its customers.
func (s *SQL) UsersByExternalID(ctx context.Context, vendorID, externalID string, limit int) ([]*oriel.User, error) {
	users, _, err := list(ctx, s.r, `SELECT `+userColumns+` FROM users u WHERE u.vendor_id = $1 AND u.external_id = $2`, "u.id",
		[]any{vendorID, externalID}, oriel.Page{Limit: limit}, scanUser)
	return users, err
}

// DeleteUser deletes the user.
func (s *SQL) DeleteUser(ctx context.Context, vendorID, customerRef, userRef string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := user(ctx, tx, vendorID, customerRef, userRef)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, u.ID)
		return err
	})
}
