package server

import (
	"net/http"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/appointment"
	"github.com/orielhq/oriel/internal/store"
)

// The vendor's appointments API: appointment types with their availability,
// explicit slots, and the bookings employees made. Package appointment
// holds the rules; the store enforces slot capacity.

// codeFilterInvalid answers a bad query filter of a list.
const codeFilterInvalid = "filter_invalid"

// maxSlotsPerPush bounds the explicit slots one request may push.
const maxSlotsPerPush = 500

// appointmentTypeCreate is the body of POST /v1/appointment-types: a type,
// decoded over the defaults, and the customer it is for ("" for all).
type appointmentTypeCreate struct {
	appointment.Spec
	Customer string `json:"customer"`
}

func (b *appointmentTypeCreate) validate() error { return b.Normalize() }

// appointmentTypePatch is the body of PATCH /v1/appointment-types/{id},
// decoded over the stored type: the fields it names replace theirs.
type appointmentTypePatch struct {
	appointment.Spec
	syntaxOnly bool // a first pass, before the type is read: JSON and field types only
}

func (b *appointmentTypePatch) validate() error {
	if b.syntaxOnly {
		return nil
	}
	return b.Normalize()
}

func (s *Server) createAppointmentType(w http.ResponseWriter, r *http.Request) error {
	in := appointmentTypeCreate{Spec: appointment.DefaultSpec()}
	if err := decode(r, &in); err != nil {
		return err
	}
	t := &appointment.Type{VendorID: vendorOf(r), Spec: in.Spec}
	if in.Customer != "" {
		c, err := s.store.Customer(r.Context(), t.VendorID, in.Customer)
		if err != nil {
			return err
		}
		t.CustomerID = c.ID
	}
	err := s.store.CreateAppointmentType(r.Context(), t)
	return respond(w, http.StatusCreated, t, err)
}

func (s *Server) listAppointmentTypes(r *http.Request, p oriel.Page) ([]*appointment.Type, bool, error) {
	var f store.TypeFilter
	if ref := r.URL.Query().Get("customer"); ref != "" {
		c, err := s.store.Customer(r.Context(), vendorOf(r), ref)
		if err != nil {
			return nil, false, err
		}
		f.CustomerID = c.ID
	}
	return s.store.ListAppointmentTypes(r.Context(), vendorOf(r), f, p)
}

func (s *Server) getAppointmentType(w http.ResponseWriter, r *http.Request) error {
	t, err := s.store.AppointmentType(r.Context(), vendorOf(r), r.PathValue("id"))
	return respond(w, http.StatusOK, t, err)
}

func (s *Server) updateAppointmentType(w http.ResponseWriter, r *http.Request) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	data, err := readBody(r)
	if err != nil {
		return err
	}
	if err := decodeJSON(data, &appointmentTypePatch{syntaxOnly: true}); err != nil {
		return err
	}
	t, err := s.store.UpdateAppointmentType(r.Context(), vendorOf(r), r.PathValue("id"), func(t *appointment.Type) error {
		in := appointmentTypePatch{Spec: t.Spec}
		if err := decodeJSON(data, &in); err != nil {
			return err
		}
		t.Spec = in.Spec
		return nil
	})
	return respond(w, http.StatusOK, t, err)
}

// slotPush is the body of POST /v1/appointment-types/{id}/slots.
type slotPush struct {
	Slots []struct {
		Start    string `json:"start"` // RFC 3339
		Capacity int    `json:"capacity"`
		start    time.Time
	} `json:"slots"`
}

func (b *slotPush) validate() error {
	if len(b.Slots) == 0 || len(b.Slots) > maxSlotsPerPush {
		return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeSlotsInvalid, "slots must list 1 to %d slots", maxSlotsPerPush)
	}
	for i := range b.Slots {
		sl := &b.Slots[i]
		if sl.Capacity == 0 {
			sl.Capacity = appointment.DefaultCapacity
		}
		var err error
		if sl.start, err = time.Parse(time.RFC3339, sl.Start); err != nil || sl.Capacity < 1 || sl.Capacity > appointment.MaxCapacity {
			return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeSlotsInvalid, "slots[%d] needs a start (RFC 3339) and a capacity from 1 to %d", i, appointment.MaxCapacity)
		}
	}
	return nil
}

// pushAppointmentSlots adds explicit slots to a type whose availability
// source is explicit; a slot pushed again with the same start is updated.
func (s *Server) pushAppointmentSlots(w http.ResponseWriter, r *http.Request) error {
	var in slotPush
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.store.AppointmentType(r.Context(), vendorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if t.Availability.Source != appointment.SourceExplicit {
		return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeSlotsInvalid, "this type's availability.source is weekly; set it to explicit to push slots")
	}
	slots := make([]appointment.Slot, len(in.Slots))
	for i, sl := range in.Slots {
		start := sl.start.UTC().Truncate(time.Second)
		slots[i] = appointment.Slot{Start: start, End: start.Add(t.Duration()), Capacity: sl.Capacity}
	}
	slots, err = s.store.PutAppointmentSlots(r.Context(), t.VendorID, t.ID, slots)
	return respond(w, http.StatusOK, listPage[appointment.Slot]{Object: "list", Data: slots}, err)
}

