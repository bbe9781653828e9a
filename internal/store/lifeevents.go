package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
)

// LifeEventStore keeps qualifying life events (benefits.LifeEvent), the
// per-customer rules of their types, and their supporting documents, whose
// bytes are sealed with the keyring in chunks of DocumentChunkSize.
type LifeEventStore interface {
	// LifeEventRules returns every event type's rule for a customer: the
	// customer's own where set, the default otherwise.
	LifeEventRules(ctx context.Context, vendorID, customerRef string) ([]benefits.EventRule, error)
	// SetLifeEventRule stores (or replaces) a customer's rule of r.Type.
	SetLifeEventRule(ctx context.Context, vendorID, customerRef string, r benefits.EventRule) error
	// ResetLifeEventRule puts a customer's rule of type t back to the default.
	ResetLifeEventRule(ctx context.Context, vendorID, customerRef string, t benefits.EventType) error

	// CreateDocument streams src into a new document of the user d.UserID,
	// sealing it chunk by chunk, and marks it complete once src ends. If
	// reading src fails (the client went away, the body is too large) the
	// partial document is deleted and the read error returned, wrapped.
	CreateDocument(ctx context.Context, d *benefits.Document, src io.Reader) error
	// PendingDocuments counts a user's documents not yet part of an event.
	PendingDocuments(ctx context.Context, vendorID, userID string) (int, error)
	// Document returns a complete document: one of the user's when userID
	// is set, else one of the vendor's attached to an event; or ENOTFOUND
	// document_not_found.
	Document(ctx context.Context, vendorID, userID, id string) (*benefits.Document, error)
	// WriteDocument opens d's chunks one at a time and writes them to w.
	WriteDocument(ctx context.Context, d *benefits.Document, w io.Writer) error

	// CreateLifeEvent stores e as submitted with the user's documents
	// documentIDs (uploaded, not yet part of an event), and records
	// life_event.submitted.
	CreateLifeEvent(ctx context.Context, e *benefits.LifeEvent, documentIDs []string) error
	// LifeEvent returns one event, with its documents and window: one of
	// the user's when userID is set; or ENOTFOUND life_event_not_found.
	LifeEvent(ctx context.Context, vendorID, userID, id string) (*benefits.LifeEvent, error)
	// ListLifeEvents returns one page of a vendor's events that match f.
	ListLifeEvents(ctx context.Context, vendorID string, f benefits.LifeEventFilter, p oriel.Page) ([]*benefits.LifeEvent, bool, error)
	// WithdrawLifeEvent withdraws one of the user's submitted events and
	// records life_event.withdrawn.
	WithdrawLifeEvent(ctx context.Context, vendorID, userID, id string) (*benefits.LifeEvent, error)
	// ApproveLifeEvent approves a submitted event, opening window (a
	// special window for the event's employee: the store fills its ids),
	// and records life_event.approved and enrollment_window.opened.
	ApproveLifeEvent(ctx context.Context, vendorID, id string, window *benefits.Window) (*benefits.LifeEvent, error)
	// DenyLifeEvent denies a submitted event with a reason and records life_event.denied.
	DenyLifeEvent(ctx context.Context, vendorID, id, reason string) (*benefits.LifeEvent, error)
	// RecordClosedWindows records enrollment_window.closed once for every
	// stored window that ended before today, however many replicas call it.
	RecordClosedWindows(ctx context.Context, today oriel.Date) (int, error)
}

// DocumentChunkSize is how many plaintext bytes one sealed chunk holds.
const DocumentChunkSize = 64 << 10

// documentBatchChunks is how many chunks an upload seals before writing
// them in one transaction: 1 MiB of a document in memory at most.
const documentBatchChunks = 16

// documentChunk is the sealed column of document chunks; a chunk's row id
// is "<document id>:<index>", so each is bound to its document and place.
var documentChunk = sealedColumn{"life_event_document_chunks", "data"}

var (
	errLifeEventNotFound = oriel.Errorf(oriel.ENOTFOUND, "life_event_not_found", "no such life event")
	errDocumentNotFound  = oriel.Errorf(oriel.ENOTFOUND, "document_not_found", "no such document")
	errDocumentTaken     = oriel.Errorf(oriel.EUNPROCESSABLE, "document_ids_invalid",
		"document_ids must name documents you uploaded that no other life event uses")
)

