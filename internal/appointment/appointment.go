// Package appointment is the appointments domain of the employee dashboard:
// what a vendor offers for booking (appointment types with their
// availability), the slots that availability yields in its time zone, the
// rules of booking, rescheduling and cancelling, and the calendar file an
// employee downloads. The store keeps its state and enforces, in the
// database, that a slot never holds more bookings than its capacity.
package appointment

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // availability names IANA zones; a minimal container may lack /usr/share/zoneinfo
	"unicode/utf8"

	"github.com/orielhq/oriel"
)

// Mode is how an appointment takes place.
type Mode string

// The modes of an appointment.
const (
	ModeVideo    Mode = "video"
	ModePhone    Mode = "phone"
	ModeInPerson Mode = "in_person" // needs an address
)

// Booker says for whom an employee may book a type.
type Booker string

// Who may be booked for.
const (
	BookerEmployee            Booker = "employee"              // the employee only
	BookerEmployeeOrDependent Booker = "employee_or_dependent" // the employee or one of their dependents
)

// QuestionKind is the answer an intake question expects.
type QuestionKind string

// Intake question kinds.
const (
	QuestionText  QuestionKind = "text"   // a short text, at most 500 characters
	QuestionYesNo QuestionKind = "yes_no" // "yes" or "no"
)

// Source says where a type's slots come from.
type Source string

// Slot sources.
const (
	SourceWeekly   Source = "weekly"   // weekly hours with date exceptions
	SourceExplicit Source = "explicit" // slots the vendor pushes through the API
)

// Defaults and bounds of a type.
const (
	DefaultCutoffMinutes    = 24 * 60
	DefaultCapacity         = 1
	DefaultHorizonDays      = 60
	DefaultMinNoticeMinutes = 120
	MaxCapacity             = 100
	MaxHorizonDays          = 366
	MaxDurationMinutes      = 24 * 60
	MaxQuestions            = 20
	MaxAnswerLen            = 500
	maxTextLen              = 255
	maxExceptions           = 500
	maxWeeklyHours          = 70
)

// Question is one intake question.
type Question struct {
	ID       string       `json:"id"` // the key of its answer, e.g. "reason"
	Label    string       `json:"label"`
	Kind     QuestionKind `json:"kind"`
	Required bool         `json:"required"`
}

// Hours are opening hours on one weekday, as local wall-clock times "HH:MM"
// (End after Start, "24:00" allowed).
type Hours struct {
	Day   string `json:"day"` // monday … sunday
	Start string `json:"start"`
	End   string `json:"end"`
}

// Span is a stretch of local wall-clock time on one date.
type Span struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Exception changes one local date: Closed removes its weekly hours, Hours
// adds to them (both together replace them).
type Exception struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Closed bool   `json:"closed,omitempty"`
	Hours  []Span `json:"hours,omitempty"`
}

// Availability is when a type can be booked.
type Availability struct {
	TimeZone         string      `json:"time_zone"` // IANA, e.g. America/New_York
	Source           Source      `json:"source"`
	Weekly           []Hours     `json:"weekly"`
	Exceptions       []Exception `json:"exceptions"`
	Capacity         int         `json:"capacity"` // bookings per slot of weekly hours
	HorizonDays      int         `json:"horizon_days"`
	MinNoticeMinutes int         `json:"min_notice_minutes"`
}

// Spec is what the vendor sets of a type.
type Spec struct {
	Name string `json:"name"`
	// Description is shown to the employee under the name.
	Description     string       `json:"description,omitempty"`
	DurationMinutes int          `json:"duration_minutes"`
	Mode            Mode         `json:"mode"`
	Address         string       `json:"address,omitempty"`
	WhoMayBook      Booker       `json:"who_may_book"`
	CutoffMinutes   int          `json:"cutoff_minutes"` // no change or cancellation closer to the start
	Questions       []Question   `json:"questions"`
	Availability    Availability `json:"availability"`
	Active          bool         `json:"active"`
}

