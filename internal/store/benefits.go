package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// BenefitsStore keeps the benefits domain (package benefits): an employer's
// plans and enrollment windows, and each employee's dependents and
// versioned elections. Every change an employee or the vendor makes is
// written in one transaction with its webhook events.
type BenefitsStore interface {
	// CreatePlan stores p under the customer p.CustomerID names (an Oriel
	// id or "E" + external id), setting CustomerID to its Oriel id.
	CreatePlan(ctx context.Context, p *benefits.Plan) error
	// Plan returns one of a customer's plans, or ENOTFOUND plan_not_found.
	Plan(ctx context.Context, vendorID, customerRef, id string) (*benefits.Plan, error)
	// ListPlans returns one page of a customer's plans that match f.
	ListPlans(ctx context.Context, vendorID, customerRef string, f benefits.PlanFilter, p oriel.Page) ([]*benefits.Plan, bool, error)
	// PlanYears returns the distinct plan years of a customer's plans.
	PlanYears(ctx context.Context, vendorID, customerID string) ([]benefits.Period, error)
	// UpdatePlan applies u to a plan; check vets the result before it is written.
	UpdatePlan(ctx context.Context, vendorID, customerRef, id string, u benefits.PlanUpdate, check func(*benefits.Plan) error) (*benefits.Plan, error)
	// DeletePlan deletes a plan no election names, or answers ECONFLICT plan_in_use.
	DeletePlan(ctx context.Context, vendorID, customerRef, id string) error

	// CreateWindow stores an open-enrollment window, or a special window
	// for one employee (w.UserID, an Oriel id of the customer's); this is
	// how an approved life event opens one (see benefits.SpecialWindow).
	CreateWindow(ctx context.Context, w *benefits.Window) error
	// Window returns one of a customer's stored windows.
	Window(ctx context.Context, vendorID, customerRef, id string) (*benefits.Window, error)
	// ListWindows returns one page of a customer's stored windows.
	ListWindows(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*benefits.Window, bool, error)
	// DeleteWindow deletes a stored window.
	DeleteWindow(ctx context.Context, vendorID, customerRef, id string) error
	// EmployeeWindows returns the customer's open-enrollment windows and
	// the user's special windows.
	EmployeeWindows(ctx context.Context, vendorID, customerID, userID string) ([]benefits.Window, error)

	// CreateDependent stores d for the user d.UserID (an Oriel id) and
	// records dependent.added.
	CreateDependent(ctx context.Context, d *benefits.Dependent) error
	// Dependent returns one of a user's dependents, or ENOTFOUND dependent_not_found.
	Dependent(ctx context.Context, vendorID, userID, id string) (*benefits.Dependent, error)
	// ListDependents returns one page of a user's dependents.
	ListDependents(ctx context.Context, vendorID, userID string, p oriel.Page) ([]*benefits.Dependent, bool, error)
	// UpdateDependent applies u to one of a user's dependents.
	UpdateDependent(ctx context.Context, vendorID, userID, id string, u benefits.DependentUpdate) (*benefits.Dependent, error)
	// DeleteDependent deletes a dependent no current election covers (else
	// ECONFLICT dependent_covered) and records dependent.removed.
	DeleteDependent(ctx context.Context, vendorID, userID, id string) error

	// SubmitElection stores e as the next version of its user's plan kind
	// (assigning ID and Version), supersedes the version before, and
	// records enrollment.submitted or enrollment.waived.
	SubmitElection(ctx context.Context, e *benefits.Election) error
	// Election returns one version of an election, or ENOTFOUND election_not_found.
	Election(ctx context.Context, vendorID, id string) (*benefits.Election, error)
	// ListElections returns one page of a vendor's elections that match f.
	ListElections(ctx context.Context, vendorID string, f benefits.ElectionFilter, p oriel.Page) ([]*benefits.Election, bool, error)
	// SetElectionStatus marks the current version of an election active
	// (from the date on) or terminated (ending on the date), and records
	// enrollment.activated or enrollment.terminated.
	SetElectionStatus(ctx context.Context, vendorID, id string, to benefits.Status, on oriel.Date) (*benefits.Election, error)
}

