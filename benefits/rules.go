package benefits

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orielhq/oriel"
)

// Error codes of the benefits rules; docs/errors.md documents each.
const (
	CodeWindowClosed         = "window_closed"
	CodeTierMismatch         = "tier_mismatch"
	CodeTierInvalid          = "tier_invalid"
	CodePlanNotOffered       = "plan_not_offered"
	CodePlanKindInvalid      = "plan_kind_invalid"
	CodeDependentNotEligible = "dependent_not_eligible"
	CodeDependentCovered     = "dependent_covered"
	CodeAttestationRequired  = "attestation_required"
	CodeElectionInvalid      = "election_invalid"
)

// MaxDependents bounds the dependents one election may cover.
const MaxDependents = 20

// PerPayPeriod is what monthlyCents a month comes to per paycheck at
// frequency f: a year's cost over the year's paychecks, rounded to the
// nearest cent (halves up). It is 0 when f is not valid.
func PerPayPeriod(monthlyCents int64, f PayFrequency) int64 {
	n := int64(f.PeriodsPerYear())
	if n == 0 {
		return 0
	}
	yearly := monthlyCents * 12
	return (yearly + n/2) / n
}

// Price fills the per-pay-period costs of every tier from their monthly
// costs at frequency f.
func Price(tiers []TierCost, f PayFrequency) {
	for i := range tiers {
		tiers[i].EmployeePerPayPeriodCents = PerPayPeriod(tiers[i].EmployeeMonthlyCents, f)
		tiers[i].EmployerPerPayPeriodCents = PerPayPeriod(tiers[i].EmployerMonthlyCents, f)
	}
}

// PlanYearOn picks, among years, the plan year that contains day, or else
// the first one to start after day; ok is false when every year has ended.
func PlanYearOn(day oriel.Date, years []Period) (Period, bool) {
	var next *Period
	for i, y := range years {
		if y.Contains(day) {
			return y, true
		}
		if y.Start.After(day) && (next == nil || y.Start.Before(next.Start)) {
			next = &years[i]
		}
	}
	if next == nil {
		return Period{}, false
	}
	return *next, true
}

// NewHireWindow is the window an employee hired on hire has: days days from
// the hire date, both included, for the plan year that contains the hire
// date (or the first to start after it). ok is false without a hire date,
// a positive length or a plan year.
func NewHireWindow(customerID string, hire oriel.Date, days int, years []Period) (w Window, ok bool) {
	if !hire.Valid() || days <= 0 {
		return Window{}, false
	}
	year, ok := PlanYearOn(hire, years)
	if !ok {
		return Window{}, false
	}
	return Window{CustomerID: customerID, Kind: NewHire, StartsOn: hire, EndsOn: hire.AddDays(days - 1), PlanYear: year, PlanKinds: []PlanKind{}}, true
}

// Employee is what the rules need to know of an employee.
type Employee struct {
	ID               string
	CustomerID       string
	HireDate         oriel.Date
	EmploymentStatus string
}

// EmployeeOf describes user u as an employee.
func EmployeeOf(u *oriel.User) Employee {
	return Employee{ID: u.ID, CustomerID: u.CustomerID, HireDate: u.HireDate, EmploymentStatus: u.EmploymentStatus}
}

// windowRank orders overlapping windows: the broadest first.
var windowRank = map[WindowKind]int{OpenEnrollment: 0, NewHire: 1, Special: 2}

// Windows tells which of an employee's windows is open on today, and else
// which opens next (whether or not one is open). stored are the customer's open-enrollment windows and
// the employee's special windows (others are ignored); the new-hire window
// is computed from the hire date, newHireDays and the plans' years. A
// terminated employee has no window. When several are open, the broadest
// wins (open enrollment, then new hire, then special), then the one that
// closes last.
func Windows(today oriel.Date, e Employee, newHireDays int, years []Period, stored []Window) (open, next *Window) {
	if e.EmploymentStatus == EmploymentTerminated {
		return nil, nil
	}
	var all []Window
	for _, w := range stored {
		if w.CustomerID == e.CustomerID && (w.Kind == OpenEnrollment || w.Kind == Special && w.UserID == e.ID) {
			all = append(all, w)
		}
	}
	if w, ok := NewHireWindow(e.CustomerID, e.HireDate, newHireDays, years); ok {
		all = append(all, w)
	}
	for i := range all {
		w := &all[i]
		switch {
		case w.OpenOn(today):
			if open == nil || windowRank[w.Kind] < windowRank[open.Kind] ||
				windowRank[w.Kind] == windowRank[open.Kind] && w.EndsOn.After(open.EndsOn) {
				open = w
			}
		case w.StartsOn.After(today):
			if next == nil || w.StartsOn.Before(next.StartsOn) {
				next = w
			}
		}
	}
	return open, next
}

