package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/appointment"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/store"
)

// The employee dashboard's appointments API: an employee (a user-bound
// session or access token) lists what they may book, its free slots, books
// for themselves (or a dependent, where the type allows it), and sees,
// reschedules and cancels their own appointments only: another employee's
// appointment answers exactly as a missing one.

// employeeSession returns r's session, bound to a user (widgetEmployee
// routes admit no other).
func employeeSession(r *http.Request) (*auth.Session, error) {
	sess := sessionOf(r)
	if sess.User == nil {
		return nil, errUserBindingRequired
	}
	return sess, nil
}

// offeredType returns the type named by id when it is active and offered
// to the session's customer; any other answers appointment_type_not_found.
func (s *Server) offeredType(r *http.Request, sess *auth.Session, id string) (*appointment.Type, error) {
	t, err := s.store.AppointmentType(r.Context(), sess.VendorID, id)
	if err != nil {
		return nil, err
	}
	if !t.Active || (t.CustomerID != "" && t.CustomerID != sess.Customer.ID) {
		return nil, appointment.ErrTypeNotFound
	}
	return t, nil
}

// widgetAppointment is a booking as the employee sees it: with its type
// (the type's zone, to show the time there too) and whether the employee
// may still change it.
type widgetAppointment struct {
	*appointment.Booking
	Type      widgetAppointmentType `json:"type"`
	CanChange bool                  `json:"can_change"`
	// ChangeUntil is the cut-off: the last moment to reschedule or cancel here.
	ChangeUntil time.Time `json:"change_until"`
}

// widgetAppointmentType is what a booking shows of its type.
type widgetAppointmentType struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Mode            appointment.Mode `json:"mode"`
	Address         string           `json:"address,omitempty"`
	DurationMinutes int              `json:"duration_minutes"`
	TimeZone        string           `json:"time_zone"`
}

// viewAppointment describes b, of type t, at now.
func viewAppointment(b *appointment.Booking, t *appointment.Type, now time.Time) *widgetAppointment {
	return &widgetAppointment{Booking: b,
		Type: widgetAppointmentType{ID: t.ID, Name: t.Name, Mode: t.Mode, Address: t.Address, DurationMinutes: t.DurationMinutes,
			TimeZone: t.Availability.TimeZone},
		CanChange:   t.CheckChange(b, now) == nil,
		ChangeUntil: b.Start.Add(-time.Duration(t.CutoffMinutes) * time.Minute)}
}

// ownAppointment returns the booking named by r's path, and its type, when
// it is the session's employee's; any other answers appointment_not_found.
func (s *Server) ownAppointment(r *http.Request) (*appointment.Booking, *appointment.Type, error) {
	sess, err := employeeSession(r)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.store.Appointment(r.Context(), sess.VendorID, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if b.UserID != sess.User.ID {
		return nil, nil, appointment.ErrNotFound
	}
	t, err := s.store.AppointmentType(r.Context(), sess.VendorID, b.TypeID)
	return b, t, err
}

func (s *Server) widgetAppointmentTypes(r *http.Request, p oriel.Page) ([]*appointment.Type, bool, error) {
	sess, err := employeeSession(r)
	if err != nil {
		return nil, false, err
	}
	return s.store.ListAppointmentTypes(r.Context(), sess.VendorID, store.TypeFilter{OfferedTo: sess.Customer.ID}, p)
}

// widgetFreeSlots lists the slots of a type the employee can book now in
// a range (from, to; by default the whole horizon).
func (s *Server) widgetFreeSlots(w http.ResponseWriter, r *http.Request) error {
	sess, err := employeeSession(r)
	if err != nil {
		return err
	}
	t, err := s.offeredType(r, sess, r.PathValue("id"))
	if err != nil {
		return err
	}
	from, to, err := s.rangeOf(r, t)
	if err != nil {
		return err
	}
	slots, err := appointment.FreeSlots(r.Context(), s.store, t, from, to, s.now())
	return respond(w, http.StatusOK, slotsPage{Object: "list", TimeZone: t.Availability.TimeZone, Data: slots}, err)
}

// bookingRequest is the body of POST /widget-api/appointments.
type bookingRequest struct {
	TypeID      string            `json:"type_id"`
	Start       string            `json:"start"` // RFC 3339
	DependentID string            `json:"dependent_id"`
	Answers     map[string]string `json:"answers"`
	start       time.Time
}

func (b *bookingRequest) validate() error {
	if b.TypeID == "" {
		return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeSlotNotOffered, "type_id is required")
	}
	var err error
	b.start, err = slotStart(b.Start)
	return err
}

// slotStart reads the start of the slot the employee chose.
func slotStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeSlotNotOffered, "start must be the RFC 3339 start of a free slot, such as 2026-03-09T14:00:00Z")
	}
	return t.UTC(), nil
}

