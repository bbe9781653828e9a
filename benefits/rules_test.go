package benefits

import (
	"testing"
	"time"

	"github.com/orielhq/oriel"
)

func TestPerPayPeriod(t *testing.T) {
	for _, tc := range []struct {
		monthly int64
		f       PayFrequency
		want    int64
	}{
		{10000, Monthly, 10000},
		{10000, Semimonthly, 5000},
		{10000, Biweekly, 4615}, // 120000 / 26 = 4615.38…
		{10000, Weekly, 2308},   // 120000 / 52 = 2307.69…
		{13, Biweekly, 6},       // 156 / 26 = 6 exactly
		{1, Weekly, 0},          // 12 / 52 rounds down
		{13, Weekly, 3},         // 156 / 52 = 3
		{0, Biweekly, 0},
		{10000, "daily", 0},
	} {
		if got := PerPayPeriod(tc.monthly, tc.f); got != tc.want {
			t.Errorf("PerPayPeriod(%d, %s) = %d, want %d", tc.monthly, tc.f, got, tc.want)
		}
	}
	tiers := []TierCost{{Tier: TierEmployee, EmployeeMonthlyCents: 2600, EmployerMonthlyCents: 5200}}
	Price(tiers, Biweekly)
	if tiers[0].EmployeePerPayPeriodCents != 1200 || tiers[0].EmployerPerPayPeriodCents != 2400 {
		t.Fatalf("priced %+v", tiers[0])
	}
}

func TestTierFor(t *testing.T) {
	for _, tc := range []struct {
		deps []Relationship
		want Tier
	}{
		{nil, TierEmployee},
		{[]Relationship{Spouse}, TierEmployeeSpouse},
		{[]Relationship{DomesticPartner}, TierEmployeeSpouse},
		{[]Relationship{Child}, TierEmployeeChildren},
		{[]Relationship{Child, Child, Child}, TierEmployeeChildren},
		{[]Relationship{Child, Spouse}, TierFamily},
		{[]Relationship{DomesticPartner, Child}, TierFamily},
	} {
		if got := TierFor(tc.deps); got != tc.want {
			t.Errorf("TierFor(%v) = %s, want %s", tc.deps, got, tc.want)
		}
	}
}

func TestAgeOn(t *testing.T) {
	for _, tc := range []struct {
		birth, day oriel.Date
		want       int
	}{
		{"2000-01-01", "2026-01-01", 26},
		{"2000-01-02", "2026-01-01", 25},
		{"2000-02-29", "2026-02-28", 25},
		{"2000-02-29", "2026-03-01", 26},
		{"2026-01-01", "2026-01-01", 0},
	} {
		if got := AgeOn(tc.birth, tc.day); got != tc.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tc.birth, tc.day, got, tc.want)
		}
	}
}

var (
	year2026 = Period{Start: "2026-01-01", End: "2026-12-31"}
	year2027 = Period{Start: "2027-01-01", End: "2027-12-31"}
)

