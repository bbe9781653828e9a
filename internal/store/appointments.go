package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/appointment"
)

// AppointmentStore keeps appointment types, their pushed slots and their
// bookings. A slot's capacity is enforced by the database: each booking
// holds one seat of its slot, and a seat is a primary key.
type AppointmentStore interface {
	appointment.SlotStore

	// CreateAppointmentType stores t (ID and timestamps assigned); a
	// CustomerID names one of the vendor's customers by Oriel id.
	CreateAppointmentType(ctx context.Context, t *appointment.Type) error
	// AppointmentType returns one of the vendor's types, or appointment_type_not_found.
	AppointmentType(ctx context.Context, vendorID, id string) (*appointment.Type, error)
	// ListAppointmentTypes returns one page of the vendor's types that f selects.
	ListAppointmentTypes(ctx context.Context, vendorID string, f TypeFilter, p oriel.Page) ([]*appointment.Type, bool, error)
	// UpdateAppointmentType reads a type, lets apply change it, and stores
	// the result in one transaction; an error from apply is returned as is.
	UpdateAppointmentType(ctx context.Context, vendorID, id string, apply func(*appointment.Type) error) (*appointment.Type, error)

	// PutAppointmentSlots adds explicit slots to a type, or changes the end
	// and capacity of those that start at the same time; it returns them with ids.
	PutAppointmentSlots(ctx context.Context, vendorID, typeID string, slots []appointment.Slot) ([]appointment.Slot, error)
	// DeleteAppointmentSlot removes an explicit slot; its bookings stand.
	DeleteAppointmentSlot(ctx context.Context, vendorID, typeID, slotID string) error

	// BookAppointment stores b (ID, status, sequence and timestamps
	// assigned) holding a seat of its slot, and records appointment.booked,
	// in one transaction. A slot whose capacity seats are all held answers
	// slot_unavailable.
	BookAppointment(ctx context.Context, b *appointment.Booking, capacity int) error
	// RescheduleAppointment moves b, as last read, to [start, end): it
	// takes a seat of the new slot, frees the old one, bumps the sequence
	// and records appointment.rescheduled in one transaction.
	RescheduleAppointment(ctx context.Context, b *appointment.Booking, start, end time.Time, capacity int) (*appointment.Booking, error)
	// CancelAppointment cancels b, as last read, frees its seat and records
	// appointment.cancelled naming who cancelled, in one transaction.
	CancelAppointment(ctx context.Context, b *appointment.Booking, by string) (*appointment.Booking, error)
	// Appointment returns one of the vendor's bookings, or appointment_not_found.
	Appointment(ctx context.Context, vendorID, id string) (*appointment.Booking, error)
	// ListAppointments returns one page of the vendor's bookings that f selects, by id.
	ListAppointments(ctx context.Context, vendorID string, f AppointmentFilter, p oriel.Page) ([]*appointment.Booking, bool, error)
}

// TypeFilter selects appointment types.
type TypeFilter struct {
	// CustomerID keeps the types of this customer only (by Oriel id).
	CustomerID string
	// OfferedTo keeps the active types an employee of this customer may
	// book: the customer's own and the vendor-wide ones.
	OfferedTo string
}

// AppointmentFilter selects bookings; zero fields select everything.
type AppointmentFilter struct {
	CustomerID string
	UserID     string
	TypeID     string
	Status     appointment.Status
	// StartFrom and StartBefore bound the start.
	StartFrom, StartBefore time.Time
}

var (
	errAppointmentChanged = oriel.Errorf(oriel.ECONFLICT, "appointment_changed", "this appointment changed meanwhile; read it again and retry")
	errAlreadyBooked      = oriel.Errorf(oriel.ECONFLICT, "already_booked", "this person already has an appointment in this slot")
)

const appointmentTypeColumns = `id, vendor_id, customer_id, name, description, duration_minutes, mode, address, who_may_book, cutoff_minutes, questions, availability, active, created_at, updated_at`

func scanAppointmentType(sc scanner) (*appointment.Type, error) {
	var t appointment.Type
	var customer sql.NullString
	var questions, availability string
	var active int
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.VendorID, &customer, &t.Name, &t.Description, &t.DurationMinutes, &t.Mode, &t.Address, &t.WhoMayBook,
		&t.CutoffMinutes, &questions, &availability, &active, &created, &updated); err != nil {
		return nil, err
	}
	t.CustomerID, t.Active = customer.String, active != 0
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(questions), &t.Questions); err != nil {
		return nil, fmt.Errorf("corrupt appointment type questions: %w", err)
	}
	if err := json.Unmarshal([]byte(availability), &t.Availability); err != nil {
		return nil, fmt.Errorf("corrupt appointment type availability: %w", err)
	}
	return &t, nil
}

