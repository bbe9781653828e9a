package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// benefitsWorld is a tokenWorld whose acme is an employer with medical
// (gold, silver), dental and vision plans for 2026 and open enrollment
// open on the clock's day (2026-01-02), and employees: acme's ann and ben,
// globex's gus, and one of another vendor's employers.
type benefitsWorld struct {
	*tokenWorld
	gold, silver, dental, vision, globexPlan map[string]any
	annID, benID, gusID, otherEmployeeID     string
}

func newBenefitsWorld(t *testing.T, s *store.SQL) *benefitsWorld {
	t.Helper()
	w := &benefitsWorld{tokenWorld: newTokenWorld(t, s)}
	w.gold = w.plan("Eacme", "medical", "Gold PPO", 12000)
	w.silver = w.plan("Eacme", "medical", "Silver HMO", 6000)
	w.dental = w.plan("Eacme", "dental", "Dental Plus", 1500)
	w.vision = w.plan("Eacme", "vision", "Vision Basic", 500)
	w.globexPlan = w.plan("Eglobex", "medical", "Globex Medical", 9000)
	w.do("POST", "/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "open_enrollment", "starts_on": "2025-12-15", "ends_on": "2026-01-15",
		"plan_year": map[string]string{"start": "2026-01-01", "end": "2026-12-31"}}).want(http.StatusCreated)
	w.annID = w.employee("Eacme", "ann", "Ann Lee")
	w.benID = w.employee("Eacme", "ben", "Ben Ode")
	w.gusID = w.employee("Eglobex", "gus", "Gus Ray")
	other := &oriel.User{VendorID: w.otherVendorID, CustomerID: w.otherVendor.CustomerID, ExternalID: "ann", Role: oriel.RoleMember}
	must(t, s.CreateUser(context.Background(), other))
	w.otherEmployeeID = other.ID
	return w
}

// plan creates a plan with four tiers; the employee pays monthly a month,
// the employer three times as much, and more for bigger tiers.
func (w *benefitsWorld) plan(customer, kind, name string, monthly int64) map[string]any {
	w.t.Helper()
	var tiers []map[string]any
	for i, tier := range benefits.Tiers {
		tiers = append(tiers, map[string]any{"tier": tier, "employee_monthly_cents": monthly * int64(i+1), "employer_monthly_cents": 3 * monthly})
	}
	return w.do("POST", "/v1/customers/"+customer+"/benefit-plans", map[string]any{
		"kind": kind, "name": name, "carrier": "Acme Health", "plan_year": map[string]string{"start": "2026-01-01", "end": "2026-12-31"},
		"network_type": "PPO", "deductible_cents": 150000, "out_of_pocket_max_cents": 500000,
		"copays": map[string]int64{"primary_care_cents": 2500, "specialist_cents": 5000}, "summary_url": "https://docs.example/sbc.pdf", "tiers": tiers,
	}).want(http.StatusCreated).object()
}

// employee creates an active employee hired in 2024.
func (w *benefitsWorld) employee(customer, external, name string) string {
	w.t.Helper()
	u := w.do("POST", "/v1/customers/"+customer+"/users", map[string]any{"external_id": external, "name": name, "hire_date": "2024-03-01", "work_state": "CA"}).
		want(http.StatusCreated).object()
	if u["employment_status"] != "active" || u["hire_date"] != "2024-03-01" || u["date_of_birth"] != nil {
		w.t.Fatalf("employee %v", u)
	}
	return field(u, "id")
}

// employeeToken issues a token bound to an employee by the seed's words.
func (w *benefitsWorld) employeeToken(id string) string {
	w.t.Helper()
	return w.token(map[string]any{"type": "employee", "id": id})
}

// api calls the benefits widget API with token.
func (w *benefitsWorld) api(token, method, path string, body any, headers ...string) *result {
	w.t.Helper()
	return w.doAs(token, method, "/widget-api/benefits"+path, body, append([]string{parentOriginHeader, appOrigin}, headers...)...)
}

func attest(body map[string]any) map[string]any {
	body["attestation"] = map[string]string{"full_name": "Ann Lee"}
	return body
}

