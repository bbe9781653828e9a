package benefits

import (
	"bytes"
	"slices"
	"time"

	"github.com/orielhq/oriel"
)

// EventType is the kind of a qualifying life event: a change in an
// employee's life that lets them change their elections outside open
// enrollment, in a special window.
type EventType string

// The qualifying life event types.
const (
	Marriage             EventType = "marriage"
	Divorce              EventType = "divorce" // or legal separation
	Birth                EventType = "birth"
	Adoption             EventType = "adoption" // or foster placement
	DeathOfDependent     EventType = "death_of_dependent"
	LossOfCoverage       EventType = "loss_of_coverage"
	GainOfCoverage       EventType = "gain_of_coverage"
	Relocation           EventType = "relocation" // a move to a new coverage area
	EmploymentChange     EventType = "employment_change"
	OtherLifeEvent       EventType = "other"
	eventTypeDescription           = "marriage, divorce, birth, adoption, death_of_dependent, loss_of_coverage, gain_of_coverage, relocation, employment_change, other"
)

// EventTypes lists every event type, in the order screens show them.
var EventTypes = []EventType{Marriage, Divorce, Birth, Adoption, DeathOfDependent, LossOfCoverage, GainOfCoverage, Relocation, EmploymentChange, OtherLifeEvent}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool { return slices.Contains(EventTypes, t) }

// EventTypeError is the error of a value that is not an event type.
func EventTypeError(field string) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, CodeLifeEventTypeInvalid, "%s must be one of %s", field, eventTypeDescription)
}

// Limits of an event rule's numbers.
const (
	DefaultLookbackDays = 30
	DefaultWindowDays   = 30
	// ChildLookbackDays and ChildWindowDays apply to a birth and an adoption.
	ChildLookbackDays = 60
	ChildWindowDays   = 60
	MaxRuleDays       = 365
)

// EventRule is what an employer allows for one event type. Rules are data:
// DefaultRules gives every type's, and an employer may replace any of them.
type EventRule struct {
	Type EventType `json:"type"`
	// LookbackDays is how many days after the event date the employee may
	// still report it.
	LookbackDays int `json:"lookback_days"`
	// DocumentRequired refuses a report without a supporting document.
	DocumentRequired bool `json:"document_required"`
	// WindowDays is how long the special window lasts, counted from the day
	// the event is approved.
	WindowDays int `json:"window_days"`
	// PlanKinds are the kinds the special window lets the employee change;
	// empty means every kind.
	PlanKinds []PlanKind `json:"plan_kinds"`
	// Custom is true when the employer set this rule, false for the default.
	Custom bool `json:"custom"`
}

// healthKinds are the kinds a change in the family lets an employee change.
var healthKinds = []PlanKind{Medical, Dental, Vision, Life, HSA, FSA}

// DefaultRule returns the default rule of event type t: a 30-day look-back
// and window (60 for a birth or an adoption), a document required for every
// type but "other", and changes to the health and life kinds when the
// family changes, every kind otherwise.
func DefaultRule(t EventType) EventRule {
	r := EventRule{Type: t, LookbackDays: DefaultLookbackDays, WindowDays: DefaultWindowDays, DocumentRequired: t != OtherLifeEvent, PlanKinds: []PlanKind{}}
	switch t {
	case Birth, Adoption:
		r.LookbackDays, r.WindowDays = ChildLookbackDays, ChildWindowDays
		r.PlanKinds = slices.Clone(healthKinds)
	case Marriage, Divorce, DeathOfDependent:
		r.PlanKinds = slices.Clone(healthKinds)
	}
	return r
}

// Rules returns every type's rule: the employer's where it set one, the
// default otherwise.
func Rules(custom []EventRule) []EventRule {
	out := make([]EventRule, 0, len(EventTypes))
	for _, t := range EventTypes {
		r := DefaultRule(t)
		if i := slices.IndexFunc(custom, func(c EventRule) bool { return c.Type == t }); i >= 0 {
			r = custom[i]
			r.Custom = true
		}
		out = append(out, r)
	}
	return out
}

// RuleOf returns t's rule among rules (as Rules returns them).
func RuleOf(rules []EventRule, t EventType) EventRule {
	if i := slices.IndexFunc(rules, func(r EventRule) bool { return r.Type == t }); i >= 0 {
		return rules[i]
	}
	return DefaultRule(t)
}

// Check vets a rule an employer sets.
func (r *EventRule) Check() error {
	if !r.Type.Valid() {
		return EventTypeError("type")
	}
	if r.LookbackDays < 1 || r.LookbackDays > MaxRuleDays || r.WindowDays < 1 || r.WindowDays > MaxRuleDays {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeLifeEventRuleInvalid, "lookback_days and window_days must be whole days from 1 to %d", MaxRuleDays)
	}
	for i, k := range r.PlanKinds {
		if !k.Valid() {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodePlanKindInvalid, "plan_kinds[%d] is not a plan kind", i)
		}
	}
	if r.PlanKinds == nil {
		r.PlanKinds = []PlanKind{}
	}
	SortKinds(r.PlanKinds)
	r.PlanKinds = slices.Compact(r.PlanKinds)
	return nil
}

// ReportDeadline is the last day an event of this date may be reported.
func (r EventRule) ReportDeadline(eventDate oriel.Date) oriel.Date {
	return eventDate.AddDays(r.LookbackDays)
}