var (
	errPlanNotFound      = oriel.Errorf(oriel.ENOTFOUND, "plan_not_found", "no such benefit plan")
	errPlanInUse         = oriel.Errorf(oriel.ECONFLICT, "plan_in_use", "elections name this plan, so it cannot be deleted")
	errWindowNotFound    = oriel.Errorf(oriel.ENOTFOUND, "window_not_found", "no such enrollment window")
	errDependentNotFound = oriel.Errorf(oriel.ENOTFOUND, "dependent_not_found", "no such dependent")
	errElectionNotFound  = oriel.Errorf(oriel.ENOTFOUND, "election_not_found", "no such election")
	errElectionConflict  = oriel.Errorf(oriel.ECONFLICT, "election_conflict", "another change to this election was saved at the same time; reload and try again")
	errSuperseded        = oriel.Errorf(oriel.ECONFLICT, "election_superseded", "a newer version of this election exists; act on the current version")
)

// nullDate stores an unset date as NULL.
func nullDate(d oriel.Date) sql.NullString { return nullable(string(d)) }

// encodeJSON stores v as JSON text.
func encodeJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// decodeJSON reads a column stored by encodeJSON into v.
func decodeJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("corrupt JSON column: %w", err)
	}
	return nil
}

// customerIDOf resolves a customer reference to its Oriel id.
func customerIDOf(ctx context.Context, q queryer, vendorID, ref string) (string, error) {
	c, err := customer(ctx, q, vendorID, ref)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

const planColumns = `id, vendor_id, customer_id, kind, name, carrier, plan_year_start, plan_year_end, network_type,
	deductible_cents, out_of_pocket_max_cents, copays, summary_url, currency, tiers, created_at, updated_at`

func scanPlan(sc scanner) (*benefits.Plan, error) {
	var p benefits.Plan
	var copays, tiers string
	var created, updated int64
	if err := sc.Scan(&p.ID, &p.VendorID, &p.CustomerID, &p.Kind, &p.Name, &p.Carrier, &p.PlanYear.Start, &p.PlanYear.End, &p.NetworkType,
		&p.DeductibleCents, &p.OutOfPocketMaxCents, &copays, &p.SummaryURL, &p.Currency, &tiers, &created, &updated); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, errors.Join(decodeJSON(copays, &p.Copays), decodeJSON(tiers, &p.Tiers))
}

// storedTiers are the tiers as stored: monthly costs only, since the
// per-pay-period costs follow the customer's current pay frequency.
func storedTiers(tiers []benefits.TierCost) string {
	out := make([]benefits.TierCost, len(tiers))
	for i, t := range tiers {
		out[i] = benefits.TierCost{Tier: t.Tier, EmployeeMonthlyCents: t.EmployeeMonthlyCents, EmployerMonthlyCents: t.EmployerMonthlyCents}
	}
	return encodeJSON(out)
}

// CreatePlan stores p under the customer p.CustomerID names.
func (s *SQL) CreatePlan(ctx context.Context, p *benefits.Plan) error {
	customerID, err := customerIDOf(ctx, s.w, p.VendorID, p.CustomerID)
	if err != nil {
		return err
	}
	p.ID, p.CustomerID = newID("pln"), customerID
	p.CreatedAt = now()
	p.UpdatedAt = p.CreatedAt
	if p.Tiers == nil {
		p.Tiers = []benefits.TierCost{}
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO benefit_plans (`+planColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		p.ID, p.VendorID, p.CustomerID, p.Kind, p.Name, p.Carrier, p.PlanYear.Start, p.PlanYear.End, p.NetworkType,
		p.DeductibleCents, p.OutOfPocketMaxCents, encodeJSON(p.Copays), p.SummaryURL, p.Currency, storedTiers(p.Tiers), micros(p.CreatedAt), micros(p.UpdatedAt))
	return err
}

// plansOf selects a customer's plans; $1 is the vendor id, $2 the customer reference's value.
func plansOf(customerRef string) (query, value string) {
	col, val := refColumn(customerRef)
	return `SELECT ` + prefixed("p", planColumns) + ` FROM benefit_plans p JOIN customers c ON c.id = p.customer_id WHERE c.vendor_id = $1 AND c.` + col + ` = $2`, val
}

func plan(ctx context.Context, q queryer, vendorID, customerRef, id string) (*benefits.Plan, error) {
	query, val := plansOf(customerRef)
	return one(q.QueryRowContext(ctx, query+` AND p.id = $3`, vendorID, val, id), scanPlan, errPlanNotFound)
}

// Plan returns one of a customer's plans.
func (s *SQL) Plan(ctx context.Context, vendorID, customerRef, id string) (*benefits.Plan, error) {
	return plan(ctx, s.r, vendorID, customerRef, id)
}

// ListPlans returns one page of a customer's plans that match f; an unknown customer is ENOTFOUND.
func (s *SQL) ListPlans(ctx context.Context, vendorID, customerRef string, f benefits.PlanFilter, p oriel.Page) ([]*benefits.Plan, bool, error) {
	if _, err := customer(ctx, s.r, vendorID, customerRef); err != nil {
		return nil, false, err
	}
	query, val := plansOf(customerRef)
	args := []any{vendorID, val}
	if f.Kind != "" {
		args = append(args, f.Kind)
		query += fmt.Sprintf(` AND p.kind = $%d`, len(args))
	}
	if f.Year != "" {
		args = append(args, f.Year)
		query += fmt.Sprintf(` AND p.plan_year_start <= $%d AND p.plan_year_end >= $%[1]d`, len(args))
	}
	return list(ctx, s.r, query, "p.id", args, p, scanPlan)
}

// PlanYears returns the distinct plan years of a customer's plans.
func (s *SQL) PlanYears(ctx context.Context, vendorID, customerID string) ([]benefits.Period, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT plan_year_start, plan_year_end FROM benefit_plans WHERE vendor_id = $1 AND customer_id = $2
		ORDER BY plan_year_start, plan_year_end`, vendorID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var years []benefits.Period
	for rows.Next() {
		var y benefits.Period
		if err := rows.Scan(&y.Start, &y.End); err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	return years, rows.Err()
}

// UpdatePlan applies u to a plan; check vets the result before it is written.
func (s *SQL) UpdatePlan(ctx context.Context, vendorID, customerRef, id string, u benefits.PlanUpdate, check func(*benefits.Plan) error) (*benefits.Plan, error) {
	var p *benefits.Plan
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = plan(ctx, tx, vendorID, customerRef, id); err != nil {
			return err
		}
		u.Apply(p)
		if err := check(p); err != nil {
			return err
		}
		p.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE benefit_plans SET name = $1, carrier = $2, plan_year_start = $3, plan_year_end = $4, network_type = $5,
			deductible_cents = $6, out_of_pocket_max_cents = $7, copays = $8, summary_url = $9, currency = $10, tiers = $11, updated_at = $12 WHERE id = $13`,
			p.Name, p.Carrier, p.PlanYear.Start, p.PlanYear.End, p.NetworkType, p.DeductibleCents, p.OutOfPocketMaxCents,
			encodeJSON(p.Copays), p.SummaryURL, p.Currency, storedTiers(p.Tiers), micros(p.UpdatedAt), p.ID)
		return err
	})
	return p, err
}

// DeletePlan deletes a plan that no election names.
func (s *SQL) DeletePlan(ctx context.Context, vendorID, customerRef, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := plan(ctx, tx, vendorID, customerRef, id)
		if err != nil {
			return err
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM elections WHERE plan_id = $1`, p.ID).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return errPlanInUse
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM benefit_plans WHERE id = $1`, p.ID)
		return err
	})
}

const windowColumns = `id, vendor_id, customer_id, kind, user_id, starts_on, ends_on, plan_year_start, plan_year_end, plan_kinds, reason, created_at`

func scanWindow(sc scanner) (*benefits.Window, error) {
	var w benefits.Window
	var user sql.NullString
	var kinds string
	var created int64
	if err := sc.Scan(&w.ID, &w.VendorID, &w.CustomerID, &w.Kind, &user, &w.StartsOn, &w.EndsOn, &w.PlanYear.Start, &w.PlanYear.End, &kinds, &w.Reason, &created); err != nil {
		return nil, err
	}
	w.UserID, w.CreatedAt = user.String, fromMicros(created)
	return &w, decodeJSON(kinds, &w.PlanKinds)
}

// CreateWindow stores w under the customer w.CustomerID names; a special
// window's UserID must be one of that customer's users.
func (s *SQL) CreateWindow(ctx context.Context, w *benefits.Window) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		customerID, err := customerIDOf(ctx, tx, w.VendorID, w.CustomerID)
		if err != nil {
			return err
		}
		if w.UserID != "" {
			u, err := user(ctx, tx, w.VendorID, customerID, w.UserID)
			if err != nil {
				return err
			}
			w.UserID = u.ID
		}
		w.ID, w.CustomerID, w.CreatedAt = newID("win"), customerID, now()
		if w.PlanKinds == nil {
			w.PlanKinds = []benefits.PlanKind{}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO enrollment_windows (`+windowColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			w.ID, w.VendorID, w.CustomerID, w.Kind, nullable(w.UserID), w.StartsOn, w.EndsOn, w.PlanYear.Start, w.PlanYear.End,
			encodeJSON(w.PlanKinds), w.Reason, micros(w.CreatedAt))
		return err
	})
}

