package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/appointment"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// apptEnv is a linkEnv (vendor with customer acme and its employee ada)
// plus bob, a second employee of acme, customer globex with its employee
// gus, and ada's session. The clock stands at Friday 2 January 2026, 03:04 UTC.
type apptEnv struct {
	*linkEnv
	ada string // ada's session token
}

func newApptEnv(t *testing.T) *apptEnv {
	t.Helper()
	s := storetest.SQLite(t)
	e := &apptEnv{linkEnv: newLinkEnv(t, s, sealingKeys(t, s))}
	e.do("POST", "/v1/customers/Eacme/users", map[string]any{"external_id": "bob", "name": "Bob"}).want(http.StatusCreated)
	e.do("POST", "/v1/customers", map[string]any{"external_id": "globex", "name": "Globex"}).want(http.StatusCreated)
	e.do("POST", "/v1/customers/Eglobex/users", map[string]any{"external_id": "gus", "name": "Gus"}).want(http.StatusCreated)
	e.ada = e.session("Eacme:Eada")
	return e
}

// advisorCall is a vendor-wide type: 30 minutes, weekdays 9:00–17:00 in New
// York, one required question.
func advisorCall(extra map[string]any) map[string]any {
	var days []map[string]string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		days = append(days, map[string]string{"day": d, "start": "09:00", "end": "17:00"})
	}
	body := map[string]any{
		"name": "Benefits advisor call", "duration_minutes": 30, "mode": "phone",
		"questions":    []map[string]any{{"id": "topic", "label": "What would you like to discuss?", "kind": "text", "required": true}},
		"availability": map[string]any{"time_zone": "America/New_York", "weekly": days},
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

func (e *apptEnv) createType(body map[string]any) map[string]any {
	e.t.Helper()
	r := e.do("POST", "/v1/appointment-types", body).want(http.StatusCreated)
	matchSchemaSubset(e.t, "AppointmentType", r.object())
	return r.object()
}

func (e *apptEnv) book(session, typeID, start string) *result {
	e.t.Helper()
	return e.widget(session, "POST", "/widget-api/appointments", map[string]any{"type_id": typeID, "start": start, "answers": map[string]string{"topic": "dental"}})
}

func (e *apptEnv) widget(session, method, path string, body any) *result {
	e.t.Helper()
	return e.doAs(session, method, path, body)
}

func TestAppointmentTypeValidation(t *testing.T) {
	e := newApptEnv(t)
	typ := e.createType(advisorCall(nil))
	if typ["cutoff_minutes"] != 1440.0 || typ["who_may_book"] != "employee" || typ["active"] != true {
		t.Fatalf("defaults not applied: %v", typ)
	}
	a := typ["availability"].(map[string]any)
	if a["capacity"] != 1.0 || a["horizon_days"] != 60.0 || a["min_notice_minutes"] != 120.0 || a["source"] != "weekly" {
		t.Fatalf("availability defaults not applied: %v", a)
	}
	for _, c := range []struct {
		extra map[string]any
		code  string
	}{
		{map[string]any{"availability": map[string]any{"time_zone": "Mars/Olympus"}}, appointment.CodeTimeZoneInvalid},
		{map[string]any{"availability": map[string]any{"time_zone": "Local"}}, appointment.CodeTimeZoneInvalid},
		{map[string]any{"mode": "in_person"}, appointment.CodeTypeInvalid},
		{map[string]any{"duration_minutes": 0}, appointment.CodeTypeInvalid},
		{map[string]any{"availability": map[string]any{"time_zone": "UTC", "weekly": []map[string]string{{"day": "monday", "start": "17:00", "end": "09:00"}}}}, appointment.CodeTypeInvalid},
		{map[string]any{"availability": map[string]any{"time_zone": "UTC", "exceptions": []map[string]any{{"date": "2026-13-01", "closed": true}}}}, appointment.CodeTypeInvalid},
		{map[string]any{"questions": []map[string]any{{"id": "x", "label": "X", "kind": "essay"}}}, appointment.CodeTypeInvalid},
	} {
		e.do("POST", "/v1/appointment-types", advisorCall(c.extra)).problem(http.StatusUnprocessableEntity, c.code)
	}
	e.do("POST", "/v1/appointment-types", advisorCall(map[string]any{"customer": "Enope"})).problem(http.StatusNotFound, "customer_not_found")

	// PATCH changes the fields it names and keeps the rest; it cannot move the type.
	e.do("PATCH", "/v1/appointment-types/"+field(typ, "id"), map[string]any{"name": "Advisor", "customer_id": "cus_x"}).problem(http.StatusBadRequest, "unknown_field")
	e.do("POST", "/v1/appointment-types", advisorCall(map[string]any{"id": "apt_x"})).problem(http.StatusBadRequest, "unknown_field")
	patched := e.do("PATCH", "/v1/appointment-types/"+field(typ, "id"), map[string]any{"name": "Advisor"}).want(http.StatusOK).object()
	if patched["name"] != "Advisor" || patched["id"] != typ["id"] || patched["customer_id"] != nil || patched["duration_minutes"] != 30.0 {
		t.Fatalf("patched %v", patched)
	}
	e.do("PATCH", "/v1/appointment-types/"+field(typ, "id"), map[string]any{"mode": "in_person"}).problem(http.StatusUnprocessableEntity, appointment.CodeTypeInvalid)
	e.do("GET", "/v1/appointment-types/apt_nope", nil).problem(http.StatusNotFound, appointment.CodeTypeNotFound)
}

func TestAppointmentsEndToEnd(t *testing.T) {
	e := newApptEnv(t)
	e.do("POST", "/v1/webhook-endpoints", map[string]any{"url": "https://hooks.acme.test/oriel", "events": []string{"appointment.booked", "appointment.rescheduled", "appointment.cancelled"}}).want(http.StatusCreated)
	typ := e.createType(advisorCall(nil))
	typeID := field(typ, "id")

	var types listPage[map[string]any]
	e.widget(e.ada, "GET", "/widget-api/appointments/types", nil).want(http.StatusOK).into(&types)
	if len(types.Data) != 1 || types.Data[0]["id"] != typeID {
		t.Fatalf("types %+v", types)
	}

	// Monday 5 January: 9:00 EST is 14:00 UTC.
	var slots slotsPage
	e.widget(e.ada, "GET", "/widget-api/appointments/types/"+typeID+"/slots?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", nil).want(http.StatusOK).into(&slots)
	if slots.TimeZone != "America/New_York" || len(slots.Data) != 16 || !slots.Data[0].Start.Equal(time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)) || slots.Data[0].Remaining != 1 {
		t.Fatalf("slots %+v", slots)
	}
	first, second := "2026-01-05T14:00:00Z", "2026-01-05T14:30:00Z"

	e.widget(e.ada, "POST", "/widget-api/appointments", map[string]any{"type_id": typeID, "start": first}).problem(http.StatusUnprocessableEntity, appointment.CodeIntakeInvalid)
	e.book(e.ada, typeID, "2026-01-05T14:10:00Z").problem(http.StatusUnprocessableEntity, appointment.CodeSlotNotOffered)
	e.book(e.ada, typeID, "2026-06-05T14:00:00Z").problem(http.StatusUnprocessableEntity, appointment.CodeSlotNotOffered) // beyond 60 days
	booked := e.book(e.ada, typeID, first).want(http.StatusCreated).object()
	matchSchemaSubset(t, "WidgetAppointment", booked)
	id := field(booked, "id")
	if booked["status"] != "booked" || booked["sequence"] != 0.0 || booked["can_change"] != true || booked["type"].(map[string]any)["time_zone"] != "America/New_York" {
		t.Fatalf("booked %v", booked)
	}
	e.book(e.ada, typeID, first).problem(http.StatusConflict, "already_booked") // a double submit
	bob := e.session("Eacme:Ebob")
	e.book(bob, typeID, first).problem(http.StatusConflict, appointment.CodeSlotUnavailable)
	e.widget(e.ada, "GET", "/widget-api/appointments/types/"+typeID+"/slots?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", nil).into(&slots)
	if len(slots.Data) != 15 || !slots.Data[0].Start.Equal(time.Date(2026, 1, 5, 14, 30, 0, 0, time.UTC)) {
		t.Fatalf("the booked slot is still free: %+v", slots.Data[:1])
	}

	ics := string(e.widget(e.ada, "GET", "/widget-api/appointments/"+id+"/ics", nil).want(http.StatusOK).body)
	uid := "UID:" + id + "@oriel.test\r\n"
	for _, want := range []string{uid, "DTSTART:20260105T140000Z\r\n", "DTEND:20260105T143000Z\r\n", "SEQUENCE:0\r\n", "METHOD:PUBLISH\r\n", "LOCATION:Phone call\r\n"} {
		if !strings.Contains(ics, want) {
			t.Fatalf("ICS lacks %q:\n%s", want, ics)
		}
	}

	moved := e.widget(e.ada, "POST", "/widget-api/appointments/"+id+"/reschedule", map[string]any{"start": second}).want(http.StatusOK).object()
	if moved["start"] != second || moved["sequence"] != 1.0 {
		t.Fatalf("rescheduled %v", moved)
	}
	ics = string(e.widget(e.ada, "GET", "/widget-api/appointments/"+id+"/ics", nil).want(http.StatusOK).body)
	if !strings.Contains(ics, uid) || !strings.Contains(ics, "SEQUENCE:1\r\n") || !strings.Contains(ics, "DTSTART:20260105T143000Z\r\n") {
		t.Fatalf("ICS after reschedule:\n%s", ics)
	}
	e.book(bob, typeID, first).want(http.StatusCreated) // the old slot is free again

	var mine listPage[map[string]any]
	e.widget(e.ada, "GET", "/widget-api/appointments?when=upcoming", nil).want(http.StatusOK).into(&mine)
	if len(mine.Data) != 1 || mine.Data[0]["id"] != id {
		t.Fatalf("ada's upcoming appointments %+v", mine)
	}
	e.widget(e.ada, "GET", "/widget-api/appointments?when=past", nil).want(http.StatusOK).into(&mine)
	if len(mine.Data) != 0 {
		t.Fatalf("ada's past appointments %+v", mine)
	}

	cancelled := e.widget(e.ada, "POST", "/widget-api/appointments/"+id+"/cancel", nil).want(http.StatusOK).object()
	if cancelled["status"] != "cancelled" || cancelled["cancelled_by"] != "employee" || cancelled["sequence"] != 2.0 {
		t.Fatalf("cancelled %v", cancelled)
	}
	ics = string(e.widget(e.ada, "GET", "/widget-api/appointments/"+id+"/ics", nil).want(http.StatusOK).body)
	if !strings.Contains(ics, uid) || !strings.Contains(ics, "METHOD:CANCEL\r\n") || !strings.Contains(ics, "STATUS:CANCELLED\r\n") || !strings.Contains(ics, "SEQUENCE:2\r\n") {
		t.Fatalf("ICS after cancel:\n%s", ics)
	}
	e.widget(e.ada, "POST", "/widget-api/appointments/"+id+"/cancel", nil).problem(http.StatusConflict, appointment.CodeAlreadyCancelled)
	e.widget(e.ada, "POST", "/widget-api/appointments/"+id+"/reschedule", map[string]any{"start": first}).problem(http.StatusConflict, appointment.CodeAlreadyCancelled)

	// Inside the 24-hour cut-off the employee cannot cancel; the vendor can.
	soon := e.book(e.ada, typeID, "2026-01-02T14:00:00Z").want(http.StatusCreated).object()
	if soon["can_change"] != false {
		t.Fatalf("a booking inside the cut-off says it can change: %v", soon)
	}
	e.widget(e.ada, "POST", "/widget-api/appointments/"+field(soon, "id")+"/cancel", nil).problem(http.StatusConflict, appointment.CodeCutoffPassed)
	byVendor := e.do("POST", "/v1/appointments/"+field(soon, "id")+"/cancel", nil).want(http.StatusOK).object()
	matchSchemaSubset(t, "Appointment", byVendor)
	if byVendor["cancelled_by"] != "vendor" {
		t.Fatalf("vendor cancel %v", byVendor)
	}

	var all listPage[map[string]any]
	e.do("GET", "/v1/appointments?customer=Eacme&user=Eada&status=cancelled&limit=1", nil).want(http.StatusOK).into(&all)
	if len(all.Data) != 1 || !all.HasMore {
		t.Fatalf("first page of ada's cancelled appointments %+v", all)
	}
	e.do("GET", "/v1/appointments?customer=Eacme&user=Eada&status=cancelled&limit=1&starting_after="+field(all.Data[0], "id"), nil).want(http.StatusOK).into(&all)
	if len(all.Data) != 1 || all.HasMore || all.Data[0]["id"] != soon["id"] {
		t.Fatalf("second page %+v", all)
	}
	e.do("GET", "/v1/appointments?status=maybe", nil).problem(http.StatusBadRequest, codeFilterInvalid)
	e.do("GET", "/v1/appointments/"+id, nil).want(http.StatusOK)

	// The webhook outbox holds each change, with who cancelled.
	var events listPage[map[string]any]
	e.do("GET", "/v1/webhook-events", nil).want(http.StatusOK).into(&events)
	var got []string
	for _, ev := range events.Data {
		if !strings.HasPrefix(field(ev, "type"), "appointment.") {
			continue
		}
		data := ev["data"].(map[string]any)
		got = append(got, strings.TrimSpace(field(ev, "type")+" "+field(data, "cancelled_by")))
		if data["appointment_id"] == nil || data["start"] == nil || data["user_id"] == nil {
			t.Fatalf("event data %v", data)
		}
	}
	want := "appointment.booked|appointment.rescheduled|appointment.booked|appointment.cancelled employee|appointment.booked|appointment.cancelled vendor"
	if strings.Join(got, "|") != want {
		t.Fatalf("events %q, want %s", got, want)
	}
}