// appointmentTypeValues are t's columns after id and vendor_id, in order.
func appointmentTypeValues(t *appointment.Type) []any {
	questions, _ := json.Marshal(t.Questions)
	availability, _ := json.Marshal(t.Availability)
	active := 0
	if t.Active {
		active = 1
	}
	return []any{nullable(t.CustomerID), t.Name, t.Description, t.DurationMinutes, t.Mode, t.Address, t.WhoMayBook, t.CutoffMinutes,
		string(questions), string(availability), active, micros(t.CreatedAt), micros(t.UpdatedAt)}
}

// CreateAppointmentType stores t (ID and timestamps assigned).
func (s *SQL) CreateAppointmentType(ctx context.Context, t *appointment.Type) error {
	t.ID, t.CreatedAt = newID("apt"), now()
	t.UpdatedAt = t.CreatedAt
	_, err := s.w.ExecContext(ctx, `INSERT INTO appointment_types (`+appointmentTypeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, append([]any{t.ID, t.VendorID}, appointmentTypeValues(t)...)...)
	return err
}

// AppointmentType returns one of the vendor's types.
func (s *SQL) AppointmentType(ctx context.Context, vendorID, id string) (*appointment.Type, error) {
	return appointmentType(ctx, s.r, vendorID, id)
}

func appointmentType(ctx context.Context, q queryer, vendorID, id string) (*appointment.Type, error) {
	row := q.QueryRowContext(ctx, `SELECT `+appointmentTypeColumns+` FROM appointment_types WHERE vendor_id = $1 AND id = $2`, vendorID, id)
	return one(row, scanAppointmentType, appointment.ErrTypeNotFound)
}

// ListAppointmentTypes returns one page of the vendor's types that f selects.
func (s *SQL) ListAppointmentTypes(ctx context.Context, vendorID string, f TypeFilter, p oriel.Page) ([]*appointment.Type, bool, error) {
	query, args := `SELECT `+appointmentTypeColumns+` FROM appointment_types WHERE vendor_id = $1`, []any{vendorID}
	switch {
	case f.OfferedTo != "":
		query += ` AND active = 1 AND (customer_id IS NULL OR customer_id = $2)`
		args = append(args, f.OfferedTo)
	case f.CustomerID != "":
		query += ` AND customer_id = $2`
		args = append(args, f.CustomerID)
	}
	return list(ctx, s.r, query, "id", args, p, scanAppointmentType)
}

// UpdateAppointmentType applies apply to a type in one transaction.
func (s *SQL) UpdateAppointmentType(ctx context.Context, vendorID, id string, apply func(*appointment.Type) error) (*appointment.Type, error) {
	var t *appointment.Type
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if t, err = appointmentType(ctx, tx, vendorID, id); err != nil {
			return err
		}
		if err := apply(t); err != nil {
			return err
		}
		t.UpdatedAt = now()
		_, err = tx.ExecContext(ctx, `UPDATE appointment_types SET customer_id = $1, name = $2, description = $3, duration_minutes = $4, mode = $5,
			address = $6, who_may_book = $7, cutoff_minutes = $8, questions = $9, availability = $10, active = $11, created_at = $12, updated_at = $13
			WHERE id = $14`, append(appointmentTypeValues(t), t.ID)...)
		return err
	})
	return t, err
}

