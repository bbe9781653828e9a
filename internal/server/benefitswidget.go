package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// The employee dashboard's benefits API (/widget-api/benefits/…). It needs
// a user-bound credential, and serves that employee's own dependents and
// elections only: another employee's ids answer exactly as missing ones.
// "Today" is the server's date in UTC.

// codeUserBindingRequired refuses a customer-bound credential.
const codeUserBindingRequired = "user_binding_required"

var errUserBindingRequired = oriel.Errorf(oriel.EFORBIDDEN, codeUserBindingRequired,
	`the employee dashboard acts for one employee: issue a token bound to the user ({"bound_entity": {"type": "employee", "id": …}}) or sign the direct link with a user in sub`)

// requireEmployee refuses sessions that are not bound to a user.
func requireEmployee(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if sessionOf(r).User == nil {
			return errUserBindingRequired
		}
		return next(w, r)
	}
}

// employee is the request's employee with what the rules need to know.
type employee struct {
	user     *oriel.User
	customer *oriel.Customer
	today    oriel.Date
	years    []benefits.Period
	// open and next are the employee's windows (benefits.Windows).
	open, next *benefits.Window
}

// employeeOf gathers the request's employee, their employer's plan years
// and their windows.
func (s *Server) employeeOf(r *http.Request) (*employee, error) {
	ctx, sess := r.Context(), sessionOf(r)
	e := &employee{user: sess.User, customer: sess.Customer, today: oriel.DateOf(s.now().UTC())}
	var err error
	if e.years, err = s.store.PlanYears(ctx, sess.VendorID, e.customer.ID); err != nil {
		return nil, err
	}
	stored, err := s.store.EmployeeWindows(ctx, sess.VendorID, e.customer.ID, e.user.ID)
	if err != nil {
		return nil, err
	}
	e.open, e.next = benefits.Windows(e.today, benefits.EmployeeOf(e.user), e.customer.NewHireWindowDays, e.years, stored)
	return e, nil
}

// planYear is the year the employee sees plans of: the open window's, or
// else the current (or next) plan year.
func (e *employee) planYear() (benefits.Period, bool) {
	if e.open != nil {
		return e.open.PlanYear, true
	}
	return benefits.PlanYearOn(e.today, e.years)
}

// plans returns the employer's plans of the employee's plan year, priced.
func (s *Server) employeePlans(ctx context.Context, e *employee, kind benefits.PlanKind) ([]*benefits.Plan, error) {
	year, ok := e.planYear()
	if !ok {
		return []*benefits.Plan{}, nil
	}
	plans, _, err := s.store.ListPlans(ctx, e.customer.VendorID, e.customer.ID, benefits.PlanFilter{Kind: kind, Year: year.Start}, oriel.Page{Limit: maxPageLimit})
	if err != nil {
		return nil, err
	}
	plans = slices.DeleteFunc(plans, func(p *benefits.Plan) bool { return p.PlanYear != year })
	priced(e.customer, plans...)
	return plans, nil
}

// currentElections returns the employee's current election of each kind.
func (s *Server) currentElections(ctx context.Context, u *oriel.User) ([]*benefits.Election, error) {
	list, _, err := s.store.ListElections(ctx, u.VendorID, benefits.ElectionFilter{UserID: u.ID}, oriel.Page{Limit: maxPageLimit})
	return list, err
}

// dependentsOf returns all of the employee's dependents.
func (s *Server) dependentsOf(ctx context.Context, u *oriel.User) ([]*benefits.Dependent, error) {
	list, _, err := s.store.ListDependents(ctx, u.VendorID, u.ID, oriel.Page{Limit: benefits.MaxDependents})
	return list, err
}

// whole answers items as a list page that has no more pages.
func whole[T any](w http.ResponseWriter, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return reply(w, http.StatusOK, listPage[T]{Object: "list", Data: items})
}

// benefitsOverview answers GET /widget-api/benefits/overview.
type benefitsOverview struct {
	Employee          overviewEmployee `json:"employee"`
	PayFrequency      string           `json:"pay_frequency"`
	PayPeriodsPerYear int              `json:"pay_periods_per_year"`
	Currency          string           `json:"currency"`
	Window            *benefits.Window `json:"window"`
	NextWindow        *benefits.Window `json:"next_window"`
	Coverage          []coverage       `json:"coverage"`
}