// Type is something an employee can book.
type Type struct {
	ID         string `json:"id"`
	VendorID   string `json:"-"`
	CustomerID string `json:"customer_id,omitempty"` // "" when offered to all the vendor's customers
	Spec
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Duration is the length of one appointment of t.
func (t *Type) Duration() time.Duration { return time.Duration(t.DurationMinutes) * time.Minute }

// Location loads t's time zone.
func (t *Type) Location() (*time.Location, error) { return loadZone(t.Availability.TimeZone) }

// Error codes of the appointments domain.
const (
	CodeTypeInvalid        = "appointment_type_invalid"
	CodeTimeZoneInvalid    = "time_zone_invalid"
	CodeTypeNotFound       = "appointment_type_not_found"
	CodeNotFound           = "appointment_not_found"
	CodeSlotNotFound       = "appointment_slot_not_found"
	CodeSlotUnavailable    = "slot_unavailable"
	CodeSlotNotOffered     = "slot_not_offered"
	CodeCutoffPassed       = "cutoff_passed"
	CodeAlreadyCancelled   = "appointment_cancelled"
	CodeDependentForbidden = "dependent_not_allowed"
	CodeIntakeInvalid      = "intake_invalid"
	CodeRangeInvalid       = "range_invalid"
	CodeSlotsInvalid       = "appointment_slots_invalid"
)

// Errors that callers compare with.
var (
	ErrTypeNotFound    = oriel.Errorf(oriel.ENOTFOUND, CodeTypeNotFound, "no such appointment type")
	ErrNotFound        = oriel.Errorf(oriel.ENOTFOUND, CodeNotFound, "no such appointment")
	ErrSlotNotFound    = oriel.Errorf(oriel.ENOTFOUND, CodeSlotNotFound, "no such slot of this appointment type")
	ErrSlotUnavailable = oriel.Errorf(oriel.ECONFLICT, CodeSlotUnavailable, "this slot has just been taken; choose another one")
	ErrCancelled       = oriel.Errorf(oriel.ECONFLICT, CodeAlreadyCancelled, "this appointment is cancelled")
)

func invalid(format string, args ...any) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, CodeTypeInvalid, format, args...)
}

// Normalize fills t's defaults and checks every field, answering
// appointment_type_invalid or time_zone_invalid naming the field.
func (t *Spec) Normalize() error {
	t.Name = strings.TrimSpace(t.Name)
	if err := checkText("name", t.Name, true); err != nil {
		return err
	}
	if utf8.RuneCountInString(t.Description) > 2000 {
		return invalid("description must be at most 2000 characters")
	}
	if t.DurationMinutes < 5 || t.DurationMinutes > MaxDurationMinutes {
		return invalid("duration_minutes must be from 5 to %d", MaxDurationMinutes)
	}
	switch t.Mode {
	case ModeVideo, ModePhone:
		if t.Address != "" {
			return invalid("address is only for mode in_person")
		}
	case ModeInPerson:
		if err := checkText("address", t.Address, true); err != nil {
			return invalid("mode in_person needs an address of at most %d characters", maxTextLen)
		}
	default:
		return invalid("mode must be video, phone or in_person")
	}
	switch t.WhoMayBook {
	case "":
		t.WhoMayBook = BookerEmployee
	case BookerEmployee, BookerEmployeeOrDependent:
	default:
		return invalid("who_may_book must be employee or employee_or_dependent")
	}
	if t.CutoffMinutes < 0 || t.CutoffMinutes > 30*24*60 {
		return invalid("cutoff_minutes must be from 0 to %d (30 days)", 30*24*60)
	}
	if t.Questions == nil {
		t.Questions = []Question{}
	}
	if err := checkQuestions(t.Questions); err != nil {
		return err
	}
	return t.Availability.normalize()
}

func checkText(field, s string, required bool) error {
	n := utf8.RuneCountInString(s)
	if (required && n == 0) || n > maxTextLen || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return invalid("%s must be 1 to %d characters without control characters", field, maxTextLen)
	}
	return nil
}

