// Package benefits holds the employee-benefits domain: plans and what their
// coverage tiers cost, enrollment windows, employees' dependents and their
// elections, and the rules that decide what an employee may change and when.
// The rules are pure functions of their inputs (today's date included), so
// the store keeps the data and the server asks these functions for answers.
//
// One employer is one Oriel customer; one employee is one of its users.
// Money is integer cents in one currency per plan; dates are oriel.Date.
package benefits

import (
	"slices"
	"time"

	"github.com/orielhq/oriel"
)

// PlanKind is the line of coverage a plan provides; an employee elects or
// waives each kind once.
type PlanKind string

// The plan kinds.
const (
	Medical    PlanKind = "medical"
	Dental     PlanKind = "dental"
	Vision     PlanKind = "vision"
	Life       PlanKind = "life"
	Disability PlanKind = "disability"
	Accident   PlanKind = "accident"
	Hospital   PlanKind = "hospital"
	Telehealth PlanKind = "telehealth"
	HSA        PlanKind = "hsa"
	FSA        PlanKind = "fsa"
	Other      PlanKind = "other"
)

// PlanKinds lists every plan kind, in the order screens show them.
var PlanKinds = []PlanKind{Medical, Dental, Vision, Life, Disability, Accident, Hospital, Telehealth, HSA, FSA, Other}

// Valid reports whether k is one of PlanKinds.
func (k PlanKind) Valid() bool { return slices.Contains(PlanKinds, k) }

// Tier is a coverage tier: who a plan covers besides the employee.
type Tier string

// The coverage tiers.
const (
	TierEmployee         Tier = "employee"
	TierEmployeeSpouse   Tier = "employee_spouse"   // the employee and a spouse or domestic partner
	TierEmployeeChildren Tier = "employee_children" // the employee and one or more children
	TierFamily           Tier = "family"            // the employee, a spouse or partner, and children
)

// Tiers lists every tier, from the smallest.
var Tiers = []Tier{TierEmployee, TierEmployeeSpouse, TierEmployeeChildren, TierFamily}

// Valid reports whether t is one of Tiers.
func (t Tier) Valid() bool { return slices.Contains(Tiers, t) }

// Relationship is how a dependent is related to the employee.
type Relationship string

// The relationships a dependent may have.
const (
	Spouse          Relationship = "spouse"
	DomesticPartner Relationship = "domestic_partner"
	Child           Relationship = "child"
)

// Valid reports whether r is spouse, domestic_partner or child.
func (r Relationship) Valid() bool { return r == Spouse || r == DomesticPartner || r == Child }

// partner reports whether r is a spouse or a domestic partner.
func (r Relationship) partner() bool { return r == Spouse || r == DomesticPartner }

// PayFrequency is how often an employer pays its employees, which sets what
// a month of coverage costs per paycheck.
type PayFrequency string

// The pay frequencies.
const (
	Weekly      PayFrequency = "weekly"
	Biweekly    PayFrequency = "biweekly"
	Semimonthly PayFrequency = "semimonthly"
	Monthly     PayFrequency = "monthly"
)

// DefaultPayFrequency is a new customer's pay frequency.
const DefaultPayFrequency = Biweekly

// PeriodsPerYear is how many paychecks f makes a year; 0 when f is not valid.
func (f PayFrequency) PeriodsPerYear() int {
	switch f {
	case Weekly:
		return 52
	case Biweekly:
		return 26
	case Semimonthly:
		return 24
	case Monthly:
		return 12
	}
	return 0
}

// Valid reports whether f is weekly, biweekly, semimonthly or monthly.
func (f PayFrequency) Valid() bool { return f.PeriodsPerYear() != 0 }

// Employment statuses of an employee (oriel.User.EmploymentStatus).
const (
	EmploymentActive     = "active"
	EmploymentTerminated = "terminated"
)

// DefaultNewHireWindowDays is how long a new hire may enroll, counted from
// the hire date, unless the employer sets another length.
const DefaultNewHireWindowDays = 30

// MaxNewHireWindowDays bounds an employer's new-hire window.
const MaxNewHireWindowDays = 365

// ChildAgeLimit is the birthday on which a child stops being eligible as a
// dependent (the US rule for medical coverage).
const ChildAgeLimit = 26

// Period is a span of dates, both ends included.
type Period struct {
	Start oriel.Date `json:"start"`
	End   oriel.Date `json:"end"`
}

// Contains reports whether d falls within p.
func (p Period) Contains(d oriel.Date) bool { return !d.Before(p.Start) && !d.After(p.End) }

// Copays are what the employee pays per visit, in cents.
type Copays struct {
	PrimaryCareCents int64 `json:"primary_care_cents"`
	SpecialistCents  int64 `json:"specialist_cents"`
	UrgentCareCents  int64 `json:"urgent_care_cents"`
	EmergencyCents   int64 `json:"emergency_cents"`
}