// An employee enrolls end to end: overview, plans, a dependent, an
// election, a waiver, a change (a new version), the vendor's view, its
// activation and the webhook events.
func TestBenefitsEnrollment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newBenefitsWorld(t, s)
		must(t, s.CreateWebhookEndpoint(context.Background(), &oriel.WebhookEndpoint{VendorID: w.vendor.ID, URL: "https://hooks.example/x", Secret: "whsec_x"}))
		ann := w.employeeToken("Eann")

		var overview map[string]any
		w.api(ann, "GET", "/overview", nil).want(http.StatusOK).into(&overview)
		matchSchema(t, "BenefitsOverview", overview)
		window, _ := overview["window"].(map[string]any)
		matchSchemaSubset(t, "EnrollmentWindow", window)
		if window["kind"] != "open_enrollment" || window["ends_on"] != "2026-01-15" || overview["next_window"] != nil || overview["pay_periods_per_year"] != 26.0 ||
			overview["pay_frequency"] != "biweekly" || overview["currency"] != "USD" || field(overview["employee"].(map[string]any), "name") != "Ann Lee" {
			t.Fatalf("overview %v", overview)
		}
		var kinds []string
		for _, c := range overview["coverage"].([]any) {
			kinds = append(kinds, field(c.(map[string]any), "plan_kind"))
			if c.(map[string]any)["election"] != nil {
				t.Fatalf("coverage before enrolling: %v", c)
			}
		}
		if !slices.Equal(kinds, []string{"medical", "dental", "vision"}) {
			t.Fatalf("coverage kinds %v", kinds)
		}

		var plans listPage[map[string]any]
		w.api(ann, "GET", "/plans?kind=medical", nil).want(http.StatusOK).into(&plans)
		if len(plans.Data) != 2 || field(plans.Data[0], "id") != field(w.gold, "id") {
			t.Fatalf("medical plans %v", plans.Data)
		}
		matchSchema(t, "BenefitPlan", plans.Data[0])
		tier := plans.Data[0]["tiers"].([]any)[1].(map[string]any)
		// 24000 a month is 288000 a year, over 26 paychecks 11076.92…
		if tier["tier"] != "employee_spouse" || tier["employee_monthly_cents"] != 24000.0 || tier["employee_per_pay_period_cents"] != 11077.0 {
			t.Fatalf("tier %v", tier)
		}
		w.api(ann, "GET", "/plans?kind=dragons", nil).problem(http.StatusBadRequest, benefits.CodePlanKindInvalid)

		spouse := w.api(ann, "POST", "/dependents", map[string]any{"relationship": "spouse", "first_name": "Sam", "last_name": "Lee", "date_of_birth": "1991-04-05"}).
			want(http.StatusCreated).object()
		matchSchema(t, "Dependent", spouse)
		w.api(ann, "POST", "/dependents", map[string]any{"relationship": "domestic_partner", "first_name": "Pat", "last_name": "Lee", "date_of_birth": "1991-04-05"}).
			problem(http.StatusUnprocessableEntity, benefits.CodeDependentNotEligible)
		w.api(ann, "POST", "/dependents", map[string]any{"relationship": "child", "first_name": "Kit", "last_name": "Lee", "date_of_birth": "2031-01-01"}).
			problem(http.StatusUnprocessableEntity, benefits.CodeDependentInvalid)
		spouseID := field(spouse, "id")

		elect := func(body map[string]any, headers ...string) *result {
			return w.api(ann, "POST", "/elections", body, headers...)
		}
		medical := func(tier string, deps ...string) map[string]any {
			return map[string]any{"plan_kind": "medical", "plan_id": field(w.gold, "id"), "tier": tier, "dependent_ids": deps}
		}
		elect(medical("employee_spouse", spouseID)).problem(http.StatusUnprocessableEntity, benefits.CodeAttestationRequired)
		elect(attest(medical("employee", spouseID))).problem(http.StatusUnprocessableEntity, benefits.CodeTierMismatch)
		elect(attest(medical("family", spouseID))).problem(http.StatusUnprocessableEntity, benefits.CodeTierMismatch)
		elect(attest(map[string]any{"plan_kind": "dental", "plan_id": field(w.gold, "id"), "tier": "employee"})).problem(http.StatusUnprocessableEntity, benefits.CodePlanNotOffered)
		elect(attest(map[string]any{"plan_kind": "medical", "plan_id": field(w.globexPlan, "id"), "tier": "employee"})).problem(http.StatusUnprocessableEntity, benefits.CodePlanNotOffered)
		var none listPage[map[string]any]
		if w.api(ann, "GET", "/elections", nil).want(http.StatusOK).into(&none); len(none.Data) != 0 {
			t.Fatalf("refused requests left elections: %v", none.Data)
		}

		v1 := elect(attest(medical("employee_spouse", spouseID)), "Idempotency-Key", "k1").want(http.StatusCreated)
		replay := elect(attest(medical("employee_spouse", spouseID)), "Idempotency-Key", "k1").want(http.StatusCreated)
		if string(replay.body) != string(v1.body) || replay.header.Get("Idempotent-Replayed") != "true" {
			t.Fatal("the retried election was not replayed")
		}
		first := v1.object()
		matchSchemaSubset(t, "Election", first)
		if first["version"] != 1.0 || first["status"] != "submitted" || first["tier"] != "employee_spouse" || first["employee_per_pay_period_cents"] != 11077.0 ||
			first["attested_name"] != "Ann Lee" || first["attested_address"] != "192.0.2.1" || first["plan_name"] != "Gold PPO" ||
			len(first["dependents"].([]any)) != 1 || first["waived"] != false {
			t.Fatalf("election %v", first)
		}
		w.api(ann, "DELETE", "/dependents/"+spouseID, nil).problem(http.StatusConflict, benefits.CodeDependentCovered)
		w.api(ann, "PATCH", "/dependents/"+spouseID, map[string]any{"relationship": "child"}).problem(http.StatusConflict, benefits.CodeDependentCovered)
		w.api(ann, "PATCH", "/dependents/"+spouseID, map[string]any{"first_name": "Samuel"}).want(http.StatusOK)

		waiver := elect(map[string]any{"plan_kind": "vision", "waive": true, "waive_reason": "covered elsewhere", "attestation": map[string]string{"full_name": "Ann Lee"}}).
			want(http.StatusCreated).object()
		if waiver["status"] != "waived" || waiver["waived"] != true || waiver["plan_id"] != nil || waiver["waive_reason"] != "covered elsewhere" {
			t.Fatalf("waiver %v", waiver)
		}
		second := elect(attest(map[string]any{"plan_kind": "medical", "plan_id": field(w.silver, "id"), "tier": "employee"})).want(http.StatusCreated).object()
		if second["version"] != 2.0 || second["plan_name"] != "Silver HMO" {
			t.Fatalf("second version %v", second)
		}

		var current listPage[map[string]any]
		w.api(ann, "GET", "/elections", nil).want(http.StatusOK).into(&current)
		if len(current.Data) != 2 {
			t.Fatalf("current elections %v", current.Data)
		}
		w.api(ann, "GET", "/overview", nil).want(http.StatusOK).into(&overview)
		if c := overview["coverage"].([]any)[0].(map[string]any); c["election"].(map[string]any)["id"] != second["id"] {
			t.Fatalf("overview coverage %v", c)
		}

		// The vendor's view: current versions, the history, the filters.
		var page listPage[map[string]any]
		w.do("GET", "/v1/benefit-elections?customer=Eacme&user=Eann&history=true&plan_kind=medical", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 2 || page.Data[0]["superseded_by"] != second["id"] {
			t.Fatalf("history %v", page.Data)
		}
		w.do("GET", "/v1/benefit-elections?status=waived", nil).want(http.StatusOK).into(&page)
		if len(page.Data) != 1 || page.Data[0]["id"] != waiver["id"] {
			t.Fatalf("waived %v", page.Data)
		}
		w.do("GET", "/v1/benefit-elections?user=Eann", nil).problem(http.StatusBadRequest, codeElectionFilter)
		w.do("POST", "/v1/benefit-elections/"+field(first, "id")+"/activate", map[string]any{"effective_date": "2026-02-01"}).problem(http.StatusConflict, "election_superseded")
		active := w.do("POST", "/v1/benefit-elections/"+field(second, "id")+"/activate", map[string]any{"effective_date": "2026-02-01"}).want(http.StatusOK).object()
		if active["status"] != "active" || active["effective_date"] != "2026-02-01" {
			t.Fatalf("activated %v", active)
		}
		w.do("POST", "/v1/benefit-elections/"+field(second, "id")+"/terminate", map[string]any{"end_date": "nope"}).problem(http.StatusUnprocessableEntity, codeDateInvalid)
		w.do("POST", "/v1/benefit-elections/"+field(second, "id")+"/terminate", map[string]any{"end_date": "2026-06-30"}).want(http.StatusOK)
		var deps listPage[map[string]any]
		w.do("GET", "/v1/customers/Eacme/users/Eann/dependents", nil).want(http.StatusOK).into(&deps)
		if len(deps.Data) != 1 || deps.Data[0]["first_name"] != "Samuel" {
			t.Fatalf("the vendor's dependents %v", deps.Data)
		}

		// Now uncovered, the spouse may go, inside the window.
		w.api(ann, "DELETE", "/dependents/"+spouseID, nil).want(http.StatusNoContent)

		var events listPage[map[string]any]
		w.do("GET", "/v1/webhook-events?limit=100", nil).want(http.StatusOK).into(&events)
		var types []string
		for _, e := range events.Data {
			if strings.HasPrefix(field(e, "type"), "connection.") {
				continue
			}
			types = append(types, field(e, "type"))
			matchSchema(t, "WebhookEvent", e)
			if strings.Contains(string(mustJSON(t, e)), "Sam") {
				t.Fatalf("an event holds a dependent's name: %v", e)
			}
		}
		want := []string{"dependent.added", "enrollment.submitted", "enrollment.waived", "enrollment.submitted", "enrollment.activated", "enrollment.terminated", "dependent.removed"}
		if !slices.Equal(types, want) {
			t.Fatalf("events %v, want %v", types, want)
		}
		if logs := w.logs.String(); strings.Contains(logs, "Sam") || strings.Contains(logs, "1991-04-05") {
			t.Fatal("a dependent's personal data is in the logs")
		}
	})
}