// LifeEventRules returns every type's rule for a customer.
func (s *SQL) LifeEventRules(ctx context.Context, vendorID, customerRef string) ([]benefits.EventRule, error) {
	customerID, err := customerIDOf(ctx, s.r, vendorID, customerRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT type, lookback_days, document_required, window_days, plan_kinds FROM life_event_rules WHERE customer_id = $1`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var custom []benefits.EventRule
	for rows.Next() {
		var r benefits.EventRule
		var required int
		var kinds string
		if err := rows.Scan(&r.Type, &r.LookbackDays, &required, &r.WindowDays, &kinds); err != nil {
			return nil, err
		}
		r.DocumentRequired = required != 0
		if err := decodeJSON(kinds, &r.PlanKinds); err != nil {
			return nil, err
		}
		custom = append(custom, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return benefits.Rules(custom), nil
}

// SetLifeEventRule stores a customer's rule of r.Type.
func (s *SQL) SetLifeEventRule(ctx context.Context, vendorID, customerRef string, r benefits.EventRule) error {
	customerID, err := customerIDOf(ctx, s.r, vendorID, customerRef)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO life_event_rules (customer_id, type, lookback_days, document_required, window_days, plan_kinds)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (customer_id, type) DO UPDATE SET lookback_days = excluded.lookback_days,
		document_required = excluded.document_required, window_days = excluded.window_days, plan_kinds = excluded.plan_kinds`,
		customerID, r.Type, r.LookbackDays, boolInt(r.DocumentRequired), r.WindowDays, encodeJSON(r.PlanKinds))
	return err
}

// ResetLifeEventRule deletes a customer's rule of type t.
func (s *SQL) ResetLifeEventRule(ctx context.Context, vendorID, customerRef string, t benefits.EventType) error {
	customerID, err := customerIDOf(ctx, s.r, vendorID, customerRef)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `DELETE FROM life_event_rules WHERE customer_id = $1 AND type = $2`, customerID, t)
	return err
}

// boolInt stores a boolean as 0 or 1 in both dialects.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const documentColumns = `id, event_id, user_id, file_name, content_type, size, chunks, created_at`

func scanDocument(sc scanner) (*benefits.Document, error) {
	var d benefits.Document
	var event sql.NullString
	var created int64
	if err := sc.Scan(&d.ID, &event, &d.UserID, &d.FileName, &d.ContentType, &d.Size, &d.Chunks, &created); err != nil {
		return nil, err
	}
	d.EventID, d.CreatedAt = event.String, fromMicros(created)
	return &d, nil
}

// chunkID is the row id of a document's chunk i.
func chunkID(documentID string, i int) string { return documentID + ":" + strconv.Itoa(i) }

// CreateDocument streams src into a new document, sealing it chunk by chunk
// and writing 16 chunks per transaction, so an upload never holds the write
// lock while it waits for the client and holds at most 1 MiB of it in
// memory; the document becomes visible only when complete.
func (s *SQL) CreateDocument(ctx context.Context, d *benefits.Document, src io.Reader) (err error) {
	if s.keys == nil {
		return errNoKeyring
	}
	d.ID, d.CreatedAt, d.Size, d.Chunks = newID("doc"), now(), 0, 0
	if _, err := s.w.ExecContext(ctx, `INSERT INTO life_event_documents (id, vendor_id, user_id, file_name, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		d.ID, d.VendorID, d.UserID, d.FileName, d.ContentType, micros(d.CreatedAt)); err != nil {
		return err
	}
	defer func() {
		if err != nil { // leave nothing behind, even when ctx has ended
			cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			s.w.ExecContext(cleanup, `DELETE FROM life_event_document_chunks WHERE document_id = $1`, d.ID)
			s.w.ExecContext(cleanup, `DELETE FROM life_event_documents WHERE id = $1`, d.ID)
		}
	}()
	buf := make([]byte, DocumentChunkSize)
	batch := make([]string, 0, documentBatchChunks) // sealed chunks not yet written
	for done := false; !done; {
		n, readErr := io.ReadFull(src, buf)
		if n > 0 {
			sealed, err := s.sealValue(documentChunk, chunkID(d.ID, d.Chunks+len(batch)), buf[:n])
			if err != nil {
				return err
			}
			batch = append(batch, sealed.String)
			d.Size += int64(n)
		}
		switch {
		case errors.Is(readErr, io.EOF) || errors.Is(readErr, io.ErrUnexpectedEOF):
			done = true
		case readErr != nil:
			return fmt.Errorf("read document: %w", readErr)
		}
		if len(batch) == documentBatchChunks || done && len(batch) > 0 {
			if err := s.writeChunks(ctx, d, batch); err != nil {
				return err
			}
			d.Chunks += len(batch)
			batch = batch[:0]
		}
	}
	_, err = s.w.ExecContext(ctx, `UPDATE life_event_documents SET size = $1, chunks = $2, complete = 1 WHERE id = $3`, d.Size, d.Chunks, d.ID)
	return err
}

// writeChunks writes a batch of sealed chunks, numbered from d.Chunks, in
// one transaction (one commit, one fsync, per batch rather than per chunk).
func (s *SQL) writeChunks(ctx context.Context, d *benefits.Document, sealed []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i, data := range sealed {
			idx := d.Chunks + i
			if _, err := tx.ExecContext(ctx, `INSERT INTO life_event_document_chunks (id, document_id, idx, data) VALUES ($1, $2, $3, $4)`,
				chunkID(d.ID, idx), d.ID, idx, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// PendingDocuments counts a user's documents not yet part of an event.
func (s *SQL) PendingDocuments(ctx context.Context, vendorID, userID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM life_event_documents WHERE vendor_id = $1 AND user_id = $2 AND event_id IS NULL`, vendorID, userID).Scan(&n)
	return n, err
}

