package demo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// demoPlan is a plan the demo employer offers: its summary, and what each
// coverage tier costs a month, employee and employer, in cents.
type demoPlan struct {
	kind                           benefits.PlanKind
	name, carrier, network         string
	deductible, outOfPocketMax     int64
	primaryCare, specialist        int64
	employeeMonthly, employerMonth [4]int64 // in the order of benefits.Tiers
}

// demoPlans are two medical plans to compare, a dental and a vision plan.
var demoPlans = []demoPlan{
	{benefits.Medical, "Gold PPO", "Bluebird Health", "PPO", 100000, 400000, 2000, 4000,
		[4]int64{12000, 26000, 23000, 38000}, [4]int64{48000, 78000, 70000, 102000}},
	{benefits.Medical, "Silver HMO", "Bluebird Health", "HMO", 300000, 700000, 3500, 6000,
		[4]int64{6000, 15000, 13000, 22000}, [4]int64{42000, 65000, 58000, 88000}},
	{benefits.Dental, "Bright Smile Dental", "Molar Mutual", "PPO", 5000, 150000, 0, 2500,
		[4]int64{1500, 3200, 3500, 5200}, [4]int64{1500, 2800, 3000, 4400}},
	{benefits.Vision, "ClearView Vision", "Iris Insurance", "Network", 0, 0, 1000, 1000,
		[4]int64{500, 1000, 1100, 1600}, [4]int64{500, 800, 900, 1200}},
}

// seedBenefits makes the customer an employer: biweekly pay, the demo
// plans for the plan year that starts next January, an open-enrollment
// window for it that is open today (from a week ago to 30 days from now),
// and employees — the users named, hired on hireDate. Like seed, it
// converges: a second run creates only what is missing.
func seedBenefits(ctx context.Context, api *vendorAPI, customer string, employees []string, hireDate oriel.Date, today time.Time) error {
	ref := "/v1/customers/E" + url.PathEscape(customer)
	if err := api.call(ctx, http.MethodPatch, ref, map[string]any{"pay_frequency": "biweekly"}, nil); err != nil {
		return err
	}
	for _, e := range employees {
		body := map[string]any{"hire_date": hireDate, "employment_status": "active", "work_state": "CA"}
		if err := api.call(ctx, http.MethodPatch, ref+"/users/E"+url.PathEscape(e), body, nil); err != nil {
			return err
		}
	}
	next := today.Year() + 1
	year := benefits.Period{Start: oriel.Date(fmt.Sprintf("%d-01-01", next)), End: oriel.Date(fmt.Sprintf("%d-12-31", next))}
	var plans listPage[benefits.Plan]
	if err := api.call(ctx, http.MethodGet, ref+"/benefit-plans?limit=100", nil, &plans); err != nil {
		return err
	}
	for _, p := range demoPlans {
		if slices.ContainsFunc(plans.Data, func(have benefits.Plan) bool { return have.Name == p.name && have.PlanYear == year }) {
			continue
		}
		if err := api.call(ctx, http.MethodPost, ref+"/benefit-plans", p.body(year), nil); err != nil {
			return err
		}
	}
	var windows listPage[benefits.Window]
	if err := api.call(ctx, http.MethodGet, ref+"/enrollment-windows?limit=100", nil, &windows); err != nil {
		return err
	}
	day := oriel.DateOf(today)
	if slices.ContainsFunc(windows.Data, func(w benefits.Window) bool { return w.Kind == benefits.OpenEnrollment && w.OpenOn(day) }) {
		return nil
	}
	return api.call(ctx, http.MethodPost, ref+"/enrollment-windows", map[string]any{
		"kind": benefits.OpenEnrollment, "starts_on": day.AddDays(-7), "ends_on": day.AddDays(30), "plan_year": year,
	}, nil)
}

// body is the vendor API body that creates p for year.
func (p demoPlan) body(year benefits.Period) map[string]any {
	tiers := make([]map[string]any, len(benefits.Tiers))
	for i, t := range benefits.Tiers {
		tiers[i] = map[string]any{"tier": t, "employee_monthly_cents": p.employeeMonthly[i], "employer_monthly_cents": p.employerMonth[i]}
	}
	return map[string]any{
		"kind": p.kind, "name": p.name, "carrier": p.carrier, "plan_year": year, "network_type": p.network,
		"deductible_cents": p.deductible, "out_of_pocket_max_cents": p.outOfPocketMax,
		"copays":   map[string]int64{"primary_care_cents": p.primaryCare, "specialist_cents": p.specialist, "urgent_care_cents": 7500, "emergency_cents": 25000},
		"currency": "USD", "tiers": tiers,
	}
}