// ClosedError is the window_closed error: nothing may change now, and it
// says when the next window opens, if one is known.
func ClosedError(next *Window) error {
	if next == nil {
		return oriel.Errorf(oriel.ECONFLICT, CodeWindowClosed, "no enrollment window is open, and none is scheduled; elections can change only inside a window")
	}
	return oriel.Errorf(oriel.ECONFLICT, CodeWindowClosed, "no enrollment window is open; the next one (%s) opens on %s and closes on %s", next.Kind, next.StartsOn, next.EndsOn)
}

// AgeOn is a person born on birth's age in whole years on day.
func AgeOn(birth, day oriel.Date) int {
	b, d := birth.Time(), day.Time()
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || d.Month() == b.Month() && d.Day() < b.Day() {
		age--
	}
	return age
}

// CheckDependent checks a dependent as entered: names of 1–100 characters,
// a relationship, a birth date not after today, and at most one spouse or
// domestic partner among the employee's others (the other dependents,
// without this one). Errors are EUNPROCESSABLE and name the field.
func CheckDependent(d *Dependent, today oriel.Date, others []*Dependent) error {
	switch {
	case !d.Relationship.Valid():
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentInvalid, "relationship must be spouse, domestic_partner or child")
	case !personName(d.FirstName):
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentInvalid, "first_name is required: 1–100 characters without control characters")
	case !personName(d.LastName):
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentInvalid, "last_name is required: 1–100 characters without control characters")
	case !d.DateOfBirth.Valid():
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentInvalid, "date_of_birth is required, as YYYY-MM-DD")
	case d.DateOfBirth.After(today):
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentInvalid, "date_of_birth must not be in the future")
	}
	if d.Relationship.partner() {
		for _, o := range others {
			if o.ID != d.ID && o.Relationship.partner() {
				return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentNotEligible, "an employee may have one spouse or domestic partner as a dependent; remove the other first")
			}
		}
	}
	return nil
}

// CodeDependentInvalid is the code of a dependent entered wrongly.
const CodeDependentInvalid = "dependent_invalid"

