package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

var planYear = benefits.Period{Start: "2027-01-01", End: "2027-12-31"}

func newPlan(t *testing.T, s store.Store, vendorID, customerRef string, kind benefits.PlanKind, name string) *benefits.Plan {
	t.Helper()
	p := &benefits.Plan{VendorID: vendorID, CustomerID: customerRef, Kind: kind, Name: name, PlanYear: planYear, Currency: "USD",
		Copays: benefits.Copays{PrimaryCareCents: 2500},
		Tiers:  []benefits.TierCost{{Tier: benefits.TierEmployee, EmployeeMonthlyCents: 10000, EmployerMonthlyCents: 40000, EmployeePerPayPeriodCents: 1}}}
	must(t, s.CreatePlan(context.Background(), p))
	return p
}

// Employment data on users and pay settings on customers round-trip.
func TestEmployeesAndEmployers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "V")
		c := newCustomer(t, s, v.ID, "acme")
		if c.PayFrequency != "biweekly" || c.NewHireWindowDays != 30 {
			t.Fatalf("defaults %+v", c)
		}
		freq, days := "monthly", 45
		up, err := s.UpdateCustomer(ctx, v.ID, "Eacme", oriel.CustomerUpdate{PayFrequency: &freq, NewHireWindowDays: &days})
		must(t, err)
		got, _ := s.Customer(ctx, v.ID, c.ID)
		if up.PayFrequency != "monthly" || got.PayFrequency != "monthly" || got.NewHireWindowDays != 45 {
			t.Fatalf("update %+v, stored %+v", up, got)
		}

		u := &oriel.User{VendorID: v.ID, CustomerID: "Eacme", ExternalID: "emp-1", Role: oriel.RoleMember, HireDate: "2026-03-02", WorkState: "CA"}
		must(t, s.CreateUser(ctx, u))
		back, err := s.UserByID(ctx, v.ID, u.ID)
		must(t, err)
		if back.HireDate != "2026-03-02" || back.EmploymentStatus != "active" || back.DateOfBirth != "" || back.WorkState != "CA" {
			t.Fatalf("employee %+v", back)
		}
		status, born, cleared := "terminated", oriel.Date("1990-05-06"), oriel.Date("")
		back, err = s.UpdateUser(ctx, v.ID, "Eacme", "Eemp-1", oriel.UserUpdate{EmploymentStatus: &status, DateOfBirth: &born, HireDate: &cleared})
		must(t, err)
		again, _ := s.UserByID(ctx, v.ID, u.ID)
		if back.EmploymentStatus != "terminated" || again.DateOfBirth != born || again.HireDate != "" {
			t.Fatalf("updated employee %+v", again)
		}

		other := newCustomer(t, s, v.ID, "globex")
		must(t, s.CreateUser(ctx, &oriel.User{VendorID: v.ID, CustomerID: other.ID, ExternalID: "emp-1", Role: oriel.RoleMember}))
		same, err := s.UsersByExternalID(ctx, v.ID, "emp-1", 2)
		must(t, err)
		if len(same) != 2 {
			t.Fatalf("users by external id: %d", len(same))
		}
		w := newVendor(t, s, "W")
		if none, _ := s.UsersByExternalID(ctx, w.ID, "emp-1", 2); len(none) != 0 {
			t.Fatal("another vendor's users are found")
		}
	})
}