// Outside every window an employee sees everything and changes nothing,
// and is told when the next window opens; a new hire has a window of their own.
func TestBenefitsWindows(t *testing.T) {
	w := newBenefitsWorld(t, storetest.SQLite(t))
	ann := w.employeeToken("Eann")
	dep := w.api(ann, "POST", "/dependents", map[string]any{"relationship": "child", "first_name": "Kit", "last_name": "Lee", "date_of_birth": "2020-01-01"}).
		want(http.StatusCreated).object()
	w.do("POST", "/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "open_enrollment", "starts_on": "2026-11-01", "ends_on": "2026-11-30",
		"plan_year": map[string]string{"start": "2026-01-01", "end": "2026-12-31"}}).want(http.StatusCreated)
	w.clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ann = w.employeeToken("Eann")

	overview := w.api(ann, "GET", "/overview", nil).want(http.StatusOK).object()
	next, _ := overview["next_window"].(map[string]any)
	if overview["window"] != nil || next["starts_on"] != "2026-11-01" {
		t.Fatalf("overview outside a window %v", overview)
	}
	detail := w.api(ann, "POST", "/elections", attest(map[string]any{"plan_kind": "medical", "plan_id": field(w.gold, "id"), "tier": "employee"})).
		problem(http.StatusConflict, benefits.CodeWindowClosed)
	if !strings.Contains(detail, "2026-11-01") {
		t.Fatalf("window_closed does not say when the next window opens: %q", detail)
	}
	w.api(ann, "DELETE", "/dependents/"+field(dep, "id"), nil).problem(http.StatusConflict, benefits.CodeWindowClosed)
	w.api(ann, "PATCH", "/dependents/"+field(dep, "id"), map[string]any{"first_name": "Kitty"}).want(http.StatusOK)
	w.api(ann, "GET", "/plans", nil).want(http.StatusOK)

	// A new hire enrolls within new_hire_window_days of the hire date.
	w.do("POST", "/v1/customers/Eacme/users", map[string]any{"external_id": "nia", "name": "Nia New", "hire_date": "2026-02-20"}).want(http.StatusCreated)
	nia := w.employeeToken("Enia")
	overview = w.api(nia, "GET", "/overview", nil).want(http.StatusOK).object()
	if win, _ := overview["window"].(map[string]any); win["kind"] != "new_hire" || win["ends_on"] != "2026-03-21" || win["plan_kinds"] == nil {
		t.Fatalf("new hire's window %v", overview["window"])
	} else {
		matchSchemaSubset(t, "EnrollmentWindow", win)
	}
	w.api(nia, "POST", "/elections", map[string]any{"plan_kind": "dental", "waive": true, "attestation": map[string]string{"full_name": "Nia New"}}).want(http.StatusCreated)

	// A special window allows the kinds it names only.
	w.do("POST", "/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "special", "user": "Eann", "starts_on": "2026-03-01", "ends_on": "2026-03-30",
		"plan_kinds": []string{"dental"}, "reason": "birth of a child"}).want(http.StatusCreated)
	w.api(ann, "POST", "/elections", attest(map[string]any{"plan_kind": "medical", "plan_id": field(w.gold, "id"), "tier": "employee"})).
		problem(http.StatusConflict, benefits.CodeWindowClosed)
	w.api(ann, "POST", "/elections", attest(map[string]any{"plan_kind": "dental", "plan_id": field(w.dental, "id"), "tier": "employee_children", "dependent_ids": []string{field(dep, "id")}})).
		want(http.StatusCreated)

	// A terminated employee has no window.
	w.do("PATCH", "/v1/customers/Eacme/users/Eann", map[string]any{"employment_status": "terminated"}).want(http.StatusOK)
	w.api(ann, "POST", "/elections", attest(map[string]any{"plan_kind": "dental", "waive": true})).problem(http.StatusConflict, benefits.CodeWindowClosed)
}