func TestPlanYearOn(t *testing.T) {
	years := []Period{year2027, year2026}
	for _, tc := range []struct {
		day  oriel.Date
		want Period
		ok   bool
	}{
		{"2026-06-01", year2026, true},
		{"2025-06-01", year2026, true}, // the next to start
		{"2027-12-31", year2027, true},
		{"2028-01-01", Period{}, false},
	} {
		got, ok := PlanYearOn(tc.day, years)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PlanYearOn(%s) = %v %v, want %v %v", tc.day, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWindows(t *testing.T) {
	emp := Employee{ID: "usr_a", CustomerID: "cus_1", HireDate: "2026-03-10", EmploymentStatus: EmploymentActive}
	years := []Period{year2026, year2027}
	oe := Window{ID: "win_oe", CustomerID: "cus_1", Kind: OpenEnrollment, StartsOn: "2026-11-01", EndsOn: "2026-11-30", PlanYear: year2027}
	special := Window{ID: "win_sp", CustomerID: "cus_1", Kind: Special, UserID: "usr_a", StartsOn: "2026-03-20", EndsOn: "2026-05-01", PlanYear: year2026}
	othersSpecial := Window{ID: "win_b", CustomerID: "cus_1", Kind: Special, UserID: "usr_b", StartsOn: "2026-06-01", EndsOn: "2026-06-30", PlanYear: year2026}
	otherEmployer := Window{ID: "win_x", CustomerID: "cus_2", Kind: OpenEnrollment, StartsOn: "2026-01-01", EndsOn: "2026-12-31", PlanYear: year2026}
	stored := []Window{oe, special, othersSpecial, otherEmployer}
	for _, tc := range []struct {
		name       string
		today      oriel.Date
		emp        Employee
		open, next string // kinds or ids; "" for none
	}{
		{"before hire: the new-hire window is next", "2026-03-01", emp, "", "new_hire"},
		{"on the hire date", "2026-03-10", emp, "new_hire", "win_sp"},
		{"the new-hire window ranks before an overlapping special one", "2026-03-25", emp, "new_hire", "win_oe"},
		{"last day of the new-hire window (30 days, inclusive)", "2026-04-08", emp, "new_hire", "win_oe"},
		{"then the special window", "2026-04-09", emp, "win_sp", "win_oe"},
		{"another employee's special window is not ours", "2026-06-15", emp, "", "win_oe"},
		{"open enrollment", "2026-11-30", emp, "win_oe", ""},
		{"nothing left", "2026-12-01", emp, "", ""},
		{"a terminated employee has none", "2026-11-15", Employee{ID: "usr_a", CustomerID: "cus_1", EmploymentStatus: EmploymentTerminated}, "", ""},
		{"no hire date: no new-hire window", "2026-03-10", Employee{ID: "usr_c", CustomerID: "cus_1"}, "", "win_oe"},
	} {
		open, next := Windows(tc.today, tc.emp, 30, years, stored)
		if name(open) != tc.open || name(next) != tc.next {
			t.Errorf("%s: open %s, next %s; want %q, %q", tc.name, name(open), name(next), tc.open, tc.next)
		}
	}
	nh, _ := NewHireWindow("cus_1", "2026-03-10", 30, years)
	if nh.EndsOn != "2026-04-08" || nh.PlanYear != year2026 {
		t.Fatalf("new-hire window %+v", nh)
	}
	if _, ok := NewHireWindow("cus_1", "2026-03-10", 0, years); ok {
		t.Fatal("a zero-day new-hire window")
	}
	sp, ok := SpecialWindow("cus_1", "usr_a", "2026-12-20", "2027-01-19", []PlanKind{Medical}, "marriage", years)
	if !ok || sp.PlanYear != year2026 || !sp.Allows(Medical) || sp.Allows(Dental) || sp.Kind != Special {
		t.Fatalf("special window %+v", sp)
	}
}

// name is a window's id, or its kind when it has none (a new-hire window).
func name(w *Window) string {
	switch {
	case w == nil:
		return ""
	case w.ID != "":
		return w.ID
	}
	return string(w.Kind)
}

func TestCheckDependent(t *testing.T) {
	partner := &Dependent{ID: "dep_p", Relationship: DomesticPartner}
	for _, tc := range []struct {
		d      Dependent
		others []*Dependent
		code   string
	}{
		{Dependent{Relationship: Child, FirstName: "Kit", LastName: "Lee", DateOfBirth: "2020-01-01"}, nil, ""},
		{Dependent{Relationship: "cousin", FirstName: "Kit", LastName: "Lee", DateOfBirth: "2020-01-01"}, nil, CodeDependentInvalid},
		{Dependent{Relationship: Child, FirstName: " ", LastName: "Lee", DateOfBirth: "2020-01-01"}, nil, CodeDependentInvalid},
		{Dependent{Relationship: Child, FirstName: "Kit", LastName: "Lee\n", DateOfBirth: "2020-01-01"}, nil, CodeDependentInvalid},
		{Dependent{Relationship: Child, FirstName: "Kit", LastName: "Lee", DateOfBirth: "2020-02-30"}, nil, CodeDependentInvalid},
		{Dependent{Relationship: Child, FirstName: "Kit", LastName: "Lee", DateOfBirth: "2026-06-02"}, nil, CodeDependentInvalid},
		{Dependent{Relationship: Spouse, FirstName: "Sam", LastName: "Lee", DateOfBirth: "1990-01-01"}, []*Dependent{partner}, CodeDependentNotEligible},
		{Dependent{ID: "dep_p", Relationship: Spouse, FirstName: "Sam", LastName: "Lee", DateOfBirth: "1990-01-01"}, []*Dependent{partner}, ""},
	} {
		err := CheckDependent(&tc.d, "2026-06-01", tc.others)
		if code := codeOf(err); code != tc.code {
			t.Errorf("%+v: code %q, want %q (%v)", tc.d, code, tc.code, err)
		}
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)
	emp := Employee{ID: "usr_a", CustomerID: "cus_1", EmploymentStatus: EmploymentActive}
	oe := &Window{Kind: OpenEnrollment, StartsOn: "2026-11-01", EndsOn: "2026-11-30", PlanYear: year2027}
	gold := &Plan{ID: "pln_g", CustomerID: "cus_1", Kind: Medical, Name: "Gold", PlanYear: year2027, Currency: "USD", Tiers: []TierCost{
		{Tier: TierEmployee, EmployeeMonthlyCents: 10000, EmployerMonthlyCents: 30000},
		{Tier: TierEmployeeSpouse, EmployeeMonthlyCents: 20000, EmployerMonthlyCents: 40000},
		{Tier: TierFamily, EmployeeMonthlyCents: 30000, EmployerMonthlyCents: 50000},
	}}
	lastYear := *gold
	lastYear.PlanYear = year2026
	deps := []*Dependent{
		{ID: "dep_s", Relationship: Spouse, FirstName: "Sam", LastName: "Lee", DateOfBirth: "1990-01-01"},
		{ID: "dep_c", Relationship: Child, FirstName: "Kit", LastName: "Lee", DateOfBirth: "2015-01-01"},
		{ID: "dep_old", Relationship: Child, FirstName: "Max", LastName: "Lee", DateOfBirth: "2000-06-01"}, // 26 before 2027-01-01
	}
	ctx := func(change func(*ElectionContext)) ElectionContext {
		c := ElectionContext{Today: "2026-11-05", Employee: emp, Open: oe, Plan: gold, Dependents: deps, PayFrequency: Biweekly, Address: "192.0.2.7", Now: now}
		if change != nil {
			change(&c)
		}
		return c
	}
	elect := func(tier Tier, ids ...string) ElectionRequest {
		return ElectionRequest{PlanKind: Medical, PlanID: "pln_g", Tier: tier, DependentIDs: ids, FullName: "Ann Lee"}
	}
	for _, tc := range []struct {
		name string
		req  ElectionRequest
		ctx  ElectionContext
		code string
	}{
		{"employee only", elect(TierEmployee), ctx(nil), ""},
		{"with a spouse", elect(TierEmployeeSpouse, "dep_s"), ctx(nil), ""},
		{"family", elect(TierFamily, "dep_s", "dep_c"), ctx(nil), ""},
		{"no window", elect(TierEmployee), ctx(func(c *ElectionContext) { c.Open = nil }), CodeWindowClosed},
		{"special window of another kind", elect(TierEmployee), ctx(func(c *ElectionContext) {
			c.Open = &Window{Kind: Special, StartsOn: "2026-11-01", EndsOn: "2026-11-30", PlanYear: year2027, PlanKinds: []PlanKind{Dental}}
		}), CodeWindowClosed},
		{"no attestation", ElectionRequest{PlanKind: Medical, PlanID: "pln_g", Tier: TierEmployee}, ctx(nil), CodeAttestationRequired},
		{"unknown kind", ElectionRequest{PlanKind: "pets", FullName: "Ann Lee"}, ctx(nil), CodePlanKindInvalid},
		{"no plan", ElectionRequest{PlanKind: Medical, Tier: TierEmployee, FullName: "Ann Lee"}, ctx(nil), CodePlanNotOffered},
		{"unknown plan", elect(TierEmployee), ctx(func(c *ElectionContext) { c.Plan = nil }), CodePlanNotOffered},
		{"plan of another kind", ElectionRequest{PlanKind: Dental, PlanID: "pln_g", Tier: TierEmployee, FullName: "Ann Lee"}, ctx(nil), CodePlanNotOffered},
		{"plan of another year", elect(TierEmployee), ctx(func(c *ElectionContext) { c.Plan = &lastYear }), CodePlanNotOffered},
		{"plan of another employer", elect(TierEmployee), ctx(func(c *ElectionContext) { c.Employee.CustomerID = "cus_2" }), CodePlanNotOffered},
		{"tier the plan lacks", elect(TierEmployeeChildren, "dep_c"), ctx(nil), CodeTierInvalid},
		{"unknown tier", elect("couple"), ctx(nil), CodeTierInvalid},
		{"spouse on employee tier", elect(TierEmployee, "dep_s"), ctx(nil), CodeTierMismatch},
		{"family without children", elect(TierFamily, "dep_s"), ctx(nil), CodeTierMismatch},
		{"someone else's dependent", elect(TierEmployeeSpouse, "dep_x"), ctx(nil), CodeDependentNotEligible},
		{"a dependent twice", elect(TierFamily, "dep_s", "dep_c", "dep_c"), ctx(nil), CodeDependentNotEligible},
		{"a child aged out", elect(TierFamily, "dep_s", "dep_old"), ctx(nil), CodeDependentNotEligible},
		{"waive", ElectionRequest{PlanKind: Vision, Waive: true, WaiveReason: "covered elsewhere", FullName: "Ann Lee"}, ctx(func(c *ElectionContext) { c.Plan = nil }), ""},
		{"waive with a plan", ElectionRequest{PlanKind: Medical, Waive: true, PlanID: "pln_g", FullName: "Ann Lee"}, ctx(nil), CodeElectionInvalid},
		{"a reason without waiving", ElectionRequest{PlanKind: Medical, PlanID: "pln_g", Tier: TierEmployee, WaiveReason: "x", FullName: "Ann Lee"}, ctx(nil), CodeElectionInvalid},
	} {
		e, err := Decide(tc.req, tc.ctx)
		if code := codeOf(err); code != tc.code {
			t.Errorf("%s: code %q, want %q (%v)", tc.name, code, tc.code, err)
			continue
		}
		if err != nil && e != nil {
			t.Errorf("%s: an election came with the error", tc.name)
		}
	}

	e, err := Decide(elect(TierEmployeeSpouse, "dep_s"), ctx(nil))
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != Submitted || *e.PlanID != "pln_g" || *e.Tier != TierEmployeeSpouse || len(e.Dependents) != 1 || e.Dependents[0].FirstName != "Sam" ||
		e.EmployeeMonthlyCents != 20000 || e.EmployeePerPayPeriodCents != 9231 || e.EmployerPerPayPeriodCents != 18462 || e.Currency != "USD" ||
		e.PlanYear != year2027 || e.WindowKind != OpenEnrollment || e.AttestedName != "Ann Lee" || e.AttestedAddress != "192.0.2.7" || !e.SubmittedAt.Equal(now) {
		t.Fatalf("election %+v", e)
	}
	w, err := Decide(ElectionRequest{PlanKind: Vision, Waive: true, FullName: " Ann Lee "}, ctx(func(c *ElectionContext) { c.Plan = nil }))
	if err != nil || w.Status != Waived || !w.Waived || w.PlanID != nil || w.Tier != nil || w.AttestedName != "Ann Lee" || len(w.Dependents) != 0 {
		t.Fatalf("waiver %+v (%v)", w, err)
	}
}

func TestCoversAndTransitions(t *testing.T) {
	current := []*Election{
		{Status: Submitted, Dependents: []CoveredDependent{{ID: "dep_a"}}},
		{Status: Terminated, Dependents: []CoveredDependent{{ID: "dep_b"}}},
		{Status: Active, SupersededBy: "enr_2", Dependents: []CoveredDependent{{ID: "dep_c"}}},
	}
	if !Covers(current, "dep_a") || Covers(current, "dep_b") || Covers(current, "dep_c") || Covers(current, "dep_z") {
		t.Fatal("Covers")
	}
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{Submitted, Active, true}, {Submitted, Terminated, true}, {Active, Terminated, true},
		{Waived, Active, false}, {Waived, Terminated, false}, {Terminated, Active, false}, {Active, Active, false}, {Submitted, Waived, false},
	} {
		if CanTransition(tc.from, tc.to) != tc.ok {
			t.Errorf("CanTransition(%s, %s) != %v", tc.from, tc.to, tc.ok)
		}
	}
}

// codeOf is err's code, or "" for no error.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return oriel.ErrorCode(err)
}
