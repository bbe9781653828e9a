package server

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// Qualifying life events (docs/benefits.md): employees report them with
// supporting documents in the employee dashboard (/widget-api/life-events),
// and the vendor reads, approves (opening a special window) or denies them,
// and sets the rules of each event type per customer (/v1/…).

// DocumentLimits bounds the supporting documents of life events.
type DocumentLimits struct {
	// MaxBytes is the largest document accepted; 0 → 10 MiB.
	MaxBytes int64
	// PerEvent is how many documents one event may have; 0 → 5.
	PerEvent int
}

// The default document limits.
const (
	DefaultMaxDocumentBytes     = 10 << 20
	DefaultMaxDocumentsPerEvent = 5
)

func (l DocumentLimits) withDefaults() DocumentLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxDocumentBytes
	}
	if l.PerEvent <= 0 {
		l.PerEvent = DefaultMaxDocumentsPerEvent
	}
	return l
}

const (
	documentUploadPath = "/widget-api/life-event-documents"
	// documentUploadTimeout is how long one document upload may take.
	documentUploadTimeout = 5 * time.Minute
	codeLifeEventFilter   = "life_event_filter_invalid"
	codeLifeEventBody     = "life_event_invalid"
	maxNoteLen            = 1000
)

// documentCSP keeps a hostile document from running anything, should a
// browser render it despite Content-Disposition: attachment.
const documentCSP = "default-src 'none'; sandbox"

// lifeEventBody is the body of POST /widget-api/life-events.
type lifeEventBody struct {
	Type        benefits.EventType `json:"type"`
	EventDate   oriel.Date         `json:"event_date"`
	Note        string             `json:"note"`
	DocumentIDs []string           `json:"document_ids"`
}

func (b *lifeEventBody) validate() error {
	if !b.Type.Valid() {
		return benefits.EventTypeError("type")
	}
	if err := checkDate("event_date", b.EventDate); err != nil {
		return err
	}
	if n := len([]rune(b.Note)); n > maxNoteLen {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeLifeEventBody, "note must be at most %d characters; it has %d", maxNoteLen, n)
	}
	for i, id := range b.DocumentIDs {
		if err := checkText("document_ids["+strconv.Itoa(i)+"]", codeLifeEventBody, id, true); err != nil {
			return err
		}
	}
	return nil
}

// lifeEventsPage is the employee dashboard's view of life events: the
// employee's events, every type's rule, and the document limits.
type lifeEventsPage struct {
	Data                 []*benefits.LifeEvent `json:"data"`
	Rules                []benefits.EventRule  `json:"rules"`
	MaxDocumentBytes     int64                 `json:"max_document_bytes"`
	MaxDocumentsPerEvent int                   `json:"max_documents_per_event"`
	Today                oriel.Date            `json:"today"`
}

func (s *Server) employeeLifeEvents(w http.ResponseWriter, r *http.Request) error {
	ctx, sess := r.Context(), sessionOf(r)
	rules, err := s.store.LifeEventRules(ctx, sess.VendorID, sess.Customer.ID)
	if err != nil {
		return err
	}
	events, _, err := s.store.ListLifeEvents(ctx, sess.VendorID, benefits.LifeEventFilter{UserID: sess.User.ID}, oriel.Page{Limit: maxPageLimit})
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, lifeEventsPage{Data: events, Rules: rules, MaxDocumentBytes: s.documents.MaxBytes,
		MaxDocumentsPerEvent: s.documents.PerEvent, Today: oriel.DateOf(s.now().UTC())}, nil)
}

func (s *Server) reportLifeEvent(w http.ResponseWriter, r *http.Request) error {
	var in lifeEventBody
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx, sess := r.Context(), sessionOf(r)
	rules, err := s.store.LifeEventRules(ctx, sess.VendorID, sess.Customer.ID)
	if err != nil {
		return err
	}
	rule := benefits.RuleOf(rules, in.Type)
	if err := rule.CheckEventDate(in.EventDate, oriel.DateOf(s.now().UTC())); err != nil {
		return err
	}
	switch {
	case len(in.DocumentIDs) > s.documents.PerEvent:
		return benefits.DocumentsLimitError(s.documents.PerEvent)
	case rule.DocumentRequired && len(in.DocumentIDs) == 0:
		return benefits.DocumentRequiredError(in.Type)
	}
	e := &benefits.LifeEvent{VendorID: sess.VendorID, UserID: sess.User.ID, Type: in.Type, EventDate: in.EventDate, Note: in.Note}
	err = s.store.CreateLifeEvent(ctx, e, in.DocumentIDs)
	return respond(w, http.StatusCreated, e, err)
}

func (s *Server) withdrawLifeEvent(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	e, err := s.store.WithdrawLifeEvent(r.Context(), sess.VendorID, sess.User.ID, r.PathValue("id"))
	return respond(w, http.StatusOK, e, err)
}