// checkDependent accepts a booking for the dependent id when the type
// allows dependents and id is one of the session's employee's (benefits
// domain); another's, or a removed one, is refused like a missing one.
func (s *Server) checkDependent(r *http.Request, sess *auth.Session, t *appointment.Type, id string) error {
	if t.WhoMayBook != appointment.BookerEmployeeOrDependent {
		return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeDependentForbidden, "this appointment type is for the employee only")
	}
	_, err := s.store.Dependent(r.Context(), sess.VendorID, sess.User.ID, id)
	if oriel.ErrorKind(err) == oriel.ENOTFOUND {
		return oriel.Errorf(oriel.EUNPROCESSABLE, appointment.CodeDependentForbidden, "dependent_id names none of your dependents")
	}
	return err
}

func (s *Server) widgetBook(w http.ResponseWriter, r *http.Request) error {
	var in bookingRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	sess, err := employeeSession(r)
	if err != nil {
		return err
	}
	t, err := s.offeredType(r, sess, in.TypeID)
	if err != nil {
		return err
	}
	if in.DependentID != "" {
		if err := s.checkDependent(r, sess, t, in.DependentID); err != nil {
			return err
		}
	}
	if err := t.CheckAnswers(in.Answers); err != nil {
		return err
	}
	slot, err := appointment.Find(r.Context(), s.store, t, in.start, s.now())
	if err != nil {
		return err
	}
	b := &appointment.Booking{VendorID: sess.VendorID, CustomerID: sess.Customer.ID, UserID: sess.User.ID, TypeID: t.ID,
		Start: slot.Start, End: slot.End, DependentID: in.DependentID, Answers: in.Answers}
	if err := s.store.BookAppointment(r.Context(), b, slot.Capacity); err != nil {
		return err
	}
	return reply(w, http.StatusCreated, viewAppointment(b, t, s.now()))
}

// widgetAppointments lists the employee's appointments, by id; when is
// "upcoming" (starting from now) or "past".
func (s *Server) widgetAppointments(r *http.Request, p oriel.Page) ([]*widgetAppointment, bool, error) {
	sess, err := employeeSession(r)
	if err != nil {
		return nil, false, err
	}
	f := store.AppointmentFilter{UserID: sess.User.ID}
	switch when := r.URL.Query().Get("when"); when {
	case "upcoming":
		f.StartFrom = s.now()
	case "past":
		f.StartBefore = s.now()
	case "":
	default:
		return nil, false, oriel.Errorf(oriel.EINVALID, codeFilterInvalid, "when must be upcoming or past")
	}
	list, more, err := s.store.ListAppointments(r.Context(), sess.VendorID, f, p)
	if err != nil {
		return nil, false, err
	}
	types := map[string]*appointment.Type{}
	views := make([]*widgetAppointment, len(list))
	for i, b := range list {
		t, ok := types[b.TypeID]
		if !ok {
			if t, err = s.store.AppointmentType(r.Context(), sess.VendorID, b.TypeID); err != nil {
				return nil, false, err
			}
			types[b.TypeID] = t
		}
		views[i] = viewAppointment(b, t, s.now())
	}
	return views, more, nil
}

func (s *Server) widgetAppointment(w http.ResponseWriter, r *http.Request) error {
	b, t, err := s.ownAppointment(r)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewAppointment(b, t, s.now()))
}

// rescheduleRequest is the body of POST /widget-api/appointments/{id}/reschedule.
type rescheduleRequest struct {
	Start string `json:"start"` // RFC 3339
	start time.Time
}

func (b *rescheduleRequest) validate() (err error) {
	b.start, err = slotStart(b.Start)
	return err
}

func (s *Server) widgetReschedule(w http.ResponseWriter, r *http.Request) error {
	var in rescheduleRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	b, t, err := s.ownAppointment(r)
	if err != nil {
		return err
	}
	if err := t.CheckChange(b, s.now()); err != nil {
		return err
	}
	slot, err := appointment.Find(r.Context(), s.store, t, in.start, s.now())
	if err != nil {
		return err
	}
	b, err = s.store.RescheduleAppointment(r.Context(), b, slot.Start, slot.End, slot.Capacity)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewAppointment(b, t, s.now()))
}

func (s *Server) widgetCancel(w http.ResponseWriter, r *http.Request) error {
	b, t, err := s.ownAppointment(r)
	if err != nil {
		return err
	}
	if err := t.CheckChange(b, s.now()); err != nil {
		return err
	}
	b, err = s.store.CancelAppointment(r.Context(), b, appointment.CancelledByEmployee)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewAppointment(b, t, s.now()))
}

// widgetAppointmentICS answers the appointment's calendar file (RFC 5545).
func (s *Server) widgetAppointmentICS(w http.ResponseWriter, r *http.Request) error {
	b, t, err := s.ownAppointment(r)
	if err != nil {
		return err
	}
	v, err := s.store.Vendor(r.Context(), b.VendorID)
	if err != nil {
		return err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(s.origin, "https://"), "http://")
	w.Header().Set("Content-Disposition", `attachment; filename="appointment-`+b.ID+`.ics"`)
	write(w, http.StatusOK, "text/calendar; charset=utf-8", appointment.Calendar{Booking: b, Type: t, Organizer: v.Name, Domain: host}.ICS())
	return nil
}