// Plans and windows are a customer's, scoped by vendor.
func TestBenefitPlansAndWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "V")
		c := newCustomer(t, s, v.ID, "acme")
		med := newPlan(t, s, v.ID, "Eacme", benefits.Medical, "Gold PPO")
		newPlan(t, s, v.ID, c.ID, benefits.Dental, "Dental")
		if med.CustomerID != c.ID {
			t.Fatalf("customer id %q", med.CustomerID)
		}
		got, err := s.Plan(ctx, v.ID, "Eacme", med.ID)
		must(t, err)
		if got.Name != "Gold PPO" || got.Copays.PrimaryCareCents != 2500 || len(got.Tiers) != 1 || got.Tiers[0].EmployerMonthlyCents != 40000 ||
			got.Tiers[0].EmployeePerPayPeriodCents != 0 || got.PlanYear != planYear {
			t.Fatalf("plan %+v", got)
		}
		page, more, err := s.ListPlans(ctx, v.ID, c.ID, benefits.PlanFilter{Kind: benefits.Medical, Year: "2027-06-01"}, oriel.Page{Limit: 10})
		must(t, err)
		if len(page) != 1 || more || page[0].ID != med.ID {
			t.Fatalf("filtered plans %v", page)
		}
		if page, _, _ := s.ListPlans(ctx, v.ID, c.ID, benefits.PlanFilter{Year: "2028-01-01"}, oriel.Page{Limit: 10}); len(page) != 0 {
			t.Fatalf("plans of another year %v", page)
		}
		first, more, _ := s.ListPlans(ctx, v.ID, c.ID, benefits.PlanFilter{}, oriel.Page{Limit: 1})
		if len(first) != 1 || !more {
			t.Fatal("pagination")
		}
		years, err := s.PlanYears(ctx, v.ID, c.ID)
		must(t, err)
		if len(years) != 1 || years[0] != planYear {
			t.Fatalf("years %v", years)
		}
		name := "Platinum PPO"
		up, err := s.UpdatePlan(ctx, v.ID, c.ID, med.ID, benefits.PlanUpdate{Name: &name}, func(*benefits.Plan) error { return nil })
		must(t, err)
		if up.Name != name {
			t.Fatal("plan not updated")
		}
		refuse := oriel.Errorf(oriel.EUNPROCESSABLE, "x", "no")
		_, err = s.UpdatePlan(ctx, v.ID, c.ID, med.ID, benefits.PlanUpdate{Name: new(string)}, func(*benefits.Plan) error { return refuse })
		wantCode(t, err, oriel.EUNPROCESSABLE, "x")
		if got, _ := s.Plan(ctx, v.ID, c.ID, med.ID); got.Name != name {
			t.Fatal("a refused update was written")
		}

		other := newVendor(t, s, "Other")
		_, err = s.Plan(ctx, other.ID, c.ID, med.ID)
		wantCode(t, err, oriel.ENOTFOUND, "plan_not_found")
		_, _, err = s.ListPlans(ctx, other.ID, c.ID, benefits.PlanFilter{}, oriel.Page{})
		wantCode(t, err, oriel.ENOTFOUND, "customer_not_found")
		wantCode(t, s.DeletePlan(ctx, other.ID, c.ID, med.ID), oriel.ENOTFOUND, "plan_not_found")

		oe := &benefits.Window{VendorID: v.ID, CustomerID: "Eacme", Kind: benefits.OpenEnrollment, StartsOn: "2026-11-01", EndsOn: "2026-11-30", PlanYear: planYear}
		must(t, s.CreateWindow(ctx, oe))
		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		special := &benefits.Window{VendorID: v.ID, CustomerID: c.ID, Kind: benefits.Special, UserID: u.ID, StartsOn: "2027-03-01", EndsOn: "2027-03-30",
			PlanYear: planYear, PlanKinds: []benefits.PlanKind{benefits.Medical}, Reason: "birth of a child"}
		must(t, s.CreateWindow(ctx, special))
		bob := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, bob))
		mine, err := s.EmployeeWindows(ctx, v.ID, c.ID, u.ID)
		must(t, err)
		theirs, _ := s.EmployeeWindows(ctx, v.ID, c.ID, bob.ID)
		if len(mine) != 2 || mine[1].PlanKinds[0] != benefits.Medical || mine[1].Reason != "birth of a child" || len(theirs) != 1 || theirs[0].ID != oe.ID {
			t.Fatalf("windows: mine %+v, theirs %+v", mine, theirs)
		}
		ws, _, err := s.ListWindows(ctx, v.ID, "Eacme", oriel.Page{Limit: 10})
		must(t, err)
		if len(ws) != 2 {
			t.Fatalf("list windows %v", ws)
		}
		wantCode(t, s.DeleteWindow(ctx, other.ID, c.ID, oe.ID), oriel.ENOTFOUND, "customer_not_found")
		must(t, s.DeleteWindow(ctx, v.ID, c.ID, oe.ID))
		_, err = s.Window(ctx, v.ID, c.ID, oe.ID)
		wantCode(t, err, oriel.ENOTFOUND, "window_not_found")
		wantCode(t, s.CreateWindow(ctx, &benefits.Window{VendorID: v.ID, CustomerID: c.ID, Kind: benefits.Special, UserID: "usr_nope",
			StartsOn: "2027-01-01", EndsOn: "2027-01-02", PlanYear: planYear}), oriel.ENOTFOUND, "user_not_found")
	})
}