// PutAppointmentSlots adds or changes explicit slots of a type.
func (s *SQL) PutAppointmentSlots(ctx context.Context, vendorID, typeID string, slots []appointment.Slot) ([]appointment.Slot, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := appointmentType(ctx, tx, vendorID, typeID); err != nil {
			return err
		}
		for i := range slots {
			sl := &slots[i]
			err := tx.QueryRowContext(ctx, `INSERT INTO appointment_slots (id, type_id, start_at, end_at, capacity) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (type_id, start_at) DO UPDATE SET end_at = excluded.end_at, capacity = excluded.capacity RETURNING id`,
				newID("slt"), typeID, micros(sl.Start), micros(sl.End), sl.Capacity).Scan(&sl.ID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return slots, err
}

// DeleteAppointmentSlot removes an explicit slot of one of the vendor's types.
func (s *SQL) DeleteAppointmentSlot(ctx context.Context, vendorID, typeID, slotID string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM appointment_slots WHERE id = $1 AND type_id IN (SELECT id FROM appointment_types WHERE vendor_id = $2 AND id = $3)`,
		slotID, vendorID, typeID)
	return mustAffect(res, err, appointment.ErrSlotNotFound)
}

// ExplicitSlots returns a type's pushed slots that start in [from, to).
func (s *SQL) ExplicitSlots(ctx context.Context, vendorID, typeID string, from, to time.Time) ([]appointment.Slot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.id, s.start_at, s.end_at, s.capacity FROM appointment_slots s JOIN appointment_types t ON t.id = s.type_id
		WHERE t.vendor_id = $1 AND s.type_id = $2 AND s.start_at >= $3 AND s.start_at < $4 ORDER BY s.start_at`, vendorID, typeID, micros(from), micros(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	slots := []appointment.Slot{}
	for rows.Next() {
		var sl appointment.Slot
		var start, end int64
		if err := rows.Scan(&sl.ID, &start, &end, &sl.Capacity); err != nil {
			return nil, err
		}
		sl.Start, sl.End = fromMicros(start), fromMicros(end)
		slots = append(slots, sl)
	}
	return slots, rows.Err()
}

// SeatsTaken counts the held seats of a type per slot start in [from, to).
// The database answers the starts of the held seats as one text, "start,…":
// a horizon holds thousands of seats, and one row each would cost more
// than the whole query.
func (s *SQL) SeatsTaken(ctx context.Context, typeID string, from, to time.Time) (map[int64]int, error) {
	concat := "group_concat"
	if s.dialect == Postgres {
		concat = "string_agg"
	}
	var starts string
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(`+concat+`(CAST(start_at AS TEXT), ','), '') FROM appointment_seats
		WHERE type_id = $1 AND start_at >= $2 AND start_at < $3`, typeID, micros(from), micros(to)).Scan(&starts)
	if err != nil {
		return nil, err
	}
	taken := map[int64]int{}
	for start := range strings.SplitSeq(starts, ",") {
		if start == "" {
			continue
		}
		at, err := strconv.ParseInt(start, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seat counts: corrupt start %q", start)
		}
		taken[at]++
	}
	return taken, nil
}

// claimSeat takes the first free seat below capacity of b's slot for b, or
// answers slot_unavailable. ON CONFLICT DO NOTHING makes a concurrent claim
// of the same seat wait for the other transaction and then skip the seat if
// it committed, so no check-then-insert race exists.
func claimSeat(ctx context.Context, tx *sql.Tx, b *appointment.Booking, capacity int) error {
	for seat := range capacity {
		res, err := tx.ExecContext(ctx, `INSERT INTO appointment_seats (type_id, start_at, seat, appointment_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			b.TypeID, micros(b.Start), seat, b.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			if err == nil {
				err = withinCapacity(ctx, tx, b, capacity)
			}
			return err
		}
	}
	return appointment.ErrSlotUnavailable
}

// withinCapacity refuses a seat that the vendor lowered the capacity under:
// seats numbered above the new capacity, taken before the change, still
// count. (They are committed, so every transaction sees them.)
func withinCapacity(ctx context.Context, tx *sql.Tx, b *appointment.Booking, capacity int) error {
	var held int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointment_seats WHERE type_id = $1 AND start_at = $2`, b.TypeID, micros(b.Start)).Scan(&held); err != nil {
		return err
	}
	if held > capacity {
		return appointment.ErrSlotUnavailable
	}
	return nil
}

// BookAppointment stores b holding a seat of its slot.
func (s *SQL) BookAppointment(ctx context.Context, b *appointment.Booking, capacity int) error {
	b.ID, b.Status, b.Sequence, b.CreatedAt = newID("apm"), appointment.StatusBooked, 0, now()
	b.UpdatedAt = b.CreatedAt
	if b.Answers == nil {
		b.Answers = map[string]string{}
	}
	answers, _ := json.Marshal(b.Answers)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO appointments (id, vendor_id, customer_id, user_id, type_id, start_at, end_at, status, dependent_id, answers, sequence, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)`,
			b.ID, b.VendorID, b.CustomerID, b.UserID, b.TypeID, micros(b.Start), micros(b.End), b.Status, b.DependentID, string(answers),
			micros(b.CreatedAt), micros(b.UpdatedAt)); isUniqueViolation(err) {
			return errAlreadyBooked
		} else if err != nil {
			return err
		}
		if err := claimSeat(ctx, tx, b, capacity); err != nil {
			return err
		}
		return recordEvent(ctx, tx, b.VendorID, appointment.EventBooked, appointment.NewEventData(b))
	})
}