// Row-level security of the benefits widget API: an employee's credential
// reads and writes that employee's dependents and elections only; another
// employee of the same employer, of another employer and of another vendor
// answer as missing, on every route; a customer-bound credential is refused.
func TestBenefitsWidgetMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newBenefitsWorld(t, s)
		ctx := context.Background()
		// Each other employee has a dependent and an election.
		theirs := map[string]string{}
		for name, u := range map[string]struct{ vendorID, userID string }{
			"another employee of the same employer": {w.vendor.ID, w.benID},
			"an employee of another employer":       {w.vendor.ID, w.gusID},
			"an employee of another vendor":         {w.otherVendorID, w.otherEmployeeID},
		} {
			d := &benefits.Dependent{VendorID: u.vendorID, UserID: u.userID, Relationship: benefits.Spouse, FirstName: "X", LastName: "Y", DateOfBirth: "1990-01-01"}
			must(t, s.CreateDependent(ctx, d))
			usr, err := s.UserByID(ctx, u.vendorID, u.userID)
			must(t, err)
			must(t, s.SubmitElection(ctx, &benefits.Election{VendorID: u.vendorID, CustomerID: usr.CustomerID, UserID: u.userID, PlanKind: benefits.Dental,
				Status: benefits.Waived, Waived: true, PlanYear: benefits.Period{Start: "2026-01-01", End: "2026-12-31"}, WindowKind: benefits.OpenEnrollment, AttestedName: "X"}))
			theirs[name] = d.ID
		}
		credentials := map[string]string{
			"token":       w.employeeToken(w.annID),
			"direct link": w.session("Eacme:" + w.annID),
		}
		for cred, tok := range credentials {
			call := func(method, path string, body any) *result {
				if cred == "token" {
					return w.api(tok, method, path, body)
				}
				return w.doAs(tok, method, "/widget-api/benefits"+path, body)
			}
			for other, depID := range theirs {
				for _, c := range []struct {
					method string
					body   any
				}{{"PATCH", map[string]any{"first_name": "Z"}}, {"DELETE", nil}} {
					r := call(c.method, "/dependents/"+depID, c.body)
					if detail := r.problem(http.StatusNotFound, "dependent_not_found"); detail != "no such dependent" {
						t.Fatalf("%s %s (%s): detail %q", cred, r.req, other, detail)
					}
				}
				call("POST", "/elections", attest(map[string]any{"plan_kind": "medical", "plan_id": field(w.gold, "id"), "tier": "employee_spouse",
					"dependent_ids": []string{depID}})).problem(http.StatusUnprocessableEntity, benefits.CodeDependentNotEligible)
			}
			for _, path := range []string{"/dependents", "/elections"} {
				var page listPage[map[string]any]
				call("GET", path, nil).want(http.StatusOK).into(&page)
				if len(page.Data) != 0 {
					t.Fatalf("%s GET %s shows another employee's data: %v", cred, path, page.Data)
				}
			}
			var plans listPage[map[string]any]
			call("GET", "/plans", nil).want(http.StatusOK).into(&plans)
			for _, p := range plans.Data {
				if p["customer_id"] != w.acmeID {
					t.Fatalf("%s: another employer's plan is offered: %v", cred, p)
				}
			}
			if len(plans.Data) != 4 {
				t.Fatalf("%s: %d plans, want acme's 4", cred, len(plans.Data))
			}
			overview := call("GET", "/overview", nil).want(http.StatusOK).object()
			for _, c := range overview["coverage"].([]any) {
				if c.(map[string]any)["election"] != nil {
					t.Fatalf("%s: the overview shows another employee's election: %v", cred, c)
				}
			}
		}
		for _, d := range theirs {
			if _, err := s.Dependent(ctx, w.vendor.ID, w.benID, d); err != nil && oriel.ErrorKind(err) != oriel.ENOTFOUND {
				t.Fatal(err)
			}
		}

		// A customer-bound credential is refused on every route, before anything.
		customerToken := w.token(map[string]any{"type": "employer", "id": "Eacme"})
		for _, rt := range (&Server{}).routes() {
			if rt.access != widgetEmployee {
				continue
			}
			path := strings.Replace(rt.path, "{id}", theirs["another employee of the same employer"], 1)
			w.doAs(customerToken, rt.method, path, map[string]any{}, parentOriginHeader, appOrigin).problem(http.StatusForbidden, codeUserBindingRequired)
			w.doAs(w.session("Eacme"), rt.method, rt.path, nil).problem(http.StatusForbidden, codeUserBindingRequired)
		}
	})
}