func TestExplicitSlots(t *testing.T) {
	e := newApptEnv(t)
	typ := e.createType(advisorCall(map[string]any{"availability": map[string]any{"time_zone": "Europe/Berlin", "source": "explicit"}}))
	typeID := field(typ, "id")
	e.do("POST", "/v1/appointment-types/"+typeID+"/slots", map[string]any{"slots": []map[string]any{}}).problem(http.StatusUnprocessableEntity, appointment.CodeSlotsInvalid)
	e.do("POST", "/v1/appointment-types/"+typeID+"/slots", map[string]any{"slots": []map[string]any{{"start": "9am"}}}).problem(http.StatusUnprocessableEntity, appointment.CodeSlotsInvalid)
	e.book(e.ada, typeID, "tomorrow at 9").problem(http.StatusUnprocessableEntity, appointment.CodeSlotNotOffered)
	var pushed listPage[appointment.Slot]
	e.do("POST", "/v1/appointment-types/"+typeID+"/slots", map[string]any{"slots": []map[string]any{
		{"start": "2026-01-07T08:00:00Z", "capacity": 2}, {"start": "2026-01-07T09:00:00Z"}}}).want(http.StatusOK).into(&pushed)
	if len(pushed.Data) != 2 || pushed.Data[0].ID == "" || !pushed.Data[0].End.Equal(time.Date(2026, 1, 7, 8, 30, 0, 0, time.UTC)) {
		t.Fatalf("pushed %+v", pushed)
	}
	e.book(e.ada, typeID, "2026-01-07T08:00:00Z").want(http.StatusCreated)
	e.book(e.session("Eacme:Ebob"), typeID, "2026-01-07T08:00:00Z").want(http.StatusCreated)
	e.book(e.session("Eglobex:Egus"), typeID, "2026-01-07T08:00:00Z").problem(http.StatusConflict, appointment.CodeSlotUnavailable)
	e.book(e.ada, typeID, "2026-01-07T10:00:00Z").problem(http.StatusUnprocessableEntity, appointment.CodeSlotNotOffered)

	var slots slotsPage
	e.do("GET", "/v1/appointment-types/"+typeID+"/slots?from=2026-01-07T00:00:00Z&to=2026-01-08T00:00:00Z", nil).want(http.StatusOK).into(&slots)
	if len(slots.Data) != 2 || slots.Data[0].Remaining != 0 || slots.Data[1].Remaining != 1 || slots.TimeZone != "Europe/Berlin" {
		t.Fatalf("vendor's view of the slots %+v", slots)
	}
	e.do("DELETE", "/v1/appointment-types/"+typeID+"/slots/"+pushed.Data[1].ID, nil).want(http.StatusNoContent)
	e.do("DELETE", "/v1/appointment-types/"+typeID+"/slots/"+pushed.Data[1].ID, nil).problem(http.StatusNotFound, appointment.CodeSlotNotFound)
	e.widget(e.ada, "GET", "/widget-api/appointments/types/"+typeID+"/slots?from=2026-01-07T00:00:00Z&to=2026-01-08T00:00:00Z", nil).into(&slots)
	if len(slots.Data) != 0 {
		t.Fatalf("free slots %+v", slots)
	}
	weekly := e.createType(advisorCall(nil))
	e.do("POST", "/v1/appointment-types/"+field(weekly, "id")+"/slots", map[string]any{"slots": []map[string]any{{"start": "2026-01-07T08:00:00Z"}}}).
		problem(http.StatusUnprocessableEntity, appointment.CodeSlotsInvalid)
}