func checkQuestions(qs []Question) error {
	if len(qs) > MaxQuestions {
		return invalid("questions may hold at most %d questions", MaxQuestions)
	}
	seen := map[string]bool{}
	for i, q := range qs {
		if q.ID == "" || len(q.ID) > 64 || strings.Trim(q.ID, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return invalid("questions[%d].id must be 1 to 64 characters of a-z, 0-9 and _", i)
		}
		if seen[q.ID] {
			return invalid("questions[%d].id %q is used twice", i, q.ID)
		}
		seen[q.ID] = true
		if err := checkText(fmt.Sprintf("questions[%d].label", i), q.Label, true); err != nil {
			return err
		}
		if q.Kind != QuestionText && q.Kind != QuestionYesNo {
			return invalid("questions[%d].kind must be text or yes_no", i)
		}
	}
	return nil
}

func (a *Availability) normalize() error {
	if a.TimeZone == "" {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeTimeZoneInvalid, "availability.time_zone is required: an IANA zone such as America/New_York")
	}
	if _, err := loadZone(a.TimeZone); err != nil {
		return err
	}
	switch a.Source {
	case "":
		a.Source = SourceWeekly
	case SourceWeekly, SourceExplicit:
	default:
		return invalid("availability.source must be weekly or explicit")
	}
	if a.Weekly == nil {
		a.Weekly = []Hours{}
	}
	if a.Exceptions == nil {
		a.Exceptions = []Exception{}
	}
	if len(a.Weekly) > maxWeeklyHours || len(a.Exceptions) > maxExceptions {
		return invalid("availability may hold at most %d weekly hours and %d exceptions", maxWeeklyHours, maxExceptions)
	}
	for i, h := range a.Weekly {
		if _, ok := weekdays[h.Day]; !ok {
			return invalid("availability.weekly[%d].day must be monday … sunday", i)
		}
		if _, _, err := (Span{h.Start, h.End}).minutes(); err != nil {
			return invalid("availability.weekly[%d]: %s", i, err)
		}
	}
	dates := map[string]bool{}
	for i, e := range a.Exceptions {
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			return invalid("availability.exceptions[%d].date must be YYYY-MM-DD", i)
		}
		if dates[e.Date] {
			return invalid("availability.exceptions[%d].date %s is listed twice", i, e.Date)
		}
		dates[e.Date] = true
		if !e.Closed && len(e.Hours) == 0 {
			return invalid("availability.exceptions[%d] must be closed or have hours", i)
		}
		for j, s := range e.Hours {
			if _, _, err := s.minutes(); err != nil {
				return invalid("availability.exceptions[%d].hours[%d]: %s", i, j, err)
			}
		}
	}
	slices.SortFunc(a.Exceptions, func(x, y Exception) int { return strings.Compare(x.Date, y.Date) })
	if a.Capacity == 0 {
		a.Capacity = DefaultCapacity
	}
	if a.Capacity < 1 || a.Capacity > MaxCapacity {
		return invalid("availability.capacity must be from 1 to %d", MaxCapacity)
	}
	if a.HorizonDays == 0 {
		a.HorizonDays = DefaultHorizonDays
	}
	if a.HorizonDays < 1 || a.HorizonDays > MaxHorizonDays {
		return invalid("availability.horizon_days must be from 1 to %d", MaxHorizonDays)
	}
	if a.MinNoticeMinutes < 0 || a.MinNoticeMinutes > 30*24*60 {
		return invalid("availability.min_notice_minutes must be from 0 to %d (30 days)", 30*24*60)
	}
	return nil
}

// loadZone loads an IANA zone; "Local" and "" are refused, so a type never
// depends on the server's own zone.
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" || name == "" {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeTimeZoneInvalid, "availability.time_zone %q is not an IANA time zone such as America/New_York", truncate(name, 64))
	}
	return loc, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// DefaultSpec returns the documented defaults, for a body to decode over.