// CheckEventDate refuses an event date in the future or further back than
// the rule's look-back, naming the deadline.
func (r EventRule) CheckEventDate(eventDate, today oriel.Date) error {
	if eventDate.After(today) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeLifeEventDateInvalid, "event_date %s is in the future: report an event once it has happened", eventDate)
	}
	if deadline := r.ReportDeadline(eventDate); today.After(deadline) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeLifeEventTooLate,
			"a %s must be reported within %d days: the deadline for an event on %s was %s", r.Type, r.LookbackDays, eventDate, deadline)
	}
	return nil
}

// SpecialPeriod is the special window an event approved on day opens: the
// rule's length from that day, both ends included.
func (r EventRule) SpecialPeriod(approvedOn oriel.Date) Period {
	return Period{Start: approvedOn, End: approvedOn.AddDays(r.WindowDays - 1)}
}

// EventStatus is where a life event stands.
type EventStatus string

// The statuses of a life event: submitted, then approved or denied by the
// vendor, or withdrawn by the employee while still submitted.
const (
	EventSubmitted EventStatus = "submitted"
	EventApproved  EventStatus = "approved"
	EventDenied    EventStatus = "denied"
	EventWithdrawn EventStatus = "withdrawn"
)

// EventStatuses lists every event status.
var EventStatuses = []EventStatus{EventSubmitted, EventApproved, EventDenied, EventWithdrawn}

// Valid reports whether s is one of EventStatuses.
func (s EventStatus) Valid() bool { return slices.Contains(EventStatuses, s) }

// LifeEvent is a qualifying life event an employee reported.
type LifeEvent struct {
	ID         string      `json:"id"`
	VendorID   string      `json:"-"`
	CustomerID string      `json:"customer_id"`
	UserID     string      `json:"user_id"`
	Type       EventType   `json:"type"`
	EventDate  oriel.Date  `json:"event_date"`
	Note       string      `json:"note"`
	Status     EventStatus `json:"status"`
	// DenyReason is the vendor's reason, shown to the employee.
	DenyReason string `json:"deny_reason,omitempty"`
	// WindowID is the special window an approval opened; Window is that
	// window, filled in where an answer shows it.
	WindowID    string     `json:"window_id,omitempty"`
	Window      *Window    `json:"window,omitempty"`
	Documents   []Document `json:"documents"`
	SubmittedAt time.Time  `json:"submitted_at"`
	DecidedAt   time.Time  `json:"decided_at,omitzero"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// LifeEventFilter narrows a list of life events; zero fields match everything.
type LifeEventFilter struct {
	CustomerID string // an Oriel id or "E" + external id
	UserID     string // an Oriel id
	Status     EventStatus
	Type       EventType
}

// Document is a supporting document of a life event; its bytes are stored
// sealed, in chunks, apart from this description.
type Document struct {
	ID       string `json:"id"`
	EventID  string `json:"event_id,omitempty"`
	VendorID string `json:"-"`
	UserID   string `json:"-"`
	// FileName is the name the employee's file had; informative only.
	FileName string `json:"file_name"`
	// ContentType is sniffed from the content, never taken from the client.
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Chunks      int       `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// Document content types.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeHEIC = "image/heic"
)

// SniffLen is how many leading bytes SniffDocument needs.
const SniffLen = 12

// heicBrands are the ISO-BMFF major brands of HEIC/HEIF images.
var heicBrands = []string{"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}

// SniffDocument returns the type of a document from its first bytes (at
// least SniffLen of them when the file has that many): PDF, PNG, JPEG or
// HEIC. Anything else, whatever its name says, is refused with
// document_type_unsupported.
func SniffDocument(head []byte) (string, error) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && slices.Contains(heicBrands, string(head[8:12])):
		return TypeHEIC, nil
	}
	return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeDocumentTypeUnsupported,
		"this file is not a PDF, PNG, JPEG or HEIC image (its content was checked, not its name)")
}

// Error codes of life events and their documents.
const (
	CodeLifeEventTypeInvalid     = "life_event_type_invalid"
	CodeLifeEventRuleInvalid     = "life_event_rule_invalid"
	CodeLifeEventDateInvalid     = "life_event_date_invalid"
	CodeLifeEventTooLate         = "life_event_too_late"
	CodeDocumentRequired         = "document_required"
	CodeDocumentTypeUnsupported  = "document_type_unsupported"
	CodeDocumentTooLarge         = "document_too_large"
	CodeTooManyDocuments         = "too_many_documents"
	CodeLifeEventNotSubmitted    = "life_event_not_submitted"
	CodeLifeEventNoPlanYear      = "life_event_no_plan_year"
	CodeDocumentUploadIncomplete = "document_upload_incomplete"
)

// NotSubmittedError refuses a decision or withdrawal of an event that is
// no longer submitted.
func NotSubmittedError(verb string, s EventStatus) error {
	return oriel.Errorf(oriel.ECONFLICT, CodeLifeEventNotSubmitted, "only a submitted life event can be %s; this one is %s", verb, s)
}

// DocumentsLimitError refuses more documents than an event may have.
func DocumentsLimitError(limit int) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, CodeTooManyDocuments, "a life event may have at most %d documents", limit)
}

// DocumentRequiredError refuses an event without the document its rule requires.
func DocumentRequiredError(t EventType) error {
	return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDocumentRequired, "a %s needs a supporting document (PDF, PNG, JPEG or HEIC): upload one and send its id in document_ids", t)
}
