package server

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// The benefits vendor API (docs/benefits.md): an employer's plans and
// enrollment windows, its employees' dependents (read only: employees keep
// them in the widget) and elections, which the vendor reads and marks
// active or terminated.

// Error codes of the benefits vendor API's bodies.
const (
	codePlanInvalid       = "plan_invalid"
	codeCurrencyInvalid   = "currency_invalid"
	codeTiersInvalid      = "tiers_invalid"
	codeSummaryURLInvalid = "summary_url_invalid"
	codePlanYearInvalid   = "plan_year_invalid"
	codeWindowInvalid     = "window_invalid"
	codeElectionFilter    = "election_filter_invalid"
)

// Bounds on what a plan may hold.
const (
	maxSummaryURLLen        = 2048
	maxNetworkTypeLen       = 50
	maxCents          int64 = 100_000_000 * 100 // a hundred million in major units
)

// planBody is the body of POST /v1/customers/{customer}/benefit-plans.
type planBody struct {
	Kind                benefits.PlanKind   `json:"kind"`
	Name                string              `json:"name"`
	Carrier             string              `json:"carrier"`
	PlanYear            *benefits.Period    `json:"plan_year"`
	NetworkType         string              `json:"network_type"`
	DeductibleCents     int64               `json:"deductible_cents"`
	OutOfPocketMaxCents int64               `json:"out_of_pocket_max_cents"`
	Copays              benefits.Copays     `json:"copays"`
	SummaryURL          string              `json:"summary_url"`
	Currency            string              `json:"currency"`
	Tiers               []benefits.TierCost `json:"tiers"`
}

func (b *planBody) validate() error {
	if !b.Kind.Valid() {
		return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodePlanKindInvalid, "kind must be one of medical, dental, vision, life, disability, accident, hospital, telehealth, hsa, fsa, other")
	}
	if b.PlanYear == nil {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codePlanYearInvalid, `plan_year is required: {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`)
	}
	if b.Currency == "" {
		b.Currency = "USD"
	}
	p := b.plan()
	return checkPlan(&p)
}

// plan is the plan the body describes.
func (b *planBody) plan() benefits.Plan {
	return benefits.Plan{Kind: b.Kind, Name: b.Name, Carrier: b.Carrier, PlanYear: *b.PlanYear, NetworkType: b.NetworkType,
		DeductibleCents: b.DeductibleCents, OutOfPocketMaxCents: b.OutOfPocketMaxCents, Copays: b.Copays, SummaryURL: b.SummaryURL,
		Currency: b.Currency, Tiers: b.Tiers}
}

// checkPlan checks a whole plan, as created or as a change leaves it.
func checkPlan(p *benefits.Plan) error {
	if err := firstError(
		checkText("name", codeNameInvalid, p.Name, true),
		checkText("carrier", codePlanInvalid, p.Carrier, false),
		checkPeriod("plan_year", codePlanYearInvalid, p.PlanYear),
	); err != nil {
		return err
	}
	if utf8.RuneCountInString(p.NetworkType) > maxNetworkTypeLen || hasControl(p.NetworkType) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codePlanInvalid, "network_type must be at most %d characters, such as PPO or HMO", maxNetworkTypeLen)
	}
	for field, cents := range map[string]int64{
		"deductible_cents": p.DeductibleCents, "out_of_pocket_max_cents": p.OutOfPocketMaxCents,
		"copays.primary_care_cents": p.Copays.PrimaryCareCents, "copays.specialist_cents": p.Copays.SpecialistCents,
		"copays.urgent_care_cents": p.Copays.UrgentCareCents, "copays.emergency_cents": p.Copays.EmergencyCents,
	} {
		if err := checkCents(field, codePlanInvalid, cents); err != nil {
			return err
		}
	}
	if p.SummaryURL != "" {
		u, err := url.Parse(p.SummaryURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.SummaryURL) > maxSummaryURLLen {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeSummaryURLInvalid, "summary_url must be an absolute https:// URL of at most %d characters", maxSummaryURLLen)
		}
	}
	if len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency || strings.ContainsFunc(p.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeCurrencyInvalid, "currency must be an ISO 4217 code such as USD")
	}
	return checkTiers(p.Tiers)
}