// TierCost is what one tier of a plan costs a month, split between the
// employee and the employer, and the same per pay period (Price fills those
// from the employer's pay frequency).
type TierCost struct {
	Tier                      Tier  `json:"tier"`
	EmployeeMonthlyCents      int64 `json:"employee_monthly_cents"`
	EmployerMonthlyCents      int64 `json:"employer_monthly_cents"`
	EmployeePerPayPeriodCents int64 `json:"employee_per_pay_period_cents"`
	EmployerPerPayPeriodCents int64 `json:"employer_per_pay_period_cents"`
}

// Plan is one plan an employer offers for one plan year.
type Plan struct {
	ID         string   `json:"id"`
	VendorID   string   `json:"-"`
	CustomerID string   `json:"customer_id"`
	Kind       PlanKind `json:"kind"`
	Name       string   `json:"name"`
	Carrier    string   `json:"carrier"`
	PlanYear   Period   `json:"plan_year"`
	// The summary shown to employees.
	NetworkType         string `json:"network_type"` // HMO, PPO, EPO, …; free text
	DeductibleCents     int64  `json:"deductible_cents"`
	OutOfPocketMaxCents int64  `json:"out_of_pocket_max_cents"`
	Copays              Copays `json:"copays"`
	SummaryURL          string `json:"summary_url"`
	// Currency is the ISO 4217 code of every amount of the plan.
	Currency  string     `json:"currency"`
	Tiers     []TierCost `json:"tiers"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Cost returns the plan's cost of tier t, and whether the plan offers t.
func (p *Plan) Cost(t Tier) (TierCost, bool) {
	for _, c := range p.Tiers {
		if c.Tier == t {
			return c, true
		}
	}
	return TierCost{}, false
}

// PlanUpdate lists the fields PATCH may change; nil means unchanged.
type PlanUpdate struct {
	Name                *string     `json:"name,omitempty"`
	Carrier             *string     `json:"carrier,omitempty"`
	PlanYear            *Period     `json:"plan_year,omitempty"`
	NetworkType         *string     `json:"network_type,omitempty"`
	DeductibleCents     *int64      `json:"deductible_cents,omitempty"`
	OutOfPocketMaxCents *int64      `json:"out_of_pocket_max_cents,omitempty"`
	Copays              *Copays     `json:"copays,omitempty"`
	SummaryURL          *string     `json:"summary_url,omitempty"`
	Currency            *string     `json:"currency,omitempty"`
	Tiers               *[]TierCost `json:"tiers,omitempty"`
}

// Apply changes p by u.
func (u PlanUpdate) Apply(p *Plan) {
	set(&p.Name, u.Name)
	set(&p.Carrier, u.Carrier)
	set(&p.PlanYear, u.PlanYear)
	set(&p.NetworkType, u.NetworkType)
	set(&p.DeductibleCents, u.DeductibleCents)
	set(&p.OutOfPocketMaxCents, u.OutOfPocketMaxCents)
	set(&p.Copays, u.Copays)
	set(&p.SummaryURL, u.SummaryURL)
	set(&p.Currency, u.Currency)
	set(&p.Tiers, u.Tiers)
}

// set copies *from to *to when from is not nil.
func set[T any](to *T, from *T) {
	if from != nil {
		*to = *from
	}
}

// PlanFilter narrows a list of plans; zero fields match everything.
type PlanFilter struct {
	Kind PlanKind
	// Year keeps the plans whose plan year contains this date.
	Year oriel.Date
}

// WindowKind tells why an enrollment window is open.
type WindowKind string

// The kinds of enrollment window.
const (
	// OpenEnrollment is the employer's yearly window for a plan year.
	OpenEnrollment WindowKind = "open_enrollment"
	// NewHire opens on an employee's hire date for the employer's
	// new-hire window length; it is computed, never stored.
	NewHire WindowKind = "new_hire"
	// Special is opened for one employee, for example by an approved
	// qualifying life event, and may allow some plan kinds only.
	Special WindowKind = "special"
)

// Window is a span of days in which employees may change their elections
// for a plan year.
type Window struct {
	ID         string     `json:"id,omitempty"` // "" for a new-hire window
	VendorID   string     `json:"-"`
	CustomerID string     `json:"customer_id"`
	Kind       WindowKind `json:"kind"`
	// UserID is the one employee a special window is for.
	UserID   string     `json:"user_id,omitempty"`
	StartsOn oriel.Date `json:"starts_on"`
	EndsOn   oriel.Date `json:"ends_on"`
	PlanYear Period     `json:"plan_year"`
	// PlanKinds are the kinds a special window allows changes to; empty
	// means every kind.
	PlanKinds []PlanKind `json:"plan_kinds"`
	// Reason says why a special window was opened (such as "birth of a
	// child"); it is shown to the employee.
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// OpenOn reports whether w is open on day d (both ends included).
func (w *Window) OpenOn(d oriel.Date) bool { return Period{w.StartsOn, w.EndsOn}.Contains(d) }

// Allows reports whether w allows changes to plans of kind k.
func (w *Window) Allows(k PlanKind) bool {
	return len(w.PlanKinds) == 0 || slices.Contains(w.PlanKinds, k)
}

// Dependent is someone an employee may cover: a spouse, a domestic partner
// or a child. Names and birth dates are personal data: they are shown only
// to the employee and the vendor, and never logged.
type Dependent struct {
	ID           string       `json:"id"`
	VendorID     string       `json:"-"`
	CustomerID   string       `json:"customer_id"`
	UserID       string       `json:"user_id"`
	Relationship Relationship `json:"relationship"`
	FirstName    string       `json:"first_name"`
	LastName     string       `json:"last_name"`
	DateOfBirth  oriel.Date   `json:"date_of_birth"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// DependentUpdate lists the fields PATCH may change; nil means unchanged.
type DependentUpdate struct {
	Relationship *Relationship `json:"relationship,omitempty"`
	FirstName    *string       `json:"first_name,omitempty"`
	LastName     *string       `json:"last_name,omitempty"`
	DateOfBirth  *oriel.Date   `json:"date_of_birth,omitempty"`
}

// Apply changes d by u.
func (u DependentUpdate) Apply(d *Dependent) {
	set(&d.Relationship, u.Relationship)
	set(&d.FirstName, u.FirstName)
	set(&d.LastName, u.LastName)
	set(&d.DateOfBirth, u.DateOfBirth)
}

// Status is where an election stands.
type Status string

// The statuses of an election.
const (
	// Submitted: the employee elected a plan; the vendor has not yet
	// confirmed coverage.
	Submitted Status = "submitted"
	// Waived: the employee declined this kind of coverage.
	Waived Status = "waived"
	// Active: the vendor confirmed coverage from the effective date.
	Active Status = "active"
	// Terminated: coverage ended on the end date.
	Terminated Status = "terminated"
)

// Statuses lists every status.
var Statuses = []Status{Submitted, Waived, Active, Terminated}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// CoveredDependent is a dependent as an election covers it: a copy taken
// when the election was submitted, so history reads the same later.
type CoveredDependent struct {
	ID           string       `json:"id"`
	FirstName    string       `json:"first_name"`
	LastName     string       `json:"last_name"`
	Relationship Relationship `json:"relationship"`
}

// Election is one version of an employee's choice for one plan kind: a plan
// with a tier and the dependents it covers, or a waiver. A change makes a
// new version (Version + 1); the one before is kept, superseded.
type Election struct {
	ID         string   `json:"id"`
	VendorID   string   `json:"-"`
	CustomerID string   `json:"customer_id"`
	UserID     string   `json:"user_id"`
	PlanKind   PlanKind `json:"plan_kind"`
	Version    int      `json:"version"`
	Status     Status   `json:"status"`
	// SupersededBy is the id of the next version; "" for the current one.
	SupersededBy string             `json:"superseded_by,omitempty"`
	PlanID       *string            `json:"plan_id"`
	PlanName     *string            `json:"plan_name"`
	Tier         *Tier              `json:"tier"`
	Dependents   []CoveredDependent `json:"dependents"`
	Waived       bool               `json:"waived"`
	WaiveReason  *string            `json:"waive_reason"`
	// The cost of the elected tier when submitted; 0 for a waiver.
	EmployeeMonthlyCents      int64  `json:"employee_monthly_cents"`
	EmployerMonthlyCents      int64  `json:"employer_monthly_cents"`
	EmployeePerPayPeriodCents int64  `json:"employee_per_pay_period_cents"`
	EmployerPerPayPeriodCents int64  `json:"employer_per_pay_period_cents"`
	Currency                  string `json:"currency"`
	// PlanYear and WindowKind record the window the election was made in.
	PlanYear   Period     `json:"plan_year"`
	WindowKind WindowKind `json:"window_kind"`
	// EffectiveDate is when coverage starts (set on activation); EndDate
	// when it ends (set on termination).
	EffectiveDate oriel.Date `json:"effective_date"`
	EndDate       oriel.Date `json:"end_date"`
	// The attestation: the name the employee typed, when, and from which
	// client address, kept as evidence.
	AttestedName    string    `json:"attested_name"`
	AttestedAddress string    `json:"attested_address"`
	SubmittedAt     time.Time `json:"submitted_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Current reports whether e is the newest version of its plan kind.
func (e *Election) Current() bool { return e.SupersededBy == "" }

// ElectionFilter narrows a list of elections; zero fields match everything.
type ElectionFilter struct {
	CustomerID string // an Oriel id or "E" + external id
	UserID     string // an Oriel id
	PlanKind   PlanKind
	Status     Status
	// History includes superseded versions; otherwise only current ones.
	History bool
}