// windowsOf selects a customer's windows; $1 is the vendor id, $2 the customer reference's value.
func windowsOf(customerRef string) (query, value string) {
	col, val := refColumn(customerRef)
	return `SELECT ` + prefixed("w", windowColumns) + ` FROM enrollment_windows w JOIN customers c ON c.id = w.customer_id WHERE c.vendor_id = $1 AND c.` + col + ` = $2`, val
}

// Window returns one of a customer's stored windows.
func (s *SQL) Window(ctx context.Context, vendorID, customerRef, id string) (*benefits.Window, error) {
	query, val := windowsOf(customerRef)
	return one(s.r.QueryRowContext(ctx, query+` AND w.id = $3`, vendorID, val, id), scanWindow, errWindowNotFound)
}

// ListWindows returns one page of a customer's stored windows.
func (s *SQL) ListWindows(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*benefits.Window, bool, error) {
	if _, err := customer(ctx, s.r, vendorID, customerRef); err != nil {
		return nil, false, err
	}
	query, val := windowsOf(customerRef)
	return list(ctx, s.r, query, "w.id", []any{vendorID, val}, p, scanWindow)
}

// DeleteWindow deletes a stored window.
func (s *SQL) DeleteWindow(ctx context.Context, vendorID, customerRef, id string) error {
	customerID, err := customerIDOf(ctx, s.r, vendorID, customerRef)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM enrollment_windows WHERE vendor_id = $1 AND customer_id = $2 AND id = $3`, vendorID, customerID, id)
	return mustAffect(res, err, errWindowNotFound)
}

// EmployeeWindows returns the customer's open-enrollment windows and the user's special windows.
func (s *SQL) EmployeeWindows(ctx context.Context, vendorID, customerID, userID string) ([]benefits.Window, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+windowColumns+` FROM enrollment_windows WHERE vendor_id = $1 AND customer_id = $2
		AND (kind = 'open_enrollment' OR user_id = $3) ORDER BY starts_on, id`, vendorID, customerID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []benefits.Window
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *w)
	}
	return out, rows.Err()
}

const dependentColumns = `id, vendor_id, customer_id, user_id, relationship, first_name, last_name, date_of_birth, created_at, updated_at`

func scanDependent(sc scanner) (*benefits.Dependent, error) {
	var d benefits.Dependent
	var created, updated int64
	if err := sc.Scan(&d.ID, &d.VendorID, &d.CustomerID, &d.UserID, &d.Relationship, &d.FirstName, &d.LastName, &d.DateOfBirth, &created, &updated); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// dependentEvent is the payload of a dependent event: ids and the relationship, no personal data.
func dependentEvent(d *benefits.Dependent) oriel.EventData {
	return oriel.EventData{CustomerID: d.CustomerID, UserID: d.UserID, DependentID: d.ID, Relationship: string(d.Relationship)}
}

// CreateDependent stores d for the user d.UserID and records dependent.added.
func (s *SQL) CreateDependent(ctx context.Context, d *benefits.Dependent) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := one(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.vendor_id = $1 AND u.id = $2`, d.VendorID, d.UserID), scanUser, errUserNotFound)
		if err != nil {
			return err
		}
		d.ID, d.CustomerID, d.CreatedAt = newID("dep"), u.CustomerID, now()
		d.UpdatedAt = d.CreatedAt
		if _, err := tx.ExecContext(ctx, `INSERT INTO dependents (`+dependentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			d.ID, d.VendorID, d.CustomerID, d.UserID, d.Relationship, d.FirstName, d.LastName, d.DateOfBirth, micros(d.CreatedAt), micros(d.UpdatedAt)); err != nil {
			return err
		}
		return recordEvent(ctx, tx, d.VendorID, oriel.EventDependentAdded, dependentEvent(d))
	})
}