// checkTiers accepts one to four distinct tiers with costs of zero or more.
func checkTiers(tiers []benefits.TierCost) error {
	if len(tiers) == 0 || len(tiers) > len(benefits.Tiers) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeTiersInvalid, "tiers must list the cost of 1 to %d coverage tiers", len(benefits.Tiers))
	}
	seen := map[benefits.Tier]bool{}
	for i, t := range tiers {
		if !t.Tier.Valid() || seen[t.Tier] {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeTiersInvalid, "tiers[%d].tier must be one of employee, employee_spouse, employee_children, family, each listed once", i)
		}
		seen[t.Tier] = true
		if err := firstError(
			checkCents("tiers[].employee_monthly_cents", codeTiersInvalid, t.EmployeeMonthlyCents),
			checkCents("tiers[].employer_monthly_cents", codeTiersInvalid, t.EmployerMonthlyCents),
		); err != nil {
			return err
		}
	}
	return nil
}

// checkCents accepts whole cents from 0 to maxCents.
func checkCents(field, code string, cents int64) error {
	if cents < 0 || cents > maxCents {
		return oriel.Errorf(oriel.EUNPROCESSABLE, code, "%s must be whole cents from 0 to %d", field, maxCents)
	}
	return nil
}

// checkPeriod accepts two dates, the start not after the end.
func checkPeriod(field, code string, p benefits.Period) error {
	if !p.Start.Valid() || !p.End.Valid() || p.End.Before(p.Start) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, code, "%s must be {\"start\": \"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\"} with start on or before end", field)
	}
	return nil
}

// planPatch is the body of PATCH …/benefit-plans/{id}; the result is
// checked whole (checkPlan) before it is written.
type planPatch benefits.PlanUpdate

func (p *planPatch) validate() error { return nil }

// priced fills the per-pay-period costs of plans for the customer's pay frequency.
func priced(c *oriel.Customer, plans ...*benefits.Plan) {
	for _, p := range plans {
		benefits.Price(p.Tiers, benefits.PayFrequency(c.PayFrequency))
	}
}

// pricedPlan answers a plan of the request's customer, priced.
func (s *Server) pricedPlan(w http.ResponseWriter, r *http.Request, status int, p *benefits.Plan, err error) error {
	if err != nil {
		return err
	}
	c, err := s.store.Customer(r.Context(), vendorOf(r), p.CustomerID)
	if err != nil {
		return err
	}
	priced(c, p)
	return reply(w, status, p)
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error {
	var in planBody
	if err := decode(r, &in); err != nil {
		return err
	}
	p := in.plan()
	p.VendorID, p.CustomerID = vendorOf(r), r.PathValue("customer")
	return s.pricedPlan(w, r, http.StatusCreated, &p, s.store.CreatePlan(r.Context(), &p))
}

func (s *Server) listPlans(r *http.Request, pg oriel.Page) ([]*benefits.Plan, bool, error) {
	ctx := r.Context()
	var f benefits.PlanFilter
	if k := r.URL.Query().Get("kind"); k != "" {
		if f.Kind = benefits.PlanKind(k); !f.Kind.Valid() {
			return nil, false, oriel.Errorf(oriel.EINVALID, benefits.CodePlanKindInvalid, "kind must be one of medical, dental, vision, life, disability, accident, hospital, telehealth, hsa, fsa, other")
		}
	}
	c, err := s.store.Customer(ctx, vendorOf(r), r.PathValue("customer"))
	if err != nil {
		return nil, false, err
	}
	plans, more, err := s.store.ListPlans(ctx, c.VendorID, c.ID, f, pg)
	priced(c, plans...)
	return plans, more, err
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.Plan(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("id"))
	return s.pricedPlan(w, r, http.StatusOK, p, err)
}

func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request) error {
	var in planPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.store.UpdatePlan(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("id"), benefits.PlanUpdate(in), checkPlan)
	return s.pricedPlan(w, r, http.StatusOK, p, err)
}

func (s *Server) deletePlan(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeletePlan(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("id")))
}