// overviewEmployee is the employee as the overview shows them.
type overviewEmployee struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	HireDate         oriel.Date `json:"hire_date"`
	EmploymentStatus string     `json:"employment_status"`
}

// coverage is the employee's current election of one plan kind, if any.
type coverage struct {
	PlanKind benefits.PlanKind  `json:"plan_kind"`
	Election *benefits.Election `json:"election"`
}

func (s *Server) benefitsOverview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := s.employeeOf(r)
	if err != nil {
		return err
	}
	plans, err := s.employeePlans(ctx, e, "")
	if err != nil {
		return err
	}
	elections, err := s.currentElections(ctx, e.user)
	if err != nil {
		return err
	}
	freq := benefits.PayFrequency(e.customer.PayFrequency)
	o := benefitsOverview{
		Employee:     overviewEmployee{ID: e.user.ID, Name: e.user.Name, HireDate: e.user.HireDate, EmploymentStatus: e.user.EmploymentStatus},
		PayFrequency: string(freq), PayPeriodsPerYear: freq.PeriodsPerYear(), Currency: "USD",
		Window: e.open, Coverage: []coverage{},
	}
	if e.open == nil {
		o.NextWindow = e.next
	}
	var kinds []benefits.PlanKind
	for _, p := range plans {
		o.Currency = p.Currency
		kinds = append(kinds, p.Kind)
	}
	for _, el := range elections {
		kinds = append(kinds, el.PlanKind)
	}
	benefits.SortKinds(kinds)
	for _, k := range slices.Compact(kinds) {
		c := coverage{PlanKind: k}
		if i := slices.IndexFunc(elections, func(el *benefits.Election) bool { return el.PlanKind == k }); i >= 0 {
			c.Election = elections[i]
		}
		o.Coverage = append(o.Coverage, c)
	}
	return reply(w, http.StatusOK, o)
}

func (s *Server) benefitsPlans(w http.ResponseWriter, r *http.Request) error {
	kind := benefits.PlanKind(r.URL.Query().Get("kind"))
	if kind != "" && !kind.Valid() {
		return oriel.Errorf(oriel.EINVALID, benefits.CodePlanKindInvalid, "kind must be one of medical, dental, vision, life, disability, accident, hospital, telehealth, hsa, fsa, other")
	}
	e, err := s.employeeOf(r)
	if err != nil {
		return err
	}
	plans, err := s.employeePlans(r.Context(), e, kind)
	return whole(w, plans, err)
}

func (s *Server) benefitsDependents(w http.ResponseWriter, r *http.Request) error {
	deps, err := s.dependentsOf(r.Context(), sessionOf(r).User)
	return whole(w, deps, err)
}

// dependentBody is the body of POST /widget-api/benefits/dependents; the
// rules (benefits.CheckDependent) check it.
type dependentBody struct {
	Relationship benefits.Relationship `json:"relationship"`
	FirstName    string                `json:"first_name"`
	LastName     string                `json:"last_name"`
	DateOfBirth  oriel.Date            `json:"date_of_birth"`
}

func (b *dependentBody) validate() error { return nil }

// dependentPatch is the body of PATCH /widget-api/benefits/dependents/{id}.
type dependentPatch benefits.DependentUpdate

func (p *dependentPatch) validate() error { return nil }

func (s *Server) addDependent(w http.ResponseWriter, r *http.Request) error {
	var in dependentBody
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), sessionOf(r).User
	others, err := s.dependentsOf(ctx, u)
	if err != nil {
		return err
	}
	if len(others) >= benefits.MaxDependents {
		return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodeDependentInvalid, "an employee may have at most %d dependents", benefits.MaxDependents)
	}
	d := &benefits.Dependent{VendorID: u.VendorID, UserID: u.ID, Relationship: in.Relationship, FirstName: in.FirstName, LastName: in.LastName, DateOfBirth: in.DateOfBirth}
	if err := benefits.CheckDependent(d, oriel.DateOf(s.now().UTC()), others); err != nil {
		return err
	}
	return respond(w, http.StatusCreated, d, s.store.CreateDependent(ctx, d))
}