// changeBooking runs change on b in a transaction after a guarded update
// that sets its status, times and sequence only if nobody changed b since
// it was read; otherwise it answers appointment_cancelled or appointment_changed.
func (s *SQL) changeBooking(ctx context.Context, b *appointment.Booking, next appointment.Booking, change func(tx *sql.Tx) error) (*appointment.Booking, error) {
	next.Sequence, next.UpdatedAt = b.Sequence+1, now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var cancelledAt any
		if next.CancelledAt != nil {
			cancelledAt = micros(*next.CancelledAt)
		}
		res, err := tx.ExecContext(ctx, `UPDATE appointments SET status = $1, start_at = $2, end_at = $3, sequence = $4, cancelled_by = $5, cancelled_at = $6, updated_at = $7
			WHERE vendor_id = $8 AND id = $9 AND status = 'booked' AND sequence = $10`,
			next.Status, micros(next.Start), micros(next.End), next.Sequence, next.CancelledBy, cancelledAt, micros(next.UpdatedAt), b.VendorID, b.ID, b.Sequence)
		if isUniqueViolation(err) {
			return errAlreadyBooked
		}
		if err := mustAffect(res, err, errAppointmentChanged); err != nil {
			if current, rerr := booking(ctx, tx, b.VendorID, b.ID); rerr == nil && current.Status == appointment.StatusCancelled {
				return appointment.ErrCancelled
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM appointment_seats WHERE appointment_id = $1`, b.ID); err != nil {
			return err
		}
		return change(tx)
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// RescheduleAppointment moves b to [start, end).
func (s *SQL) RescheduleAppointment(ctx context.Context, b *appointment.Booking, start, end time.Time, capacity int) (*appointment.Booking, error) {
	next := *b
	next.Start, next.End = start, end
	return s.changeBooking(ctx, b, next, func(tx *sql.Tx) error {
		if err := claimSeat(ctx, tx, &next, capacity); err != nil {
			return err
		}
		data := appointment.NewEventData(&next)
		previous := b.Start
		data.PreviousStart = &previous
		return recordEvent(ctx, tx, b.VendorID, appointment.EventRescheduled, data)
	})
}

// CancelAppointment cancels b, naming who cancelled it.
func (s *SQL) CancelAppointment(ctx context.Context, b *appointment.Booking, by string) (*appointment.Booking, error) {
	next := *b
	at := now()
	next.Status, next.CancelledBy, next.CancelledAt = appointment.StatusCancelled, by, &at
	return s.changeBooking(ctx, b, next, func(tx *sql.Tx) error {
		return recordEvent(ctx, tx, b.VendorID, appointment.EventCancelled, appointment.NewEventData(&next))
	})
}

const bookingColumns = `id, vendor_id, customer_id, user_id, type_id, start_at, end_at, status, dependent_id, answers, sequence, cancelled_by, cancelled_at, created_at, updated_at`

func scanBooking(sc scanner) (*appointment.Booking, error) {
	var b appointment.Booking
	var start, end, created, updated int64
	var cancelled sql.NullInt64
	var answers string
	if err := sc.Scan(&b.ID, &b.VendorID, &b.CustomerID, &b.UserID, &b.TypeID, &start, &end, &b.Status, &b.DependentID, &answers,
		&b.Sequence, &b.CancelledBy, &cancelled, &created, &updated); err != nil {
		return nil, err
	}
	b.Start, b.End, b.CreatedAt, b.UpdatedAt = fromMicros(start), fromMicros(end), fromMicros(created), fromMicros(updated)
	if cancelled.Valid {
		t := fromMicros(cancelled.Int64)
		b.CancelledAt = &t
	}
	if err := json.Unmarshal([]byte(answers), &b.Answers); err != nil {
		return nil, fmt.Errorf("corrupt appointment answers: %w", err)
	}
	return &b, nil
}

// Appointment returns one of the vendor's bookings.
func (s *SQL) Appointment(ctx context.Context, vendorID, id string) (*appointment.Booking, error) {
	return booking(ctx, s.r, vendorID, id)
}

func booking(ctx context.Context, q queryer, vendorID, id string) (*appointment.Booking, error) {
	row := q.QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM appointments WHERE vendor_id = $1 AND id = $2`, vendorID, id)
	return one(row, scanBooking, appointment.ErrNotFound)
}

// ListAppointments returns one page of the vendor's bookings that f selects.
func (s *SQL) ListAppointments(ctx context.Context, vendorID string, f AppointmentFilter, p oriel.Page) ([]*appointment.Booking, bool, error) {
	query, args := `SELECT `+bookingColumns+` FROM appointments WHERE vendor_id = $1`, []any{vendorID}
	add := func(cond string, v any) {
		args = append(args, v)
		query += fmt.Sprintf(" AND %s $%d", cond, len(args))
	}
	if f.CustomerID != "" {
		add("customer_id =", f.CustomerID)
	}
	if f.UserID != "" {
		add("user_id =", f.UserID)
	}
	if f.TypeID != "" {
		add("type_id =", f.TypeID)
	}
	if f.Status != "" {
		add("status =", f.Status)
	}
	if !f.StartFrom.IsZero() {
		add("start_at >=", micros(f.StartFrom))
	}
	if !f.StartBefore.IsZero() {
		add("start_at <", micros(f.StartBefore))
	}
	return list(ctx, s.r, query, "id", args, p, scanBooking)
}