// personName accepts 1–100 characters without control characters.
func personName(s string) bool {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	return n >= 1 && n <= 100 && !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

// TierFor is the tier that covers exactly deps.
func TierFor(deps []Relationship) Tier {
	partner, children := false, false
	for _, r := range deps {
		if r.partner() {
			partner = true
		} else {
			children = true
		}
	}
	switch {
	case partner && children:
		return TierFamily
	case partner:
		return TierEmployeeSpouse
	case children:
		return TierEmployeeChildren
	}
	return TierEmployee
}

// ElectionRequest is what an employee submits for one plan kind: a plan,
// tier and dependents, or a waiver; and the attestation.
type ElectionRequest struct {
	PlanKind     PlanKind
	PlanID       string
	Tier         Tier
	DependentIDs []string
	Waive        bool
	WaiveReason  string
	// FullName is the name the employee typed to attest.
	FullName string
}

// ElectionContext is what the rules need to decide an election request.
type ElectionContext struct {
	Today    oriel.Date
	Employee Employee
	// Open and Next are the employee's windows (see Windows).
	Open, Next *Window
	// Plan is the plan the request names, nil when it names none the
	// employer has.
	Plan *Plan
	// Dependents are all the employee's dependents.
	Dependents   []*Dependent
	PayFrequency PayFrequency
	// Address is the client address the request came from.
	Address string
	Now     time.Time
}

// Decide checks req against the rules and returns the election it makes,
// without id or version (the store assigns those). Nothing is written:
// a request that breaks a rule changes nothing. In order: a window must be
// open and allow the kind (window_closed); the attestation must be given
// (attestation_required); a waiver needs nothing more; an election needs a
// plan of the kind offered for the window's plan year (plan_not_offered),
// a tier the plan prices (tier_invalid), dependents of the employee who are
// eligible on the day coverage would start (dependent_not_eligible), and
// the tier those dependents make (tier_mismatch).
func Decide(req ElectionRequest, c ElectionContext) (*Election, error) {
	if !req.PlanKind.Valid() {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodePlanKindInvalid, "plan_kind must be one of %s", joinKinds(PlanKinds))
	}
	if c.Open == nil {
		return nil, ClosedError(c.Next)
	}
	if !c.Open.Allows(req.PlanKind) {
		return nil, oriel.Errorf(oriel.ECONFLICT, CodeWindowClosed, "the open %s window allows changes to %s only", c.Open.Kind, joinKinds(c.Open.PlanKinds))
	}
	name := strings.TrimSpace(req.FullName)
	if !personName(name) || utf8.RuneCountInString(name) < 2 {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeAttestationRequired, "attestation.full_name is required: type your full name to confirm the election")
	}
	e := &Election{
		CustomerID: c.Employee.CustomerID, UserID: c.Employee.ID, PlanKind: req.PlanKind,
		Dependents: []CoveredDependent{}, PlanYear: c.Open.PlanYear, WindowKind: c.Open.Kind,
		AttestedName: name, AttestedAddress: c.Address, SubmittedAt: c.Now, UpdatedAt: c.Now,
	}
	if req.Waive {
		if req.PlanID != "" || req.Tier != "" || len(req.DependentIDs) > 0 {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeElectionInvalid, "a waiver names no plan_id, tier or dependent_ids")
		}
		reason := strings.TrimSpace(req.WaiveReason)
		if utf8.RuneCountInString(reason) > 500 || strings.ContainsFunc(reason, func(r rune) bool { return r < ' ' && r != '\n' }) {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeElectionInvalid, "waive_reason must be at most 500 characters")
		}
		e.Status, e.Waived, e.WaiveReason = Waived, true, &reason
		if plan := c.Plan; plan != nil {
			e.Currency = plan.Currency
		}
		return e, nil
	}
	if req.WaiveReason != "" {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeElectionInvalid, "waive_reason goes with waive: true only")
	}
	p := c.Plan
	if req.PlanID == "" {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodePlanNotOffered, "plan_id is required to elect a plan (or send waive: true)")
	}
	if p == nil || p.Kind != req.PlanKind || p.CustomerID != c.Employee.CustomerID || p.PlanYear != c.Open.PlanYear {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodePlanNotOffered, "this plan is not offered to you as %s coverage for the plan year %s to %s", req.PlanKind, c.Open.PlanYear.Start, c.Open.PlanYear.End)
	}
	if !req.Tier.Valid() {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeTierInvalid, "tier must be one of employee, employee_spouse, employee_children, family")
	}
	cost, ok := p.Cost(req.Tier)
	if !ok {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeTierInvalid, "this plan does not offer the %s tier", req.Tier)
	}
	covered, err := coveredDependents(req.DependentIDs, c)
	if err != nil {
		return nil, err
	}
	rels := make([]Relationship, len(covered))
	for i, d := range covered {
		rels[i] = d.Relationship
	}
	if want := TierFor(rels); want != req.Tier {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeTierMismatch, "the dependents chosen make the %s tier, not %s: %s", want, req.Tier, tierRule(req.Tier))
	}
	planID, planName, tier := p.ID, p.Name, req.Tier
	e.Status, e.PlanID, e.PlanName, e.Tier, e.Dependents, e.Currency = Submitted, &planID, &planName, &tier, covered, p.Currency
	e.EmployeeMonthlyCents, e.EmployerMonthlyCents = cost.EmployeeMonthlyCents, cost.EmployerMonthlyCents
	e.EmployeePerPayPeriodCents = PerPayPeriod(cost.EmployeeMonthlyCents, c.PayFrequency)
	e.EmployerPerPayPeriodCents = PerPayPeriod(cost.EmployerMonthlyCents, c.PayFrequency)
	return e, nil
}

