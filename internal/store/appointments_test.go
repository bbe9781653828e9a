package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/appointment"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// newAppointmentType stores a weekday type of the vendor, for customerID
// ("" for all customers), with the given capacity.
func newAppointmentType(t testing.TB, s store.Store, vendorID, customerID string, capacity int) *appointment.Type {
	t.Helper()
	typ := appointment.DefaultType()
	typ.VendorID, typ.CustomerID, typ.Name, typ.DurationMinutes, typ.Mode = vendorID, customerID, "Advisor call", 30, appointment.ModeVideo
	typ.Availability.TimeZone, typ.Availability.Capacity = "America/New_York", capacity
	typ.Availability.Weekly = []appointment.Hours{{Day: "monday", Start: "09:00", End: "17:00"}}
	if err := typ.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAppointmentType(context.Background(), &typ); err != nil {
		t.Fatal(err)
	}
	return &typ
}

func newUsers(t testing.TB, s store.Store, vendorID, customerID string, n int) []*oriel.User {
	t.Helper()
	users := make([]*oriel.User, n)
	for i := range users {
		users[i] = &oriel.User{VendorID: vendorID, CustomerID: customerID, Name: fmt.Sprintf("Employee %d", i), Role: oriel.RoleMember}
		if err := s.CreateUser(context.Background(), users[i]); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

var slotStart = time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC) // Monday 9:00 in New York, after the March change

func booking(typ *appointment.Type, u *oriel.User, start time.Time) *appointment.Booking {
	return &appointment.Booking{VendorID: typ.VendorID, CustomerID: u.CustomerID, UserID: u.ID, TypeID: typ.ID, Start: start, End: start.Add(typ.Duration())}
}

func TestAppointmentTypes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v, other := newVendor(t, s, "Acme"), newVendor(t, s, "Other")
		acme, globex := newCustomer(t, s, v.ID, "acme"), newCustomer(t, s, v.ID, "globex")
		everyone := newAppointmentType(t, s, v.ID, "", 1)
		acmeOnly := newAppointmentType(t, s, v.ID, acme.ID, 1)
		globexOnly := newAppointmentType(t, s, v.ID, globex.ID, 1)
		newAppointmentType(t, s, other.ID, "", 1)

		got, err := s.AppointmentType(ctx, v.ID, acmeOnly.ID)
		must(t, err)
		if got.Name != "Advisor call" || got.CustomerID != acme.ID || got.Availability.TimeZone != "America/New_York" || got.CutoffMinutes != 24*60 ||
			got.Availability.HorizonDays != 60 || got.Availability.MinNoticeMinutes != 120 || !got.Active || len(got.Availability.Weekly) != 1 {
			t.Fatalf("stored type %+v", got)
		}
		_, err = s.AppointmentType(ctx, other.ID, acmeOnly.ID)
		wantCode(t, err, oriel.ENOTFOUND, appointment.CodeTypeNotFound)

		ids := func(f store.TypeFilter) []string {
			list, _, err := s.ListAppointmentTypes(ctx, v.ID, f, oriel.Page{Limit: 10})
			must(t, err)
			var out []string
			for _, typ := range list {
				out = append(out, typ.ID)
			}
			return out
		}
		if got := ids(store.TypeFilter{OfferedTo: acme.ID}); fmt.Sprint(got) != fmt.Sprint([]string{everyone.ID, acmeOnly.ID}) {
			t.Fatalf("offered to acme: %v", got)
		}
		if got := ids(store.TypeFilter{CustomerID: globex.ID}); fmt.Sprint(got) != fmt.Sprint([]string{globexOnly.ID}) {
			t.Fatalf("globex's own: %v", got)
		}
		if got := ids(store.TypeFilter{}); len(got) != 3 {
			t.Fatalf("all: %v", got)
		}

		up, err := s.UpdateAppointmentType(ctx, v.ID, everyone.ID, func(typ *appointment.Type) error {
			typ.Active, typ.Name = false, "Retired"
			return nil
		})
		must(t, err)
		if up.Active || up.Name != "Retired" {
			t.Fatalf("update: %+v", up)
		}
		if got := ids(store.TypeFilter{OfferedTo: acme.ID}); fmt.Sprint(got) != fmt.Sprint([]string{acmeOnly.ID}) {
			t.Fatalf("an inactive type is still offered: %v", got)
		}
		_, err = s.UpdateAppointmentType(ctx, other.ID, everyone.ID, func(*appointment.Type) error { return nil })
		wantCode(t, err, oriel.ENOTFOUND, appointment.CodeTypeNotFound)

		slots, err := s.PutAppointmentSlots(ctx, v.ID, acmeOnly.ID, []appointment.Slot{
			{Start: slotStart, End: slotStart.Add(time.Hour), Capacity: 3}, {Start: slotStart.Add(time.Hour), End: slotStart.Add(2 * time.Hour), Capacity: 1}})
		must(t, err)
		again, err := s.PutAppointmentSlots(ctx, v.ID, acmeOnly.ID, []appointment.Slot{{Start: slotStart, End: slotStart.Add(time.Hour), Capacity: 2}})
		must(t, err)
		if again[0].ID != slots[0].ID {
			t.Fatalf("a slot pushed again got a new id")
		}
		listed, err := s.ExplicitSlots(ctx, v.ID, acmeOnly.ID, slotStart, slotStart.Add(24*time.Hour))
		must(t, err)
		if len(listed) != 2 || listed[0].Capacity != 2 || !listed[1].Start.Equal(slotStart.Add(time.Hour)) {
			t.Fatalf("explicit slots %+v", listed)
		}
		wantCode(t, s.DeleteAppointmentSlot(ctx, other.ID, acmeOnly.ID, slots[1].ID), oriel.ENOTFOUND, appointment.CodeSlotNotFound)
		must(t, s.DeleteAppointmentSlot(ctx, v.ID, acmeOnly.ID, slots[1].ID))
		if listed, _ := s.ExplicitSlots(ctx, v.ID, acmeOnly.ID, slotStart, slotStart.Add(24*time.Hour)); len(listed) != 1 {
			t.Fatalf("after delete: %+v", listed)
		}
		_, err = s.PutAppointmentSlots(ctx, other.ID, acmeOnly.ID, slots)
		wantCode(t, err, oriel.ENOTFOUND, appointment.CodeTypeNotFound)
	})
}

func TestBookingLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "Acme")
		acme := newCustomer(t, s, v.ID, "acme")
		typ := newAppointmentType(t, s, v.ID, "", 2)
		users := newUsers(t, s, v.ID, acme.ID, 3)

		first := booking(typ, users[0], slotStart)
		first.Answers = map[string]string{"reason": "checkup"}
		must(t, s.BookAppointment(ctx, first, 2))
		must(t, s.BookAppointment(ctx, booking(typ, users[1], slotStart), 2))
		wantCode(t, s.BookAppointment(ctx, booking(typ, users[2], slotStart), 2), oriel.ECONFLICT, appointment.CodeSlotUnavailable)
		taken, err := s.SeatsTaken(ctx, typ.ID, slotStart, slotStart.Add(time.Hour))
		must(t, err)
		if taken[slotStart.UnixMicro()] != 2 || len(taken) != 1 {
			t.Fatalf("seats taken %v", taken)
		}

		got, err := s.Appointment(ctx, v.ID, first.ID)
		must(t, err)
		if got.Status != appointment.StatusBooked || got.Sequence != 0 || got.Answers["reason"] != "checkup" || !got.Start.Equal(slotStart) {
			t.Fatalf("stored booking %+v", got)
		}

		later := slotStart.Add(7 * 24 * time.Hour)
		moved, err := s.RescheduleAppointment(ctx, got, later, later.Add(30*time.Minute), 2)
		must(t, err)
		if moved.Sequence != 1 || !moved.Start.Equal(later) {
			t.Fatalf("rescheduled %+v", moved)
		}
		// The old seat is free again, so the third employee gets it.
		must(t, s.BookAppointment(ctx, booking(typ, users[2], slotStart), 2))
		// A change based on the version before the reschedule is refused.
		_, err = s.CancelAppointment(ctx, got, appointment.CancelledByEmployee)
		wantCode(t, err, oriel.ECONFLICT, "appointment_changed")

		cancelled, err := s.CancelAppointment(ctx, moved, appointment.CancelledByVendor)
		must(t, err)
		if cancelled.Status != appointment.StatusCancelled || cancelled.Sequence != 2 || cancelled.CancelledBy != "vendor" || cancelled.CancelledAt == nil {
			t.Fatalf("cancelled %+v", cancelled)
		}
		_, err = s.CancelAppointment(ctx, moved, appointment.CancelledByVendor)
		wantCode(t, err, oriel.ECONFLICT, appointment.CodeAlreadyCancelled)
		if taken, _ := s.SeatsTaken(ctx, typ.ID, later, later.Add(time.Hour)); len(taken) != 0 {
			t.Fatalf("a cancelled booking holds a seat: %v", taken)
		}

		list, more, err := s.ListAppointments(ctx, v.ID, store.AppointmentFilter{UserID: users[0].ID}, oriel.Page{Limit: 10})
		must(t, err)
		if len(list) != 1 || more || list[0].Status != appointment.StatusCancelled {
			t.Fatalf("user 0's bookings %+v", list)
		}
		list, _, err = s.ListAppointments(ctx, v.ID, store.AppointmentFilter{Status: appointment.StatusBooked, StartFrom: slotStart, StartBefore: slotStart.Add(time.Minute)}, oriel.Page{Limit: 1})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("booked at the slot %+v", list)
		}
		_, err = s.Appointment(ctx, newVendor(t, s, "Other").ID, first.ID)
		wantCode(t, err, oriel.ENOTFOUND, appointment.CodeNotFound)

		// Every change wrote its event in the outbox, with the appointment as data.
		events, _, err := s.ListWebhookEvents(ctx, v.ID, oriel.Page{Limit: 20})
		must(t, err)
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
		}
		want := "[appointment.booked appointment.booked appointment.rescheduled appointment.booked appointment.cancelled]"
		if fmt.Sprint(types) != want {
			t.Fatalf("events %v, want %s", types, want)
		}
		if data := events[4].Data; data.AppointmentID != first.ID || data.CancelledBy != "vendor" || data.Start == nil || !data.Start.Equal(later) {
			t.Fatalf("cancel event data %+v", data)
		}
		if data := events[2].Data; data.PreviousStart == nil || !data.PreviousStart.Equal(slotStart) {
			t.Fatalf("reschedule event data %+v", data)
		}
	})
}