// slotsPage is the answer of a slot listing: the slots and the zone of the
// type's availability, to show them in.
type slotsPage struct {
	Object   string             `json:"object"` // always "list"
	TimeZone string             `json:"time_zone"`
	Data     []appointment.Slot `json:"data"`
}

// listAppointmentSlots lists every slot of a type in a range (from, to;
// by default the bookable horizon), with what remains of each.
func (s *Server) listAppointmentSlots(w http.ResponseWriter, r *http.Request) error {
	t, err := s.store.AppointmentType(r.Context(), vendorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	from, to, err := s.rangeOf(r, t)
	if err != nil {
		return err
	}
	slots, err := appointment.Offered(r.Context(), s.store, t, from, to)
	return respond(w, http.StatusOK, slotsPage{Object: "list", TimeZone: t.Availability.TimeZone, Data: slots}, err)
}

func (s *Server) deleteAppointmentSlot(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteAppointmentSlot(r.Context(), vendorOf(r), r.PathValue("id"), r.PathValue("slot")))
}

// rangeOf reads the from and to query parameters (RFC 3339); by default
// they span now to the end of t's horizon.
func (s *Server) rangeOf(r *http.Request, t *appointment.Type) (from, to time.Time, err error) {
	q := r.URL.Query()
	from, to = s.now(), s.now().Add(time.Duration(t.Availability.HorizonDays)*24*time.Hour)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := q.Get(name); v != "" {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return from, to, oriel.Errorf(oriel.EINVALID, appointment.CodeRangeInvalid, "%s must be an RFC 3339 time such as 2026-03-09T00:00:00Z", name)
			}
		}
	}
	if !from.Before(to) || to.Sub(from) > appointment.MaxRange {
		return from, to, oriel.Errorf(oriel.EINVALID, appointment.CodeRangeInvalid, "to must follow from, at most %d days later", appointment.MaxHorizonDays+1)
	}
	return from, to, nil
}

// appointmentFilter reads the filters of GET /v1/appointments.
func (s *Server) appointmentFilter(r *http.Request) (store.AppointmentFilter, error) {
	q := r.URL.Query()
	f := store.AppointmentFilter{TypeID: q.Get("type"), Status: appointment.Status(q.Get("status"))}
	if f.Status != "" && f.Status != appointment.StatusBooked && f.Status != appointment.StatusCancelled {
		return f, oriel.Errorf(oriel.EINVALID, codeFilterInvalid, "status must be booked or cancelled")
	}
	if ref := q.Get("customer"); ref != "" {
		c, err := s.store.Customer(r.Context(), vendorOf(r), ref)
		if err != nil {
			return f, err
		}
		f.CustomerID = c.ID
		if ref := q.Get("user"); ref != "" {
			u, err := s.store.User(r.Context(), vendorOf(r), c.ID, ref)
			if err != nil {
				return f, err
			}
			f.UserID = u.ID
		}
	} else if id := q.Get("user"); id != "" {
		u, err := s.store.UserByID(r.Context(), vendorOf(r), id)
		if err != nil {
			return f, err
		}
		f.UserID = u.ID
	}
	for name, dst := range map[string]*time.Time{"from": &f.StartFrom, "to": &f.StartBefore} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, oriel.Errorf(oriel.EINVALID, codeFilterInvalid, "%s must be an RFC 3339 time such as 2026-03-09T00:00:00Z", name)
			}
			*dst = t
		}
	}
	return f, nil
}

func (s *Server) listAppointments(r *http.Request, p oriel.Page) ([]*appointment.Booking, bool, error) {
	f, err := s.appointmentFilter(r)
	if err != nil {
		return nil, false, err
	}
	return s.store.ListAppointments(r.Context(), vendorOf(r), f, p)
}

func (s *Server) getAppointment(w http.ResponseWriter, r *http.Request) error {
	b, err := s.store.Appointment(r.Context(), vendorOf(r), r.PathValue("id"))
	return respond(w, http.StatusOK, b, err)
}

// cancelAppointment cancels a booking for the vendor, whatever the cut-off;
// the webhook names the vendor as who cancelled.
func (s *Server) cancelAppointment(w http.ResponseWriter, r *http.Request) error {
	b, err := s.store.Appointment(r.Context(), vendorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err = s.store.CancelAppointment(r.Context(), b, appointment.CancelledByVendor)
	return respond(w, http.StatusOK, b, err)
}