// editDependent changes a dependent's details. A covered dependent's
// relationship and birth date, which decide the tier and eligibility, stay
// as they are until the election covering them changes.
func (s *Server) editDependent(w http.ResponseWriter, r *http.Request) error {
	var in dependentPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), sessionOf(r).User
	d, err := s.store.Dependent(ctx, u.VendorID, u.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	others, err := s.dependentsOf(ctx, u)
	if err != nil {
		return err
	}
	changed := *d
	benefits.DependentUpdate(in).Apply(&changed)
	if err := benefits.CheckDependent(&changed, oriel.DateOf(s.now().UTC()), others); err != nil {
		return err
	}
	if changed.Relationship != d.Relationship || changed.DateOfBirth != d.DateOfBirth {
		current, err := s.currentElections(ctx, u)
		if err != nil {
			return err
		}
		if benefits.Covers(current, d.ID) {
			return benefits.CoveredError("change the relationship or birth date of")
		}
	}
	d, err = s.store.UpdateDependent(ctx, u.VendorID, u.ID, d.ID, benefits.DependentUpdate(in))
	return respond(w, http.StatusOK, d, err)
}

// removeDependent removes a dependent, inside an enrollment window only.
func (s *Server) removeDependent(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), sessionOf(r).User
	if _, err := s.store.Dependent(ctx, u.VendorID, u.ID, r.PathValue("id")); err != nil {
		return err
	}
	e, err := s.employeeOf(r)
	if err != nil {
		return err
	}
	if e.open == nil {
		return benefits.ClosedError(e.next)
	}
	return noContent(w, s.store.DeleteDependent(ctx, u.VendorID, u.ID, r.PathValue("id")))
}

func (s *Server) benefitsElections(w http.ResponseWriter, r *http.Request) error {
	elections, err := s.currentElections(r.Context(), sessionOf(r).User)
	return whole(w, elections, err)
}

// electionBody is the body of POST /widget-api/benefits/elections.
type electionBody struct {
	PlanKind     benefits.PlanKind `json:"plan_kind"`
	PlanID       string            `json:"plan_id"`
	Tier         benefits.Tier     `json:"tier"`
	DependentIDs []string          `json:"dependent_ids"`
	Waive        bool              `json:"waive"`
	WaiveReason  string            `json:"waive_reason"`
	Attestation  *attestation      `json:"attestation"`
}

// attestation is the employee's confirmation of an election.
type attestation struct {
	FullName string `json:"full_name"`
}

func (b *electionBody) validate() error {
	if len(b.PlanID) > maxTextLen {
		return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodePlanNotOffered, "plan_id is not a plan id")
	}
	return nil
}

// evidenceAddress is the client's address as an attestation keeps it: the
// client clientaddr.go finds (behind trusted proxies, the one they report),
// whole — unlike clientAddress, an IPv6 address is not cut to its /64.
func evidenceAddress(r *http.Request) string {
	if c := stateOf(r).client; c.IsValid() {
		return c.String()
	}
	return r.RemoteAddr
}

// submitElection checks an election against the rules and stores it as
// the next version of its kind, with its webhook event, in one transaction;
// a request that breaks a rule writes nothing.
func (s *Server) submitElection(w http.ResponseWriter, r *http.Request) error {
	var in electionBody
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	e, err := s.employeeOf(r)
	if err != nil {
		return err
	}
	req := benefits.ElectionRequest{PlanKind: in.PlanKind, PlanID: in.PlanID, Tier: in.Tier, DependentIDs: in.DependentIDs, Waive: in.Waive, WaiveReason: in.WaiveReason}
	if in.Attestation != nil {
		req.FullName = in.Attestation.FullName
	}
	c := benefits.ElectionContext{Today: e.today, Employee: benefits.EmployeeOf(e.user), Open: e.open, Next: e.next,
		PayFrequency: benefits.PayFrequency(e.customer.PayFrequency), Address: evidenceAddress(r), Now: s.now().UTC().Truncate(time.Microsecond)}
	if in.PlanID != "" {
		switch p, err := s.store.Plan(ctx, e.customer.VendorID, e.customer.ID, in.PlanID); {
		case err == nil:
			c.Plan = p
		case oriel.ErrorKind(err) != oriel.ENOTFOUND:
			return err
		}
	}
	if c.Dependents, err = s.dependentsOf(ctx, e.user); err != nil {
		return err
	}
	el, err := benefits.Decide(req, c)
	if err != nil {
		return err
	}
	el.VendorID = e.customer.VendorID
	if el.Currency == "" {
		el.Currency = "USD"
	}
	return respond(w, http.StatusCreated, el, s.store.SubmitElection(ctx, el))
}