// bookConcurrently has n employees book one single-capacity slot at once,
// each through stores[i % len(stores)], and returns how many succeeded;
// every other attempt must answer slot_unavailable.
func bookConcurrently(t *testing.T, stores []*store.SQL, typ *appointment.Type, users []*oriel.User) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	start := make(chan struct{})
	for i, u := range users {
		wg.Go(func() {
			<-start
			errs[i] = stores[i%len(stores)].BookAppointment(context.Background(), booking(typ, u, slotStart), 1)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case oriel.ErrorCode(err) != appointment.CodeSlotUnavailable:
			t.Fatalf("a booking failed with %v, want slot_unavailable", err)
		}
	}
	return ok
}

func checkOneBooking(t *testing.T, s store.Store, typ *appointment.Type, ok int) {
	t.Helper()
	list, _, err := s.ListAppointments(context.Background(), typ.VendorID, store.AppointmentFilter{TypeID: typ.ID}, oriel.Page{Limit: 100})
	must(t, err)
	if ok != 1 || len(list) != 1 {
		t.Fatalf("%d bookings succeeded and %d are stored, want exactly 1", ok, len(list))
	}
}

func TestNoDoubleBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		v := newVendor(t, s, "Acme")
		acme := newCustomer(t, s, v.ID, "acme")
		typ := newAppointmentType(t, s, v.ID, "", 1)
		ok := bookConcurrently(t, []*store.SQL{s}, typ, newUsers(t, s, v.ID, acme.ID, 50))
		checkOneBooking(t, s, typ, ok)
	})
}

// Two replicas (two stores, each with its own connection pool) on one
// PostgreSQL database book the same slot at once.
func TestNoDoubleBookingAcrossReplicas(t *testing.T) {
	url := storetest.PostgresURL(t)
	var replicas []*store.SQL
	for range 2 {
		s, err := store.Open(context.Background(), url, nil)
		must(t, err)
		t.Cleanup(func() { s.Close() })
		replicas = append(replicas, s)
	}
	s := replicas[0]
	v := newVendor(t, s, "Acme")
	acme := newCustomer(t, s, v.ID, "acme")
	typ := newAppointmentType(t, s, v.ID, "", 1)
	ok := bookConcurrently(t, replicas, typ, newUsers(t, s, v.ID, acme.ID, 50))
	checkOneBooking(t, replicas[1], typ, ok)
}

// A capacity lowered under the seats already held takes no more bookings.
func TestLoweredCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "Acme")
		acme := newCustomer(t, s, v.ID, "acme")
		typ := newAppointmentType(t, s, v.ID, "", 3)
		users := newUsers(t, s, v.ID, acme.ID, 4)
		var held []*appointment.Booking
		for _, u := range users[:3] {
			b := booking(typ, u, slotStart)
			must(t, s.BookAppointment(ctx, b, 3))
			held = append(held, b)
		}
		_, err := s.CancelAppointment(ctx, held[0], appointment.CancelledByEmployee) // frees seat 0; seats 1 and 2 stay
		must(t, err)
		wantCode(t, s.BookAppointment(ctx, booking(typ, users[3], slotStart), 2), oriel.ECONFLICT, appointment.CodeSlotUnavailable)
		must(t, s.BookAppointment(ctx, booking(typ, users[3], slotStart), 3))
	})
}

// One person books a slot once, even where its capacity allows more.
func TestBookedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "Acme")
		acme := newCustomer(t, s, v.ID, "acme")
		typ := newAppointmentType(t, s, v.ID, "", 3)
		ada := newUsers(t, s, v.ID, acme.ID, 1)[0]
		first := booking(typ, ada, slotStart)
		must(t, s.BookAppointment(ctx, first, 3))
		wantCode(t, s.BookAppointment(ctx, booking(typ, ada, slotStart), 3), oriel.ECONFLICT, "already_booked")
		later := booking(typ, ada, slotStart.Add(time.Hour))
		must(t, s.BookAppointment(ctx, later, 3))
		_, err := s.RescheduleAppointment(ctx, later, slotStart, slotStart.Add(30*time.Minute), 3)
		wantCode(t, err, oriel.ECONFLICT, "already_booked")
		_, err = s.CancelAppointment(ctx, first, appointment.CancelledByEmployee)
		must(t, err)
		must(t, s.BookAppointment(ctx, booking(typ, ada, slotStart), 3)) // a cancelled booking does not count
		if taken, _ := s.SeatsTaken(ctx, typ.ID, slotStart, slotStart.Add(2*time.Hour)); taken[slotStart.UnixMicro()] != 1 || taken[slotStart.Add(time.Hour).UnixMicro()] != 1 {
			t.Fatalf("seats after refused bookings: %v", taken)
		}
	})
}