// The token endpoint takes the seed's words, and an employee by external id
// alone when that id is the vendor's only one.
func TestAccessTokenEmployeeWords(t *testing.T) {
	w := newBenefitsWorld(t, storetest.SQLite(t))
	var got accessTokenResponse
	w.do("POST", issuePath, grant(map[string]any{"type": "employee", "id": "Eben"})).want(http.StatusOK).into(&got)
	if got.BoundEntity.Type != "user" || got.BoundEntity.ID != w.benID {
		t.Fatalf("bound to %+v", got.BoundEntity)
	}
	w.do("POST", issuePath, grant(map[string]any{"type": "employer", "id": "Eacme"})).want(http.StatusOK).into(&got)
	if got.BoundEntity.Type != "customer" {
		t.Fatalf("bound to %+v", got.BoundEntity)
	}
	// globex's gus is unique; an "ann" exists at acme only (the other
	// vendor's does not count); two customers' "bob"s make it ambiguous.
	w.do("POST", issuePath, grant(map[string]any{"type": "employee", "id": "Eann"})).want(http.StatusOK)
	w.do("POST", "/v1/customers/Eglobex/users", map[string]any{"external_id": "bob"}).want(http.StatusCreated)
	detail := w.do("POST", issuePath, grant(map[string]any{"type": "employee", "id": "Ebob"})).oauth(http.StatusBadRequest, "invalid_request")
	if !strings.Contains(detail, "customer") {
		t.Fatalf("ambiguous external id: %q", detail)
	}
	w.do("POST", issuePath, grant(map[string]any{"type": "employee", "id": "Ebob", "customer": "Eglobex"})).want(http.StatusOK)
	w.do("POST", issuePath, grant(map[string]any{"type": "employee", "id": "Enobody"})).oauth(http.StatusBadRequest, "invalid_target")
	w.do("POST", issuePath, grant(map[string]any{"type": "staff", "id": "Eann"})).oauth(http.StatusBadRequest, "invalid_request")
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return b
}