// Document returns a complete document the user (or, with userID "", the vendor) may read.
func (s *SQL) Document(ctx context.Context, vendorID, userID, id string) (*benefits.Document, error) {
	query, args := `SELECT `+documentColumns+` FROM life_event_documents WHERE vendor_id = $1 AND id = $2 AND complete = 1`, []any{vendorID, id}
	if userID != "" {
		query, args = query+` AND user_id = $3`, append(args, userID)
	} else {
		query += ` AND event_id IS NOT NULL`
	}
	return one(s.r.QueryRowContext(ctx, query, args...), scanDocument, errDocumentNotFound)
}

// WriteDocument opens d's chunks in order, one query each, and writes them to w.
func (s *SQL) WriteDocument(ctx context.Context, d *benefits.Document, w io.Writer) error {
	for i := range d.Chunks {
		id := chunkID(d.ID, i)
		var sealed sql.NullString
		if err := s.r.QueryRowContext(ctx, `SELECT data FROM life_event_document_chunks WHERE id = $1`, id).Scan(&sealed); err != nil {
			return fmt.Errorf("document %s chunk %d: %w", d.ID, i, err)
		}
		plain, err := s.openValue(documentChunk, id, sealed)
		if err != nil {
			return err
		}
		if _, err := w.Write(plain); err != nil {
			return err
		}
	}
	return nil
}

const lifeEventColumns = `id, vendor_id, customer_id, user_id, type, event_date, note, status, deny_reason, window_id, submitted_at, decided_at, updated_at`

func scanLifeEvent(sc scanner) (*benefits.LifeEvent, error) {
	var e benefits.LifeEvent
	var window sql.NullString
	var decided sql.NullInt64
	var submitted, updated int64
	if err := sc.Scan(&e.ID, &e.VendorID, &e.CustomerID, &e.UserID, &e.Type, &e.EventDate, &e.Note, &e.Status, &e.DenyReason, &window,
		&submitted, &decided, &updated); err != nil {
		return nil, err
	}
	e.WindowID, e.SubmittedAt, e.UpdatedAt = window.String, fromMicros(submitted), fromMicros(updated)
	if decided.Valid {
		e.DecidedAt = fromMicros(decided.Int64)
	}
	return &e, nil
}

// lifeEventData is the payload of a life event's webhook events.
func lifeEventData(e *benefits.LifeEvent) oriel.EventData {
	return oriel.EventData{CustomerID: e.CustomerID, UserID: e.UserID, LifeEventID: e.ID, LifeEventType: string(e.Type),
		Status: string(e.Status), WindowID: e.WindowID}
}

// windowData is the payload of a window's webhook events.
func windowData(w *benefits.Window) oriel.EventData {
	return oriel.EventData{CustomerID: w.CustomerID, UserID: w.UserID, WindowID: w.ID, StartsOn: w.StartsOn, EndsOn: w.EndsOn}
}