func dependent(ctx context.Context, q queryer, vendorID, userID, id string) (*benefits.Dependent, error) {
	row := q.QueryRowContext(ctx, `SELECT `+dependentColumns+` FROM dependents WHERE vendor_id = $1 AND user_id = $2 AND id = $3`, vendorID, userID, id)
	return one(row, scanDependent, errDependentNotFound)
}

// Dependent returns one of a user's dependents.
func (s *SQL) Dependent(ctx context.Context, vendorID, userID, id string) (*benefits.Dependent, error) {
	return dependent(ctx, s.r, vendorID, userID, id)
}

// ListDependents returns one page of a user's dependents.
func (s *SQL) ListDependents(ctx context.Context, vendorID, userID string, p oriel.Page) ([]*benefits.Dependent, bool, error) {
	return list(ctx, s.r, `SELECT `+dependentColumns+` FROM dependents WHERE vendor_id = $1 AND user_id = $2`, "id", []any{vendorID, userID}, p, scanDependent)
}

// UpdateDependent applies u to one of a user's dependents.
func (s *SQL) UpdateDependent(ctx context.Context, vendorID, userID, id string, u benefits.DependentUpdate) (*benefits.Dependent, error) {
	var d *benefits.Dependent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if d, err = dependent(ctx, tx, vendorID, userID, id); err != nil {
			return err
		}
		u.Apply(d)
		d.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE dependents SET relationship = $1, first_name = $2, last_name = $3, date_of_birth = $4, updated_at = $5 WHERE id = $6`,
			d.Relationship, d.FirstName, d.LastName, d.DateOfBirth, micros(d.UpdatedAt), d.ID)
		return err
	})
	return d, err
}

// DeleteDependent deletes a dependent that no current election covers and
// records dependent.removed.
func (s *SQL) DeleteDependent(ctx context.Context, vendorID, userID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockEmployee(ctx, tx, vendorID, userID); err != nil {
			return err
		}
		d, err := dependent(ctx, tx, vendorID, userID, id)
		if err != nil {
			return err
		}
		current, _, err := list(ctx, tx, `SELECT `+electionColumns+` FROM elections WHERE vendor_id = $1 AND user_id = $2 AND superseded_by IS NULL`,
			"id", []any{vendorID, userID}, oriel.Page{}, scanElection)
		if err != nil {
			return err
		}
		if benefits.Covers(current, d.ID) {
			return benefits.CoveredError("remove")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dependents WHERE id = $1`, d.ID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, vendorID, oriel.EventDependentRemoved, dependentEvent(d))
	})
}