// uploadDocument streams the request body, up to the size limit, into a
// new document of the employee's; its type comes from its first bytes.
// The body is the file itself (any Content-Type); file_name in the query
// is the name shown later.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	ctx, sess := r.Context(), sessionOf(r)
	name := r.URL.Query().Get("file_name")
	if name == "" {
		name = "document"
	}
	if err := checkText("file_name", codeLifeEventBody, name, true); err != nil {
		return err
	}
	pending, err := s.store.PendingDocuments(ctx, sess.VendorID, sess.User.ID)
	if err != nil {
		return err
	}
	if pending >= s.documents.PerEvent {
		return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodeTooManyDocuments,
			"you have %d uploaded documents no life event uses yet, the most one event may have; report the event first", pending)
	}
	// A large file on a slow line may take longer than the server's read
	// timeout for ordinary bodies (not every writer supports this; then
	// that timeout holds).
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(documentUploadTimeout))
	body := bufio.NewReaderSize(http.MaxBytesReader(w, rawBody(r), s.documents.MaxBytes), benefits.SniffLen*16)
	head, err := body.Peek(benefits.SniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return s.uploadError(err)
	}
	contentType, err := benefits.SniffDocument(head)
	if err != nil {
		return err
	}
	d := &benefits.Document{VendorID: sess.VendorID, UserID: sess.User.ID, FileName: name, ContentType: contentType}
	if err := s.store.CreateDocument(ctx, d, body); err != nil {
		return s.uploadError(err)
	}
	return respond(w, http.StatusCreated, d, nil)
}

// uploadError names why reading an upload failed: too large, or cut short.
func (s *Server) uploadError(err error) error {
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return oriel.Errorf(oriel.ETOOLARGE, benefits.CodeDocumentTooLarge, "a document may be at most %d bytes (%d MB)",
			s.documents.MaxBytes, s.documents.MaxBytes>>20)
	}
	var oerr *oriel.Error
	if errors.As(err, &oerr) || !strings.HasPrefix(err.Error(), "read document") {
		return err
	}
	return oriel.Errorf(oriel.EINVALID, benefits.CodeDocumentUploadIncomplete, "the upload ended before the whole file arrived; nothing was kept, send it again")
}

// rawBody is r's body before observe bounded it.
func rawBody(r *http.Request) io.ReadCloser {
	if st := stateOf(r); st.body != nil {
		return st.body
	}
	return r.Body
}

func (s *Server) employeeDocument(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	d, err := s.store.Document(r.Context(), sess.VendorID, sess.User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.serveDocument(w, r, d)
}

// serveDocument sends a document as a download of its sniffed type that a
// browser neither sniffs nor runs.
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, d *benefits.Document) error {
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName})
	if disposition == "" {
		disposition = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", documentCSP)
	h.Set("Cache-Control", "private, no-store")
	if r.Method == http.MethodHead {
		return nil
	}
	if err := s.store.WriteDocument(r.Context(), d, w); err != nil {
		// The status line is sent: all that is left is to cut the response short.
		s.logger.Error("sending a document failed", "document_id", d.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// The vendor API.

func (s *Server) lifeEventFilter(r *http.Request) (benefits.LifeEventFilter, error) {
	q := r.URL.Query()
	f := benefits.LifeEventFilter{Status: benefits.EventStatus(q.Get("status")), Type: benefits.EventType(q.Get("type"))}
	if f.Status != "" && !f.Status.Valid() {
		return f, oriel.Errorf(oriel.EINVALID, codeLifeEventFilter, "status must be submitted, approved, denied or withdrawn")
	}
	if f.Type != "" && !f.Type.Valid() {
		return f, oriel.Errorf(oriel.EINVALID, codeLifeEventFilter, "%s", benefits.EventTypeError("type").(*oriel.Error).Message)
	}
	var err error
	f.CustomerID, f.UserID, err = s.ownerFilter(r, codeLifeEventFilter)
	return f, err
}

func (s *Server) listLifeEvents(r *http.Request, p oriel.Page) ([]*benefits.LifeEvent, bool, error) {
	f, err := s.lifeEventFilter(r)
	if err != nil {
		return nil, false, err
	}
	return s.store.ListLifeEvents(r.Context(), vendorOf(r), f, p)
}

func (s *Server) getLifeEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.store.LifeEvent(r.Context(), vendorOf(r), "", r.PathValue("id"))
	return respond(w, http.StatusOK, e, err)
}

func (s *Server) vendorDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.Document(r.Context(), vendorOf(r), "", r.PathValue("document"))
	if err != nil {
		return err
	}
	if d.EventID != r.PathValue("id") {
		return oriel.Errorf(oriel.ENOTFOUND, "document_not_found", "no such document")
	}
	return s.serveDocument(w, r, d)
}

// approval is the body of POST /v1/life-events/{id}/approve ({} at the
// least): every field is optional, and the window runs from the day of approval for the
// rule's length unless starts_on or ends_on say otherwise.
type approval struct {
	StartsOn oriel.Date `json:"starts_on"`
	EndsOn   oriel.Date `json:"ends_on"`
}

func (a *approval) validate() error {
	for field, d := range map[string]oriel.Date{"starts_on": a.StartsOn, "ends_on": a.EndsOn} {
		if d != "" && !d.Valid() {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, "%s must be a date written YYYY-MM-DD", field)
		}
	}
	return nil
}