// windowBody is the body of POST /v1/customers/{customer}/enrollment-windows.
type windowBody struct {
	Kind     benefits.WindowKind `json:"kind"`
	StartsOn oriel.Date          `json:"starts_on"`
	EndsOn   oriel.Date          `json:"ends_on"`
	// PlanYear is required for open enrollment; a special window defaults
	// to the plan year that contains starts_on.
	PlanYear *benefits.Period `json:"plan_year"`
	// User, PlanKinds and Reason are for a special window only.
	User      string              `json:"user"`
	PlanKinds []benefits.PlanKind `json:"plan_kinds"`
	Reason    string              `json:"reason"`
}

func (b *windowBody) validate() error {
	if err := checkPeriod("starts_on and ends_on", codeWindowInvalid, benefits.Period{Start: b.StartsOn, End: b.EndsOn}); err != nil {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, "starts_on and ends_on must be dates written YYYY-MM-DD, starts_on on or before ends_on")
	}
	if b.PlanYear != nil {
		if err := checkPeriod("plan_year", codePlanYearInvalid, *b.PlanYear); err != nil {
			return err
		}
	}
	switch b.Kind {
	case benefits.OpenEnrollment:
		if b.User != "" || len(b.PlanKinds) > 0 {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, "user and plan_kinds are for a special window; open enrollment is for every employee and every kind")
		}
		if b.PlanYear == nil {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codePlanYearInvalid, "plan_year is required for open enrollment: the year the elections are for")
		}
	case benefits.Special:
		if err := checkRef("user", b.User); err != nil {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, "user is required for a special window: the employee's Oriel id or E + external id")
		}
		for i, k := range b.PlanKinds {
			if !k.Valid() {
				return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodePlanKindInvalid, "plan_kinds[%d] is not a plan kind", i)
			}
		}
	default:
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, `kind must be "open_enrollment" or "special" (a new-hire window follows from each employee's hire_date)`)
	}
	return checkText("reason", codeWindowInvalid, b.Reason, false)
}

func (s *Server) createWindow(w http.ResponseWriter, r *http.Request) error {
	var in windowBody
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.store.Customer(ctx, vendorOf(r), r.PathValue("customer"))
	if err != nil {
		return err
	}
	win := benefits.Window{CustomerID: c.ID, Kind: in.Kind, UserID: in.User, StartsOn: in.StartsOn, EndsOn: in.EndsOn, PlanKinds: in.PlanKinds, Reason: in.Reason}
	switch {
	case in.PlanYear != nil:
		win.PlanYear = *in.PlanYear
	default:
		years, err := s.store.PlanYears(ctx, c.VendorID, c.ID)
		if err != nil {
			return err
		}
		var ok bool
		if win, ok = benefits.SpecialWindow(c.ID, in.User, in.StartsOn, in.EndsOn, in.PlanKinds, in.Reason, years); !ok {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codePlanYearInvalid, "no plan of this customer covers starts_on or later; send plan_year")
		}
	}
	win.VendorID = c.VendorID
	err = s.store.CreateWindow(ctx, &win)
	return respond(w, http.StatusCreated, &win, err)
}

func (s *Server) listWindows(r *http.Request, p oriel.Page) ([]*benefits.Window, bool, error) {
	return s.store.ListWindows(r.Context(), vendorOf(r), r.PathValue("customer"), p)
}

func (s *Server) getWindow(w http.ResponseWriter, r *http.Request) error {
	win, err := s.store.Window(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("id"))
	return respond(w, http.StatusOK, win, err)
}

func (s *Server) deleteWindow(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteWindow(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("id")))
}

// pathUser returns the user the request's path names.
func (s *Server) pathUser(r *http.Request) (*oriel.User, error) {
	return s.store.User(r.Context(), vendorOf(r), r.PathValue("customer"), r.PathValue("user"))
}

func (s *Server) listUserDependents(r *http.Request, p oriel.Page) ([]*benefits.Dependent, bool, error) {
	u, err := s.pathUser(r)
	if err != nil {
		return nil, false, err
	}
	return s.store.ListDependents(r.Context(), u.VendorID, u.ID, p)
}