// TestAppointmentsRowLevelSecurity is the matrix of the appointments widget
// routes: as ada, every route that names another employee's appointment
// (bob, same employer), another employer's (gus), or another vendor's
// answers 404 exactly as a missing one; a type offered only to another
// employer or of another vendor answers 404 too; and a customer-bound
// session is refused everywhere with user_binding_required.
func TestAppointmentsRowLevelSecurity(t *testing.T) {
	e := newApptEnv(t)
	typeID := field(e.createType(advisorCall(nil)), "id")
	globexOnly := field(e.createType(advisorCall(map[string]any{"customer": "Eglobex"})), "id")
	bobs := field(e.book(e.session("Eacme:Ebob"), typeID, "2026-01-06T14:00:00Z").want(http.StatusCreated).object(), "id")
	gus := e.session("Eglobex:Egus")
	guss := field(e.book(gus, globexOnly, "2026-01-06T14:00:00Z").want(http.StatusCreated).object(), "id")

	ctx := context.Background()
	other, _ := e.newVendor("Other")
	oc := &oriel.Customer{VendorID: other.ID, ExternalID: "acme", Name: "Other Acme"}
	must(t, e.store.CreateCustomer(ctx, oc))
	ou := &oriel.User{VendorID: other.ID, CustomerID: oc.ID, ExternalID: "ada", Name: "Other Ada", Role: oriel.RoleMember}
	must(t, e.store.CreateUser(ctx, ou))
	ot := appointment.DefaultType()
	ot.VendorID, ot.Name, ot.DurationMinutes, ot.Mode, ot.Availability.TimeZone = other.ID, "Other", 30, appointment.ModeVideo, "UTC"
	must(t, ot.Normalize())
	must(t, e.store.CreateAppointmentType(ctx, &ot))
	ob := &appointment.Booking{VendorID: other.ID, CustomerID: oc.ID, UserID: ou.ID, TypeID: ot.ID, Start: time.Date(2026, 1, 6, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 6, 14, 30, 0, 0, time.UTC)}
	must(t, e.store.BookAppointment(ctx, ob, 1))

	appointmentRoutes := func(id string) [][3]string {
		return [][3]string{
			{"GET", "/widget-api/appointments/" + id},
			{"GET", "/widget-api/appointments/" + id + "/ics"},
			{"POST", "/widget-api/appointments/" + id + "/reschedule", `{"start":"2026-01-07T14:00:00Z"}`},
			{"POST", "/widget-api/appointments/" + id + "/cancel"},
		}
	}
	for owner, id := range map[string]string{"another employee": bobs, "another employer": guss, "another vendor": ob.ID, "nobody": "apm_nope"} {
		for _, rt := range appointmentRoutes(id) {
			var body any
			if rt[2] != "" {
				body = rt[2]
			}
			r := e.widget(e.ada, rt[0], rt[1], body)
			if r.status != http.StatusNotFound {
				t.Errorf("%s's appointment: %s %s answered %d: %s", owner, rt[0], rt[1], r.status, r.body)
			}
			r.problem(http.StatusNotFound, appointment.CodeNotFound)
		}
	}
	for _, id := range []string{globexOnly, ot.ID} { // another employer's type, another vendor's
		e.widget(e.ada, "GET", "/widget-api/appointments/types/"+id+"/slots", nil).problem(http.StatusNotFound, appointment.CodeTypeNotFound)
		e.book(e.ada, id, "2026-01-07T14:00:00Z").problem(http.StatusNotFound, appointment.CodeTypeNotFound)
	}
	var list listPage[map[string]any]
	e.widget(e.ada, "GET", "/widget-api/appointments", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 0 {
		t.Fatalf("ada sees others' appointments: %v", list.Data)
	}
	e.widget(e.ada, "GET", "/widget-api/appointments/types", nil).want(http.StatusOK).into(&list)
	if len(list.Data) != 1 || list.Data[0]["id"] != typeID {
		t.Fatalf("ada is offered %v", list.Data)
	}
	// The appointments really are there: their owners see them.
	e.widget(gus, "GET", "/widget-api/appointments/"+guss, nil).want(http.StatusOK)

	employer := e.session("Eacme")
	for _, rt := range append(appointmentRoutes(bobs),
		[3]string{"GET", "/widget-api/appointments/types"}, [3]string{"GET", "/widget-api/appointments/types/" + typeID + "/slots"},
		[3]string{"GET", "/widget-api/appointments"}, [3]string{"POST", "/widget-api/appointments", `{"type_id":"` + typeID + `","start":"2026-01-07T14:00:00Z"}`}) {
		var body any
		if rt[2] != "" {
			body = rt[2]
		}
		e.widget(employer, rt[0], rt[1], body).problem(http.StatusForbidden, codeUserBindingRequired)
	}
}

// Bodies of the routes TestMalformedBodies cannot reach (a list body, or a
// session needed) are checked as strictly.
func TestAppointmentBodies(t *testing.T) {
	e := newApptEnv(t)
	typeID := field(e.createType(advisorCall(map[string]any{"availability": map[string]any{"time_zone": "UTC", "source": "explicit"}})), "id")
	apt := field(e.createType(advisorCall(nil)), "id")
	booked := field(e.book(e.ada, apt, "2026-01-06T14:00:00Z").want(http.StatusCreated).object(), "id")
	for _, c := range []struct {
		session, method, path string
	}{
		{e.secret, "POST", "/v1/appointment-types/" + typeID + "/slots"},
		{e.ada, "POST", "/widget-api/appointments"},
		{e.ada, "POST", "/widget-api/appointments/" + booked + "/reschedule"},
	} {
		for body, code := range map[string]string{
			``: "invalid_json", `{`: "invalid_json", `[]`: "invalid_json", `{"start":"2026-01-06T14:00:00Z"} {}`: "invalid_json",
			`{"surprise":1}`: "unknown_field", `{"start":42}`: "invalid_type", `{"slots":{}}`: "invalid_type",
		} {
			if c.path != "/v1/appointment-types/"+typeID+"/slots" && body == `{"slots":{}}` {
				code = "unknown_field"
			}
			if c.path == "/v1/appointment-types/"+typeID+"/slots" && strings.HasPrefix(body, `{"start"`) {
				code = "unknown_field"
			}
			e.doAs(c.session, c.method, c.path, body).problem(http.StatusBadRequest, code)
		}
	}
}

// The free-slots range is checked.
func TestFreeSlotsRange(t *testing.T) {
	e := newApptEnv(t)
	typeID := field(e.createType(advisorCall(nil)), "id")
	for _, q := range []string{"from=yesterday", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z"} {
		e.widget(e.ada, "GET", "/widget-api/appointments/types/"+typeID+"/slots?"+q, nil).problem(http.StatusBadRequest, appointment.CodeRangeInvalid)
	}
	var slots slotsPage
	e.widget(e.ada, "GET", "/widget-api/appointments/types/"+typeID+"/slots", nil).want(http.StatusOK).into(&slots)
	// From Friday 2 January 03:04 UTC plus two hours' notice, 60 days: 42 weekdays of 16 slots.
	if n := len(slots.Data); n != 42*16 {
		t.Fatalf("%d free slots over the horizon, want %d", n, 42*16)
	}
}

// In SDK mode the widget presents a bound access token: a user-bound token
// books as its employee; a customer-bound one is refused.
func TestAppointmentsWithAccessTokens(t *testing.T) {
	e := newApptEnv(t)
	typeID := field(e.createType(advisorCall(nil)), "id")
	token := func(entity map[string]any) string {
		var got accessTokenResponse
		e.do("POST", issuePath, grant(entity)).want(http.StatusOK).into(&got)
		return got.AccessToken
	}
	ada := token(map[string]any{"type": "user", "id": "Eada", "customer": "Eacme"})
	asWidget := func(tok, method, path string, body any) *result {
		return e.doAs(tok, method, path, body, parentOriginHeader, appOrigin)
	}
	booked := asWidget(ada, "POST", "/widget-api/appointments", map[string]any{"type_id": typeID, "start": "2026-01-06T14:00:00Z", "answers": map[string]string{"topic": "vision"}}).
		want(http.StatusCreated).object()
	if booked["user_id"] != e.userID("Eacme", "Eada") {
		t.Fatalf("booked for %v, want ada", booked["user_id"])
	}
	acme := token(map[string]any{"type": "customer", "id": "Eacme"})
	asWidget(acme, "GET", "/widget-api/appointments", nil).problem(http.StatusForbidden, codeUserBindingRequired)

	// A token whose user was deleted is no longer valid.
	e.do("DELETE", "/v1/customers/Eacme/users/Eada", nil).want(http.StatusNoContent)
	asWidget(ada, "GET", "/widget-api/appointments", nil).problem(http.StatusUnauthorized, "token_invalid")
}

func (e *apptEnv) userID(customer, user string) string {
	e.t.Helper()
	u, err := e.store.User(context.Background(), e.vendor.ID, customer, user)
	must(e.t, err)
	return u.ID
}

// An employee books for one of their dependents where the type allows it;
// another employee's dependent is refused.
func TestAppointmentForDependent(t *testing.T) {
	e := newApptEnv(t)
	employeeOnly := field(e.createType(advisorCall(nil)), "id")
	family := field(e.createType(advisorCall(map[string]any{"who_may_book": "employee_or_dependent"})), "id")
	ctx := context.Background()
	dependent := func(customer, user string) string {
		u, err := e.store.User(ctx, e.vendor.ID, customer, user)
		must(t, err)
		d := &benefits.Dependent{VendorID: e.vendor.ID, CustomerID: u.CustomerID, UserID: u.ID, Relationship: "child", FirstName: "Kim", LastName: "L", DateOfBirth: "2015-04-01"}
		must(t, e.store.CreateDependent(ctx, d))
		return d.ID
	}
	adas, bobs := dependent("Eacme", "Eada"), dependent("Eacme", "Ebob")
	bookFor := func(typeID, dep string) *result {
		return e.widget(e.ada, "POST", "/widget-api/appointments", map[string]any{"type_id": typeID, "start": "2026-01-06T14:00:00Z",
			"dependent_id": dep, "answers": map[string]string{"topic": "pediatrics"}})
	}
	bookFor(employeeOnly, adas).problem(http.StatusUnprocessableEntity, appointment.CodeDependentForbidden)
	bookFor(family, bobs).problem(http.StatusUnprocessableEntity, appointment.CodeDependentForbidden)
	booked := bookFor(family, adas).want(http.StatusCreated).object()
	if booked["dependent_id"] != adas {
		t.Fatalf("booked %v", booked)
	}
}