// Dependents and elections: versions, history, status changes, and their
// events in the same transaction.
func TestDependentsAndElections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		s.UseKeyring(keyring(t, keyEntries(t, "k1")...))
		v := newVendor(t, s, "V")
		c := newCustomer(t, s, v.ID, "acme")
		must(t, s.CreateWebhookEndpoint(ctx, &oriel.WebhookEndpoint{VendorID: v.ID, URL: "https://hooks.example/x", Secret: "whsec_x"}))
		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		med := newPlan(t, s, v.ID, c.ID, benefits.Medical, "Gold")

		spouse := &benefits.Dependent{VendorID: v.ID, UserID: u.ID, Relationship: benefits.Spouse, FirstName: "Sam", LastName: "Lee", DateOfBirth: "1990-01-02"}
		must(t, s.CreateDependent(ctx, spouse))
		if spouse.CustomerID != c.ID || spouse.ID == "" {
			t.Fatalf("dependent %+v", spouse)
		}
		wantCode(t, s.CreateDependent(ctx, &benefits.Dependent{VendorID: v.ID, UserID: "usr_nope"}), oriel.ENOTFOUND, "user_not_found")
		first := "Samantha"
		d, err := s.UpdateDependent(ctx, v.ID, u.ID, spouse.ID, benefits.DependentUpdate{FirstName: &first})
		must(t, err)
		if d.FirstName != first {
			t.Fatal("dependent not updated")
		}
		deps, _, err := s.ListDependents(ctx, v.ID, u.ID, oriel.Page{Limit: 10})
		must(t, err)
		if len(deps) != 1 || deps[0].FirstName != first || deps[0].DateOfBirth != "1990-01-02" {
			t.Fatalf("dependents %+v", deps)
		}
		other := newVendor(t, s, "Other")
		_, err = s.Dependent(ctx, other.ID, u.ID, spouse.ID)
		wantCode(t, err, oriel.ENOTFOUND, "dependent_not_found")

		planID, planName, tier := med.ID, med.Name, benefits.TierEmployeeSpouse
		e1 := &benefits.Election{VendorID: v.ID, CustomerID: c.ID, UserID: u.ID, PlanKind: benefits.Medical, Status: benefits.Submitted,
			PlanID: &planID, PlanName: &planName, Tier: &tier, Dependents: []benefits.CoveredDependent{{ID: spouse.ID, FirstName: first, LastName: "Lee", Relationship: benefits.Spouse}},
			EmployeeMonthlyCents: 100, Currency: "USD", PlanYear: planYear, WindowKind: benefits.OpenEnrollment, AttestedName: "Ann Lee", AttestedAddress: "192.0.2.1"}
		must(t, s.SubmitElection(ctx, e1))
		if e1.Version != 1 || e1.ID == "" {
			t.Fatalf("first version %+v", e1)
		}
		wantCode(t, s.DeleteDependent(ctx, v.ID, u.ID, spouse.ID), oriel.ECONFLICT, "dependent_covered")

		reason := "covered by my spouse's plan"
		e2 := &benefits.Election{VendorID: v.ID, CustomerID: c.ID, UserID: u.ID, PlanKind: benefits.Medical, Status: benefits.Waived, Waived: true, WaiveReason: &reason,
			PlanYear: planYear, WindowKind: benefits.OpenEnrollment, AttestedName: "Ann Lee", AttestedAddress: "192.0.2.1"}
		must(t, s.SubmitElection(ctx, e2))
		if e2.Version != 2 {
			t.Fatalf("second version %d", e2.Version)
		}
		old, err := s.Election(ctx, v.ID, e1.ID)
		must(t, err)
		if old.SupersededBy != e2.ID || *old.Tier != tier || len(old.Dependents) != 1 || old.Dependents[0].FirstName != first {
			t.Fatalf("old version %+v", old)
		}
		current, _, err := s.ListElections(ctx, v.ID, benefits.ElectionFilter{UserID: u.ID}, oriel.Page{Limit: 10})
		must(t, err)
		history, _, _ := s.ListElections(ctx, v.ID, benefits.ElectionFilter{UserID: u.ID, History: true}, oriel.Page{Limit: 10})
		waived, _, _ := s.ListElections(ctx, v.ID, benefits.ElectionFilter{CustomerID: c.ID, PlanKind: benefits.Medical, Status: benefits.Waived}, oriel.Page{Limit: 10})
		if len(current) != 1 || current[0].ID != e2.ID || !current[0].Waived || *current[0].WaiveReason != reason || current[0].PlanID != nil ||
			len(history) != 2 || len(waived) != 1 {
			t.Fatalf("current %v, history %v, waived %v", current, history, waived)
		}
		if other, _, _ := s.ListElections(ctx, other.ID, benefits.ElectionFilter{}, oriel.Page{}); len(other) != 0 {
			t.Fatal("another vendor sees elections")
		}

		// The dependent is no longer covered: it may go.
		must(t, s.DeleteDependent(ctx, v.ID, u.ID, spouse.ID))
		wantCode(t, s.DeleteDependent(ctx, v.ID, u.ID, spouse.ID), oriel.ENOTFOUND, "dependent_not_found")

		_, err = s.SetElectionStatus(ctx, v.ID, e1.ID, benefits.Active, "2027-01-01")
		wantCode(t, err, oriel.ECONFLICT, "election_superseded")
		_, err = s.SetElectionStatus(ctx, v.ID, e2.ID, benefits.Active, "2027-01-01")
		wantCode(t, err, oriel.ECONFLICT, "status_transition_invalid")
		_, err = s.SetElectionStatus(ctx, other.ID, e2.ID, benefits.Active, "2027-01-01")
		wantCode(t, err, oriel.ENOTFOUND, "election_not_found")

		e3 := &benefits.Election{VendorID: v.ID, CustomerID: c.ID, UserID: u.ID, PlanKind: benefits.Medical, Status: benefits.Submitted,
			PlanID: &planID, PlanName: &planName, Tier: new(benefits.TierEmployee), PlanYear: planYear, WindowKind: benefits.OpenEnrollment, AttestedName: "Ann Lee"}
		must(t, s.SubmitElection(ctx, e3))
		act, err := s.SetElectionStatus(ctx, v.ID, e3.ID, benefits.Active, "2027-01-01")
		must(t, err)
		term, err := s.SetElectionStatus(ctx, v.ID, e3.ID, benefits.Terminated, "2027-06-30")
		must(t, err)
		if act.Status != benefits.Active || term.Status != benefits.Terminated || term.EffectiveDate != "2027-01-01" || term.EndDate != "2027-06-30" || len(term.Dependents) != 0 {
			t.Fatalf("activated %+v, terminated %+v", act, term)
		}
		wantCode(t, s.DeletePlan(ctx, v.ID, c.ID, med.ID), oriel.ECONFLICT, "plan_in_use")

		events, _, err := s.ListWebhookEvents(ctx, v.ID, oriel.Page{Limit: 100})
		must(t, err)
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
			if e.Data.CustomerID != c.ID || e.Data.UserID != u.ID {
				t.Fatalf("event %+v", e)
			}
		}
		want := []string{"dependent.added", "enrollment.submitted", "enrollment.waived", "dependent.removed", "enrollment.submitted", "enrollment.activated", "enrollment.terminated"}
		if len(types) != len(want) {
			t.Fatalf("events %v, want %v", types, want)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("events %v, want %v", types, want)
			}
		}
		last := events[len(events)-1].Data
		if last.ElectionID != e3.ID || last.Version != 3 || last.Status != "terminated" || last.EndDate != "2027-06-30" || last.PlanKind != "medical" {
			t.Fatalf("terminated event %+v", last)
		}
		if events[0].Data.DependentID != spouse.ID || events[0].Data.Relationship != "spouse" {
			t.Fatalf("dependent event %+v", events[0].Data)
		}
		for _, e := range events {
			dl, err := s.WebhookDeliveries(ctx, v.ID, e.ID)
			must(t, err)
			if len(dl) != 1 || dl[0].Status != oriel.DeliveryPending {
				t.Fatalf("deliveries of %s: %v", e.Type, dl)
			}
		}
	})
}

// Concurrent submissions for one plan kind queue: each becomes the next
// version, none is lost, and exactly one is current.
func TestConcurrentElections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "V")
		c := newCustomer(t, s, v.ID, "acme")
		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = s.SubmitElection(ctx, &benefits.Election{VendorID: v.ID, CustomerID: c.ID, UserID: u.ID, PlanKind: benefits.Vision,
					Status: benefits.Waived, Waived: true, PlanYear: planYear, WindowKind: benefits.OpenEnrollment, AttestedName: "A"})
			})
		}
		wg.Wait()
		stored := n
		for _, err := range errs {
			must(t, err)
		}
		all, _, err := s.ListElections(ctx, v.ID, benefits.ElectionFilter{UserID: u.ID, History: true}, oriel.Page{Limit: 100})
		must(t, err)
		current, _, err := s.ListElections(ctx, v.ID, benefits.ElectionFilter{UserID: u.ID}, oriel.Page{Limit: 100})
		must(t, err)
		if len(all) != stored || len(current) != 1 || current[0].Version != stored {
			t.Fatalf("%d stored, %d versions, current %v", stored, len(all), current)
		}
	})
}