func DefaultSpec() Spec {
	return Spec{CutoffMinutes: DefaultCutoffMinutes, Active: true,
		Availability: Availability{Capacity: DefaultCapacity, HorizonDays: DefaultHorizonDays, MinNoticeMinutes: DefaultMinNoticeMinutes}}
}

// DefaultType returns a type with the documented defaults.
func DefaultType() Type { return Type{Spec: DefaultSpec()} }

// Status is where a booking stands.
type Status string

// Booking statuses.
const (
	StatusBooked    Status = "booked"
	StatusCancelled Status = "cancelled"
)

// Who cancelled a booking.
const (
	CancelledByEmployee = "employee"
	CancelledByVendor   = "vendor"
)

// Booking is one booked appointment.
type Booking struct {
	ID         string    `json:"id"`
	VendorID   string    `json:"-"`
	CustomerID string    `json:"customer_id"`
	UserID     string    `json:"user_id"`
	TypeID     string    `json:"type_id"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Status     Status    `json:"status"`
	// DependentID names the dependent the appointment is for; "" is the employee.
	DependentID string            `json:"dependent_id,omitempty"`
	Answers     map[string]string `json:"answers"`
	// Sequence counts the changes the calendar file went through (RFC 5545 SEQUENCE).
	Sequence    int        `json:"sequence"`
	CancelledBy string     `json:"cancelled_by,omitempty"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Webhook event types.
const (
	EventBooked      = oriel.EventAppointmentBooked
	EventRescheduled = oriel.EventAppointmentRescheduled
	EventCancelled   = oriel.EventAppointmentCancelled
)

// NewEventData describes b for a webhook.
func NewEventData(b *Booking) oriel.EventData {
	start, end := b.Start, b.End
	return oriel.EventData{AppointmentID: b.ID, TypeID: b.TypeID, CustomerID: b.CustomerID, UserID: b.UserID,
		DependentID: b.DependentID, Start: &start, End: &end, CancelledBy: b.CancelledBy}
}

// CheckAnswers checks answers against t's intake questions: every required
// question answered, yes/no answered "yes" or "no", no unknown keys.
func (t *Type) CheckAnswers(answers map[string]string) error {
	known := map[string]Question{}
	for _, q := range t.Questions {
		known[q.ID] = q
	}
	for id, v := range answers {
		q, ok := known[id]
		if !ok {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeIntakeInvalid, "answers.%s is not a question of this appointment type", truncate(id, 64))
		}
		if q.Kind == QuestionYesNo && v != "yes" && v != "no" {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeIntakeInvalid, "answers.%s must be \"yes\" or \"no\"", id)
		}
		if utf8.RuneCountInString(v) > MaxAnswerLen || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\n' }) {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeIntakeInvalid, "answers.%s must be at most %d characters of text", id, MaxAnswerLen)
		}
	}
	for _, q := range t.Questions {
		if q.Required && strings.TrimSpace(answers[q.ID]) == "" {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeIntakeInvalid, "answers.%s is required: %s", q.ID, q.Label)
		}
	}
	return nil
}

// CheckChange refuses a reschedule or cancellation of b by the employee
// once the type's cut-off before its start has come.
func (t *Type) CheckChange(b *Booking, now time.Time) error {
	if b.Status == StatusCancelled {
		return ErrCancelled
	}
	if cutoff := b.Start.Add(-time.Duration(t.CutoffMinutes) * time.Minute); !now.Before(cutoff) {
		return oriel.Errorf(oriel.ECONFLICT, CodeCutoffPassed, "this appointment can no longer be changed or cancelled here: changes close %s before it starts; contact the provider",
			humanMinutes(t.CutoffMinutes))
	}
	return nil
}

func humanMinutes(m int) string {
	switch {
	case m%(24*60) == 0 && m > 0:
		return plural(m/(24*60), "day")
	case m%60 == 0 && m > 0:
		return plural(m/60, "hour")
	default:
		return plural(m, "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