// The benefits bodies are checked field by field, and malformed ones are
// refused as every body is; a refused request writes nothing.
func TestBenefitsBadInput(t *testing.T) {
	w := newBenefitsWorld(t, storetest.SQLite(t))
	ann := w.employeeToken("Eann")
	for _, c := range []struct{ method, path, field string }{{"POST", "/dependents", "first_name"}, {"PATCH", "/dependents/dep_x", "first_name"}, {"POST", "/elections", "plan_kind"}} {
		w.api(ann, c.method, c.path, `{`).problem(http.StatusBadRequest, "invalid_json")
		w.api(ann, c.method, c.path, `{"surprise":1}`).problem(http.StatusBadRequest, "unknown_field")
		w.api(ann, c.method, c.path, `{"`+c.field+`":1}`).problem(http.StatusBadRequest, "invalid_type")
	}
	plan := func(change map[string]any) map[string]any {
		body := map[string]any{"kind": "medical", "name": "P", "plan_year": map[string]string{"start": "2026-01-01", "end": "2026-12-31"},
			"tiers": []map[string]any{{"tier": "employee", "employee_monthly_cents": 1, "employer_monthly_cents": 2}}}
		for k, v := range change {
			body[k] = v
		}
		return body
	}
	for _, tc := range []struct {
		path string
		body map[string]any
		code string
	}{
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"kind": "pets"}), benefits.CodePlanKindInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"plan_year": map[string]string{"start": "2026-12-31", "end": "2026-01-01"}}), codePlanYearInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"tiers": []map[string]any{}}), codeTiersInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"tiers": []map[string]any{{"tier": "employee", "employee_monthly_cents": -1}}}), codeTiersInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"currency": "usd"}), codeCurrencyInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"summary_url": "javascript:alert(1)"}), codeSummaryURLInvalid},
		{"/v1/customers/Eacme/benefit-plans", plan(map[string]any{"deductible_cents": -5}), codePlanInvalid},
		{"/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "open_enrollment", "starts_on": "2026-02-30", "ends_on": "2026-03-01"}, codeWindowInvalid},
		{"/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "open_enrollment", "starts_on": "2026-02-01", "ends_on": "2026-03-01"}, codePlanYearInvalid},
		{"/v1/customers/Eacme/enrollment-windows", map[string]any{"kind": "special", "starts_on": "2026-02-01", "ends_on": "2026-03-01"}, codeWindowInvalid},
		{"/v1/customers/Eacme/users", map[string]any{"hire_date": "03/01/2024"}, codeDateInvalid},
		{"/v1/customers/Eacme/users", map[string]any{"employment_status": "fired"}, codeEmploymentStatusInvalid},
		{"/v1/customers/Eacme/users", map[string]any{"work_state": "California"}, codeWorkStateInvalid},
		{"/v1/customers", map[string]any{"external_id": "x", "pay_frequency": "daily"}, codePayFrequencyInvalid},
		{"/v1/customers", map[string]any{"external_id": "x", "new_hire_window_days": 0, "pay_frequency": "weekly"}, ""},
		{"/v1/customers", map[string]any{"external_id": "y", "new_hire_window_days": 400}, codeNewHireWindowInvalid},
	} {
		if tc.code == "" {
			w.do("POST", tc.path, tc.body).want(http.StatusCreated)
			continue
		}
		w.do("POST", tc.path, tc.body).problem(http.StatusUnprocessableEntity, tc.code)
	}
	w.do("PATCH", "/v1/customers/Eacme/benefit-plans/"+field(w.gold, "id"), map[string]any{"tiers": []map[string]any{}}).problem(http.StatusUnprocessableEntity, codeTiersInvalid)
	if got := w.do("GET", "/v1/customers/Eacme/benefit-plans/"+field(w.gold, "id"), nil).want(http.StatusOK).object(); len(got["tiers"].([]any)) != 4 {
		t.Fatal("a refused change was written")
	}
	w.do("GET", "/v1/customers/Eacme/benefit-plans?kind=pets", nil).problem(http.StatusBadRequest, benefits.CodePlanKindInvalid)
	w.do("GET", "/v1/benefit-elections?history=maybe", nil).problem(http.StatusBadRequest, codeElectionFilter)
	w.do("DELETE", "/v1/customers/Eacme/benefit-plans/"+field(w.silver, "id"), nil).want(http.StatusNoContent)
}