// CreateLifeEvent stores e as submitted with its documents.
func (s *SQL) CreateLifeEvent(ctx context.Context, e *benefits.LifeEvent, documentIDs []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := one(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.vendor_id = $1 AND u.id = $2`, e.VendorID, e.UserID), scanUser, errUserNotFound)
		if err != nil {
			return err
		}
		e.ID, e.CustomerID, e.Status, e.SubmittedAt = newID("lev"), u.CustomerID, benefits.EventSubmitted, now()
		e.UpdatedAt = e.SubmittedAt
		if _, err := tx.ExecContext(ctx, `INSERT INTO life_events (id, vendor_id, customer_id, user_id, type, event_date, note, status, submitted_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, e.ID, e.VendorID, e.CustomerID, e.UserID, e.Type, e.EventDate, e.Note, e.Status,
			micros(e.SubmittedAt), micros(e.UpdatedAt)); err != nil {
			return err
		}
		for _, id := range documentIDs {
			res, err := tx.ExecContext(ctx, `UPDATE life_event_documents SET event_id = $1 WHERE vendor_id = $2 AND user_id = $3 AND id = $4
				AND complete = 1 AND event_id IS NULL`, e.ID, e.VendorID, e.UserID, id)
			if err := mustAffect(res, err, errDocumentTaken); err != nil {
				return err
			}
		}
		if e.Documents, err = eventDocuments(ctx, tx, e.ID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, e.VendorID, oriel.EventLifeEventSubmitted, lifeEventData(e))
	})
}

// eventDocuments returns an event's documents, oldest first.
func eventDocuments(ctx context.Context, q queryer, eventID string) ([]benefits.Document, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+documentColumns+` FROM life_event_documents WHERE event_id = $1 ORDER BY created_at, id`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := []benefits.Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		docs = append(docs, *d)
	}
	return docs, rows.Err()
}

// completeEvent fills in e's documents and window.
func completeEvent(ctx context.Context, q queryer, e *benefits.LifeEvent) error {
	var err error
	if e.Documents, err = eventDocuments(ctx, q, e.ID); err != nil {
		return err
	}
	if e.WindowID != "" {
		row := q.QueryRowContext(ctx, `SELECT `+windowColumns+` FROM enrollment_windows WHERE id = $1`, e.WindowID)
		if e.Window, err = one(row, scanWindow, errWindowNotFound); err != nil {
			return err
		}
	}
	return nil
}

// lifeEvent reads one event, with its documents and window.
func lifeEvent(ctx context.Context, q queryer, vendorID, userID, id string) (*benefits.LifeEvent, error) {
	query, args := `SELECT `+lifeEventColumns+` FROM life_events WHERE vendor_id = $1 AND id = $2`, []any{vendorID, id}
	if userID != "" {
		query, args = query+` AND user_id = $3`, append(args, userID)
	}
	e, err := one(q.QueryRowContext(ctx, query, args...), scanLifeEvent, errLifeEventNotFound)
	if err != nil {
		return nil, err
	}
	return e, completeEvent(ctx, q, e)
}

// LifeEvent returns one event.
func (s *SQL) LifeEvent(ctx context.Context, vendorID, userID, id string) (*benefits.LifeEvent, error) {
	return lifeEvent(ctx, s.r, vendorID, userID, id)
}

// ListLifeEvents returns one page of a vendor's events that match f.
func (s *SQL) ListLifeEvents(ctx context.Context, vendorID string, f benefits.LifeEventFilter, p oriel.Page) ([]*benefits.LifeEvent, bool, error) {
	query, args := `SELECT `+prefixed("e", lifeEventColumns)+` FROM life_events e`, []any{vendorID}
	if f.CustomerID != "" {
		col, val := refColumn(f.CustomerID)
		query += ` JOIN customers c ON c.id = e.customer_id AND c.` + col + ` = $2`
		args = append(args, val)
	}
	query += ` WHERE e.vendor_id = $1`
	for _, c := range []struct{ column, value string }{{"e.user_id", f.UserID}, {"e.status", string(f.Status)}, {"e.type", string(f.Type)}} {
		if c.value != "" {
			args = append(args, c.value)
			query += fmt.Sprintf(" AND %s = $%d", c.column, len(args))
		}
	}
	events, more, err := list(ctx, s.r, query, "e.id", args, p, scanLifeEvent)
	if err != nil {
		return nil, false, err
	}
	for _, e := range events {
		if err := completeEvent(ctx, s.r, e); err != nil {
			return nil, false, err
		}
	}
	return events, more, nil
}