// coveredDependents looks up the dependents an election names: each must be
// the employee's, named once, and eligible on the day coverage starts (the
// plan year's start, or today when the year has begun).
func coveredDependents(ids []string, c ElectionContext) ([]CoveredDependent, error) {
	if len(ids) > MaxDependents {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentNotEligible, "an election covers at most %d dependents", MaxDependents)
	}
	starts := max(c.Today, c.Open.PlanYear.Start)
	out := make([]CoveredDependent, 0, len(ids))
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentNotEligible, "dependent_ids[%d] repeats a dependent", i)
		}
		j := slices.IndexFunc(c.Dependents, func(d *Dependent) bool { return d.ID == id })
		if j < 0 {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentNotEligible, "dependent_ids[%d] is not one of your dependents", i)
		}
		d := c.Dependents[j]
		if d.Relationship == Child && AgeOn(d.DateOfBirth, starts) >= ChildAgeLimit {
			return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeDependentNotEligible, "dependent_ids[%d] is a child who is %d or older when coverage starts (%s)", i, ChildAgeLimit, starts)
		}
		out = append(out, CoveredDependent{ID: d.ID, FirstName: d.FirstName, LastName: d.LastName, Relationship: d.Relationship})
	}
	return out, nil
}

// tierRule says which dependents tier t covers.
func tierRule(t Tier) string {
	switch t {
	case TierEmployee:
		return "employee covers no dependents"
	case TierEmployeeSpouse:
		return "employee_spouse covers one spouse or domestic partner and no children"
	case TierEmployeeChildren:
		return "employee_children covers one or more children and no spouse or partner"
	}
	return "family covers a spouse or domestic partner and one or more children"
}

// joinKinds lists kinds for a message.
func joinKinds(kinds []PlanKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Covers reports whether any of the current elections covers dependent id
// (a waived or terminated election covers no one).
func Covers(current []*Election, id string) bool {
	for _, e := range current {
		if e.Status == Waived || e.Status == Terminated || !e.Current() {
			continue
		}
		if slices.ContainsFunc(e.Dependents, func(d CoveredDependent) bool { return d.ID == id }) {
			return true
		}
	}
	return false
}

// CoveredError is the dependent_covered error for a change that would take
// a dependent out of a current election.
func CoveredError(action string) error {
	return oriel.Errorf(oriel.ECONFLICT, CodeDependentCovered, "this dependent is covered by a current election; change that election first, then %s the dependent", action)
}

// CanTransition reports whether the vendor may move an election from one
// status to another: a submitted election becomes active or terminated; an
// active one, terminated; a waiver and a terminated election are final.
func CanTransition(from, to Status) bool {
	switch to {
	case Active:
		return from == Submitted
	case Terminated:
		return from == Submitted || from == Active
	}
	return false
}

// SortKinds orders kinds as PlanKinds does.
func SortKinds(kinds []PlanKind) {
	slices.SortFunc(kinds, func(a, b PlanKind) int {
		return cmp.Compare(slices.Index(PlanKinds, a), slices.Index(PlanKinds, b))
	})
}

// SpecialWindow opens a special window for one employee from opens to
// closes, both included, that allows changes to kinds only (every kind when
// empty): the hook through which an approved qualifying life event lets an
// employee change elections outside open enrollment. The window is for the
// plan year that contains opens (or the first to start after it); ok is
// false when no plan year is known.
func SpecialWindow(customerID, userID string, opens, closes oriel.Date, kinds []PlanKind, reason string, years []Period) (w Window, ok bool) {
	year, ok := PlanYearOn(opens, years)
	if !ok {
		return Window{}, false
	}
	return Window{CustomerID: customerID, Kind: Special, UserID: userID, StartsOn: opens, EndsOn: closes, PlanYear: year,
		PlanKinds: kinds, Reason: reason}, true
}
