//go:build unix

package store

import (
	"context"
	"database/sql"
	"syscall"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/appointment"
)

// BenchmarkFreeSlots lists the free slots of one type's whole 60-day
// horizon on SQLite while 10,000 bookings hold seats in it: a type open
// around the clock in 10-minute slots of capacity 2 (8,640 slots), so the
// query counts seats over the whole horizon and every slot is generated.
//
//	go test ./internal/store -run '^$' -bench FreeSlots -benchtime 50x
func BenchmarkFreeSlots(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+b.TempDir()+"/bench.db", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	v := &oriel.Vendor{Name: "Acme"}
	benchMust(b, s.CreateVendor(ctx, v))
	c := &oriel.Customer{VendorID: v.ID, ExternalID: "acme", Name: "Acme"}
	benchMust(b, s.CreateCustomer(ctx, c))
	users := make([]string, 100)
	for i := range users {
		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		benchMust(b, s.CreateUser(ctx, u))
		users[i] = u.ID
	}
	typ := appointment.DefaultType()
	typ.VendorID, typ.Name, typ.DurationMinutes, typ.Mode = v.ID, "Nurse line", 10, appointment.ModePhone
	typ.Availability.TimeZone, typ.Availability.Capacity = "America/New_York", 2
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		typ.Availability.Weekly = append(typ.Availability.Weekly, appointment.Hours{Day: d, Start: "00:00", End: "24:00"})
	}
	benchMust(b, typ.Normalize())
	benchMust(b, s.CreateAppointmentType(ctx, &typ))

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	from, to := now, now.Add(60*24*time.Hour)
	starts, err := typ.WeeklySlots(from, to)
	benchMust(b, err)
	const bookings = 10_000
	benchMust(b, s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range bookings {
			start := starts[i%len(starts)]
			id := newID("apm")
			if _, err := tx.ExecContext(ctx, `INSERT INTO appointments (id, vendor_id, customer_id, user_id, type_id, start_at, end_at, status, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $8)`, id, v.ID, c.ID, users[i%len(users)], typ.ID, micros(start), micros(start.Add(typ.Duration())), micros(now)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO appointment_seats (type_id, start_at, seat, appointment_id) VALUES ($1, $2, $3, $4)`,
				typ.ID, micros(start), i/len(starts), id); err != nil {
				return err
			}
		}
		return nil
	}))

	var free []appointment.Slot
	cpu := cpuTime()
	for b.Loop() {
		free, err = appointment.FreeSlots(ctx, s, &typ, from, to, now)
		if err != nil {
			b.Fatal(err)
		}
	}
	// 8,640 slots of 2 seats less 10,000 bookings: 1,360 slots are full.
	if want := len(starts) - (bookings - len(starts)); len(free) < want-12 || len(free) > want {
		b.Fatalf("%d free slots of %d, want about %d", len(free), len(starts), want)
	}
	// CPU time tells the cost on a shared machine, where ns/op also counts the wait for a core.
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(starts)), "slots")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchMust(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