// decide moves a submitted event to status to, with change running in the
// same transaction, and records the event of type typ.
func (s *SQL) decide(ctx context.Context, vendorID, userID, id string, to benefits.EventStatus, verb, typ string,
	change func(tx *sql.Tx, e *benefits.LifeEvent) error) (*benefits.LifeEvent, error) {
	var e *benefits.LifeEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if e, err = lifeEvent(ctx, tx, vendorID, userID, id); err != nil {
			return err
		}
		if e.Status != benefits.EventSubmitted {
			return benefits.NotSubmittedError(verb, e.Status)
		}
		e.Status, e.UpdatedAt = to, now()
		if to != benefits.EventWithdrawn {
			e.DecidedAt = e.UpdatedAt
		}
		if err := change(tx, e); err != nil {
			return err
		}
		var decided sql.NullInt64
		if !e.DecidedAt.IsZero() {
			decided = sql.NullInt64{Int64: micros(e.DecidedAt), Valid: true}
		}
		// Guarded by status, so two deciders at once cannot both succeed.
		res, err := tx.ExecContext(ctx, `UPDATE life_events SET status = $1, deny_reason = $2, window_id = $3, decided_at = $4, updated_at = $5
			WHERE id = $6 AND status = 'submitted'`, e.Status, e.DenyReason, nullable(e.WindowID), decided, micros(e.UpdatedAt), e.ID)
		if err := mustAffect(res, err, benefits.NotSubmittedError(verb, "decided")); err != nil {
			return err
		}
		return recordEvent(ctx, tx, vendorID, typ, lifeEventData(e))
	})
	return e, err
}

// WithdrawLifeEvent withdraws one of the user's submitted events.
func (s *SQL) WithdrawLifeEvent(ctx context.Context, vendorID, userID, id string) (*benefits.LifeEvent, error) {
	return s.decide(ctx, vendorID, userID, id, benefits.EventWithdrawn, "withdrawn", oriel.EventLifeEventWithdrawn,
		func(*sql.Tx, *benefits.LifeEvent) error { return nil })
}

// ApproveLifeEvent approves a submitted event and opens its special window.
func (s *SQL) ApproveLifeEvent(ctx context.Context, vendorID, id string, window *benefits.Window) (*benefits.LifeEvent, error) {
	return s.decide(ctx, vendorID, "", id, benefits.EventApproved, "approved", oriel.EventLifeEventApproved, func(tx *sql.Tx, e *benefits.LifeEvent) error {
		window.VendorID, window.CustomerID, window.UserID, window.Kind = vendorID, e.CustomerID, e.UserID, benefits.Special
		if err := insertWindow(ctx, tx, window); err != nil {
			return err
		}
		e.WindowID, e.Window = window.ID, window
		return recordEvent(ctx, tx, vendorID, oriel.EventWindowOpened, windowData(window))
	})
}

// DenyLifeEvent denies a submitted event with a reason.
func (s *SQL) DenyLifeEvent(ctx context.Context, vendorID, id, reason string) (*benefits.LifeEvent, error) {
	return s.decide(ctx, vendorID, "", id, benefits.EventDenied, "denied", oriel.EventLifeEventDenied, func(_ *sql.Tx, e *benefits.LifeEvent) error {
		e.DenyReason = reason
		return nil
	})
}

// closedWindowsBatch bounds the windows one RecordClosedWindows call handles.
const closedWindowsBatch = 100

// RecordClosedWindows claims each window that ended before today with a
// guarded UPDATE (closed_recorded_at IS NULL), and records
// enrollment_window.closed in the same transaction: of several replicas
// racing, exactly one claims a window.
func (s *SQL) RecordClosedWindows(ctx context.Context, today oriel.Date) (int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+windowColumns+` FROM enrollment_windows WHERE ends_on < $1 AND closed_recorded_at IS NULL
		ORDER BY ends_on, id LIMIT `+strconv.Itoa(closedWindowsBatch), today)
	if err != nil {
		return 0, err
	}
	var ended []*benefits.Window
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		ended = append(ended, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	recorded, claimed := 0, false
	for _, w := range ended {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE enrollment_windows SET closed_recorded_at = $1 WHERE id = $2 AND closed_recorded_at IS NULL`, micros(now()), w.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				claimed = false // another replica recorded it
				return err
			}
			claimed = true
			return recordEvent(ctx, tx, w.VendorID, oriel.EventWindowClosed, windowData(w))
		})
		if err != nil {
			return recorded, err
		}
		if claimed {
			recorded++
		}
	}
	return recorded, nil
}