const electionColumns = `id, vendor_id, customer_id, user_id, plan_kind, version, status, superseded_by, plan_id, plan_name, tier, dependents,
	waive_reason, employee_monthly_cents, employer_monthly_cents, employee_per_pay_period_cents, employer_per_pay_period_cents, currency,
	plan_year_start, plan_year_end, window_kind, effective_date, end_date, attested_name, attested_address, submitted_at, updated_at`

func scanElection(sc scanner) (*benefits.Election, error) {
	var e benefits.Election
	var superseded, planID, planName, tier, reason, effective, end sql.NullString
	var deps string
	var submitted, updated int64
	if err := sc.Scan(&e.ID, &e.VendorID, &e.CustomerID, &e.UserID, &e.PlanKind, &e.Version, &e.Status, &superseded, &planID, &planName, &tier, &deps,
		&reason, &e.EmployeeMonthlyCents, &e.EmployerMonthlyCents, &e.EmployeePerPayPeriodCents, &e.EmployerPerPayPeriodCents, &e.Currency,
		&e.PlanYear.Start, &e.PlanYear.End, &e.WindowKind, &effective, &end, &e.AttestedName, &e.AttestedAddress, &submitted, &updated); err != nil {
		return nil, err
	}
	e.SupersededBy = superseded.String
	e.PlanID, e.PlanName, e.WaiveReason = optionalString(planID), optionalString(planName), optionalString(reason)
	if tier.Valid {
		t := benefits.Tier(tier.String)
		e.Tier = &t
	}
	e.Waived = e.Status == benefits.Waived
	e.EffectiveDate, e.EndDate = oriel.Date(effective.String), oriel.Date(end.String)
	e.SubmittedAt, e.UpdatedAt = fromMicros(submitted), fromMicros(updated)
	return &e, decodeJSON(deps, &e.Dependents)
}