func (s *Server) approveLifeEvent(w http.ResponseWriter, r *http.Request) error {
	var in approval
	if err := decode(r, &in); err != nil {
		return err
	}
	ctx, vendorID := r.Context(), vendorOf(r)
	e, err := s.store.LifeEvent(ctx, vendorID, "", r.PathValue("id"))
	if err != nil {
		return err
	}
	if e.Status != benefits.EventSubmitted {
		return benefits.NotSubmittedError("approved", e.Status)
	}
	rules, err := s.store.LifeEventRules(ctx, vendorID, e.CustomerID)
	if err != nil {
		return err
	}
	rule := benefits.RuleOf(rules, e.Type)
	period := rule.SpecialPeriod(oriel.DateOf(s.now().UTC()))
	if in.StartsOn != "" {
		period = rule.SpecialPeriod(in.StartsOn)
	}
	if in.EndsOn != "" {
		period.End = in.EndsOn
	}
	if period.End.Before(period.Start) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeWindowInvalid, "ends_on (%s) is before starts_on (%s)", period.End, period.Start)
	}
	years, err := s.store.PlanYears(ctx, vendorID, e.CustomerID)
	if err != nil {
		return err
	}
	reason := strings.ReplaceAll(string(e.Type), "_", " ") + " on " + string(e.EventDate)
	win, ok := benefits.SpecialWindow(e.CustomerID, e.UserID, period.Start, period.End, rule.PlanKinds, reason, years)
	if !ok {
		return oriel.Errorf(oriel.EUNPROCESSABLE, benefits.CodeLifeEventNoPlanYear,
			"no plan of this customer covers %s or later, so no special window can open; publish the plan year's plans first", period.Start)
	}
	approved, err := s.store.ApproveLifeEvent(ctx, vendorID, e.ID, &win)
	return respond(w, http.StatusOK, approved, err)
}

// denial is the body of POST /v1/life-events/{id}/deny.
type denial struct {
	Reason string `json:"reason"`
}

func (d *denial) validate() error {
	return checkText("reason", codeLifeEventBody, d.Reason, true)
}

func (s *Server) denyLifeEvent(w http.ResponseWriter, r *http.Request) error {
	var in denial
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.store.DenyLifeEvent(r.Context(), vendorOf(r), r.PathValue("id"), in.Reason)
	return respond(w, http.StatusOK, e, err)
}

// ruleList is the answer of GET /v1/customers/{customer}/life-event-rules.
type ruleList struct {
	Data []benefits.EventRule `json:"data"`
}

func (s *Server) listLifeEventRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.store.LifeEventRules(r.Context(), vendorOf(r), r.PathValue("customer"))
	return respond(w, http.StatusOK, ruleList{rules}, err)
}

// ruleBody is the body of PUT /v1/customers/{customer}/life-event-rules:
// the rule of one type.
type ruleBody struct {
	Type             benefits.EventType  `json:"type"`
	LookbackDays     int                 `json:"lookback_days"`
	DocumentRequired bool                `json:"document_required"`
	WindowDays       int                 `json:"window_days"`
	PlanKinds        []benefits.PlanKind `json:"plan_kinds"`
}

func (b *ruleBody) validate() error { return nil } // EventRule.Check vets it, in putLifeEventRule

func (s *Server) putLifeEventRule(w http.ResponseWriter, r *http.Request) error {
	var in ruleBody
	if err := decode(r, &in); err != nil {
		return err
	}
	rule := benefits.EventRule{Type: in.Type, LookbackDays: in.LookbackDays, DocumentRequired: in.DocumentRequired,
		WindowDays: in.WindowDays, PlanKinds: in.PlanKinds}
	if err := rule.Check(); err != nil {
		return err
	}
	rule.Custom = true
	err := s.store.SetLifeEventRule(r.Context(), vendorOf(r), r.PathValue("customer"), rule)
	return respond(w, http.StatusOK, rule, err)
}

func (s *Server) resetLifeEventRule(w http.ResponseWriter, r *http.Request) error {
	t := benefits.EventType(r.PathValue("type"))
	if !t.Valid() {
		return benefits.EventTypeError("type")
	}
	return noContent(w, s.store.ResetLifeEventRule(r.Context(), vendorOf(r), r.PathValue("customer"), t))
}