func (s *Server) getUserDependent(w http.ResponseWriter, r *http.Request) error {
	u, err := s.pathUser(r)
	if err != nil {
		return err
	}
	d, err := s.store.Dependent(r.Context(), u.VendorID, u.ID, r.PathValue("id"))
	return respond(w, http.StatusOK, d, err)
}

// electionFilter reads the filters of GET /v1/benefit-elections: customer
// (an Oriel id or E + external id), user (an Oriel id, or E + external id
// with customer), plan_kind, status, and history=true for every version.
func (s *Server) electionFilter(r *http.Request) (benefits.ElectionFilter, error) {
	q := r.URL.Query()
	f := benefits.ElectionFilter{PlanKind: benefits.PlanKind(q.Get("plan_kind")), Status: benefits.Status(q.Get("status"))}
	switch h := q.Get("history"); h {
	case "", "false":
	case "true":
		f.History = true
	default:
		return f, oriel.Errorf(oriel.EINVALID, codeElectionFilter, "history must be true or false")
	}
	if f.PlanKind != "" && !f.PlanKind.Valid() {
		return f, oriel.Errorf(oriel.EINVALID, codeElectionFilter, "plan_kind must be one of medical, dental, vision, life, disability, accident, hospital, telehealth, hsa, fsa, other")
	}
	if f.Status != "" && !f.Status.Valid() {
		return f, oriel.Errorf(oriel.EINVALID, codeElectionFilter, "status must be submitted, waived, active or terminated")
	}
	ctx, vendorID := r.Context(), vendorOf(r)
	customerRef, userRef := q.Get("customer"), q.Get("user")
	if customerRef != "" {
		c, err := s.store.Customer(ctx, vendorID, customerRef)
		if err != nil {
			return f, err
		}
		f.CustomerID = c.ID
	}
	if userRef != "" {
		if _, external := oriel.SplitRef(userRef); external && customerRef == "" {
			return f, oriel.Errorf(oriel.EINVALID, codeElectionFilter, "a user named by external id needs customer too")
		}
		var u *oriel.User
		var err error
		if customerRef != "" {
			u, err = s.store.User(ctx, vendorID, customerRef, userRef)
		} else {
			u, err = s.store.UserByID(ctx, vendorID, userRef)
		}
		if err != nil {
			return f, err
		}
		f.UserID = u.ID
	}
	return f, nil
}

func (s *Server) listElections(r *http.Request, p oriel.Page) ([]*benefits.Election, bool, error) {
	f, err := s.electionFilter(r)
	if err != nil {
		return nil, false, err
	}
	return s.store.ListElections(r.Context(), vendorOf(r), f, p)
}

func (s *Server) getElection(w http.ResponseWriter, r *http.Request) error {
	e, err := s.store.Election(r.Context(), vendorOf(r), r.PathValue("id"))
	return respond(w, http.StatusOK, e, err)
}

// activation is the body of POST /v1/benefit-elections/{id}/activate.
type activation struct {
	EffectiveDate oriel.Date `json:"effective_date"`
}

func (a *activation) validate() error { return checkDate("effective_date", a.EffectiveDate) }

// termination is the body of POST /v1/benefit-elections/{id}/terminate.
type termination struct {
	EndDate oriel.Date `json:"end_date"`
}

func (t *termination) validate() error { return checkDate("end_date", t.EndDate) }

func (s *Server) activateElection(w http.ResponseWriter, r *http.Request) error {
	var in activation
	if err := decode(r, &in); err != nil {
		return err
	}
	return s.setElectionStatus(w, r, benefits.Active, in.EffectiveDate)
}

func (s *Server) terminateElection(w http.ResponseWriter, r *http.Request) error {
	var in termination
	if err := decode(r, &in); err != nil {
		return err
	}
	return s.setElectionStatus(w, r, benefits.Terminated, in.EndDate)
}

// setElectionStatus moves the election the path names to status to on day on.
func (s *Server) setElectionStatus(w http.ResponseWriter, r *http.Request, to benefits.Status, on oriel.Date) error {
	e, err := s.store.SetElectionStatus(r.Context(), vendorOf(r), r.PathValue("id"), to, on)
	return respond(w, http.StatusOK, e, err)
}