// optionalString reads a nullable text column as nil or a pointer.
func optionalString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// fromOptional stores a nil pointer as NULL.
func fromOptional[T ~string](p *T) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: string(*p), Valid: true}
}

// electionEvent is the payload of an enrollment event.
func electionEvent(e *benefits.Election) oriel.EventData {
	return oriel.EventData{CustomerID: e.CustomerID, UserID: e.UserID, ElectionID: e.ID, PlanKind: string(e.PlanKind), Version: e.Version,
		Status: string(e.Status), EffectiveDate: e.EffectiveDate, EndDate: e.EndDate}
}

// lockEmployee makes tx wait for any other transaction that changes the
// user's dependents or elections (it updates the user's row to itself, which
// takes its row lock on PostgreSQL; SQLite runs one writer at a time anyway).
func lockEmployee(ctx context.Context, tx *sql.Tx, vendorID, userID string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = updated_at WHERE vendor_id = $1 AND id = $2`, vendorID, userID)
	return mustAffect(res, err, errUserNotFound)
}

// SubmitElection stores e as the next version of its user's plan kind.
func (s *SQL) SubmitElection(ctx context.Context, e *benefits.Election) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockEmployee(ctx, tx, e.VendorID, e.UserID); err != nil {
			return err
		}
		var previous string
		err := tx.QueryRowContext(ctx, `SELECT id, version FROM elections WHERE vendor_id = $1 AND user_id = $2 AND plan_kind = $3 AND superseded_by IS NULL`,
			e.VendorID, e.UserID, e.PlanKind).Scan(&previous, &e.Version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		e.ID, e.Version = newID("enr"), e.Version+1
		if e.Dependents == nil {
			e.Dependents = []benefits.CoveredDependent{}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO elections (`+electionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11,
			$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
			e.ID, e.VendorID, e.CustomerID, e.UserID, e.PlanKind, e.Version, e.Status, fromOptional(e.PlanID), fromOptional(e.PlanName), fromOptional(e.Tier),
			encodeJSON(e.Dependents), fromOptional(e.WaiveReason), e.EmployeeMonthlyCents, e.EmployerMonthlyCents, e.EmployeePerPayPeriodCents,
			e.EmployerPerPayPeriodCents, e.Currency, e.PlanYear.Start, e.PlanYear.End, e.WindowKind, nullDate(e.EffectiveDate), nullDate(e.EndDate),
			e.AttestedName, e.AttestedAddress, micros(e.SubmittedAt), micros(e.UpdatedAt)); err != nil {
			return err
		}
		if previous != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE elections SET superseded_by = $1 WHERE id = $2`, e.ID, previous); err != nil {
				return err
			}
		}
		event := oriel.EventEnrollmentSubmitted
		if e.Status == benefits.Waived {
			event = oriel.EventEnrollmentWaived
		}
		return recordEvent(ctx, tx, e.VendorID, event, electionEvent(e))
	})
	if isUniqueViolation(err) {
		return errElectionConflict
	}
	return err
}

func election(ctx context.Context, q queryer, vendorID, id string) (*benefits.Election, error) {
	row := q.QueryRowContext(ctx, `SELECT `+electionColumns+` FROM elections WHERE vendor_id = $1 AND id = $2`, vendorID, id)
	return one(row, scanElection, errElectionNotFound)
}

// Election returns one version of an election.
func (s *SQL) Election(ctx context.Context, vendorID, id string) (*benefits.Election, error) {
	return election(ctx, s.r, vendorID, id)
}

// ListElections returns one page of a vendor's elections that match f.
func (s *SQL) ListElections(ctx context.Context, vendorID string, f benefits.ElectionFilter, p oriel.Page) ([]*benefits.Election, bool, error) {
	query, args := `SELECT `+electionColumns+` FROM elections WHERE vendor_id = $1`, []any{vendorID}
	for _, c := range []struct{ column, value string }{
		{"customer_id", f.CustomerID}, {"user_id", f.UserID}, {"plan_kind", string(f.PlanKind)}, {"status", string(f.Status)},
	} {
		if c.value != "" {
			args = append(args, c.value)
			query += fmt.Sprintf(" AND %s = $%d", c.column, len(args))
		}
	}
	if !f.History {
		query += " AND superseded_by IS NULL"
	}
	return list(ctx, s.r, query, "id", args, p, scanElection)
}

// SetElectionStatus moves the current version of an election to status to.
func (s *SQL) SetElectionStatus(ctx context.Context, vendorID, id string, to benefits.Status, on oriel.Date) (*benefits.Election, error) {
	var e *benefits.Election
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if e, err = election(ctx, tx, vendorID, id); err != nil {
			return err
		}
		if !e.Current() {
			return errSuperseded
		}
		if !benefits.CanTransition(e.Status, to) {
			return oriel.Errorf(oriel.ECONFLICT, "status_transition_invalid", "a %s election cannot become %s", e.Status, to)
		}
		event := oriel.EventEnrollmentActivated
		if to == benefits.Active {
			e.EffectiveDate = on
		} else {
			e.EndDate, event = on, oriel.EventEnrollmentTerminated
		}
		e.Status, e.UpdatedAt = to, now()
		if _, err := tx.ExecContext(ctx, `UPDATE elections SET status = $1, effective_date = $2, end_date = $3, updated_at = $4 WHERE id = $5`,
			e.Status, nullDate(e.EffectiveDate), nullDate(e.EndDate), micros(e.UpdatedAt), e.ID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, vendorID, event, electionEvent(e))
	})
	return e, err
}

// prefixed qualifies each of a comma-separated column list with alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
