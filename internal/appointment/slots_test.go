package appointment

import (
	"context"
	"strings"
	"testing"
	"time"
)

func weekdayType(t *testing.T, zone string, exceptions ...Exception) *Type {
	t.Helper()
	typ := DefaultType()
	typ.Name, typ.DurationMinutes, typ.Mode = "Advisor call", 30, ModeVideo
	typ.Availability.TimeZone = zone
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		typ.Availability.Weekly = append(typ.Availability.Weekly, Hours{Day: d, Start: "09:00", End: "17:00"})
	}
	typ.Availability.Exceptions = exceptions
	if err := typ.Normalize(); err != nil {
		t.Fatal(err)
	}
	return &typ
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// 9:00–17:00 America/New_York is 14:00–22:00 UTC in winter (EST, UTC−5) and
// 13:00–21:00 UTC in summer (EDT, UTC−4). In 2026 the clocks go forward on
// Sunday 8 March at 2:00 and back on Sunday 1 November at 2:00.
func TestWeeklySlotsAcrossDST(t *testing.T) {
	typ := weekdayType(t, "America/New_York")
	for _, c := range []struct {
		name              string
		from, to          string
		firstDay, lastDay [2]string // first and last slot of the first and last local day
	}{
		{"March change", "2026-03-07T05:00:00Z", "2026-03-10T04:00:00Z",
			[2]string{"2026-03-07T14:00:00Z", "2026-03-07T21:30:00Z"}, [2]string{"2026-03-09T13:00:00Z", "2026-03-09T20:30:00Z"}},
		{"November change", "2026-10-31T04:00:00Z", "2026-11-03T05:00:00Z",
			[2]string{"2026-10-31T13:00:00Z", "2026-10-31T20:30:00Z"}, [2]string{"2026-11-02T14:00:00Z", "2026-11-02T21:30:00Z"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			starts, err := typ.WeeklySlots(utc(c.from), utc(c.to))
			if err != nil {
				t.Fatal(err)
			}
			// Three local days of sixteen half-hour slots, each once.
			if len(starts) != 48 {
				t.Fatalf("%d slots, want 48: %v", len(starts), starts)
			}
			seen := map[time.Time]bool{}
			for i, s := range starts {
				if seen[s] || (i > 0 && !s.After(starts[i-1])) {
					t.Fatalf("slot %s twice or out of order", s)
				}
				seen[s] = true
			}
			for day := 0; day < 3; day++ {
				first, last := starts[day*16], starts[day*16+15]
				loc, _ := typ.Location()
				if lf, ll := first.In(loc), last.In(loc); lf.Hour() != 9 || lf.Minute() != 0 || ll.Hour() != 16 || ll.Minute() != 30 || lf.Day() != ll.Day() {
					t.Fatalf("day %d: local slots %s … %s, want 09:00 … 16:30", day, lf, ll)
				}
			}
			if got := [2]string{starts[0].Format(time.RFC3339), starts[15].Format(time.RFC3339)}; got != c.firstDay {
				t.Fatalf("first day %v, want %v", got, c.firstDay)
			}
			if got := [2]string{starts[32].Format(time.RFC3339), starts[47].Format(time.RFC3339)}; got != c.lastDay {
				t.Fatalf("last day %v, want %v", got, c.lastDay)
			}
		})
	}
}

// Hours that cross the change itself: the night of 1 November 2026 has
// 01:00–02:00 twice, so 00:00–03:00 local holds four hours; the night of
// 8 March has no 02:00–03:00, so 00:00–04:00 holds three.
func TestWeeklySlotsInsideTheChange(t *testing.T) {
	for _, c := range []struct {
		date  string
		span  Span
		hours int
	}{
		{"2026-11-01", Span{"00:00", "03:00"}, 4},
		{"2026-03-08", Span{"00:00", "04:00"}, 3},
	} {
		typ := weekdayType(t, "America/New_York", Exception{Date: c.date, Closed: true, Hours: []Span{c.span}})
		typ.DurationMinutes = 60
		day, _ := time.ParseInLocation(time.DateOnly, c.date, must(typ.Location()))
		starts, err := typ.WeeklySlots(day, day.Add(5*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(starts) != c.hours {
			t.Fatalf("%s: %d slots, want %d: %v", c.date, len(starts), c.hours, starts)
		}
		for i := 1; i < len(starts); i++ {
			if starts[i].Sub(starts[i-1]) != time.Hour {
				t.Fatalf("%s: slots %v are not an hour apart", c.date, starts)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestExceptions(t *testing.T) {
	typ := weekdayType(t, "Europe/Paris",
		Exception{Date: "2026-12-24", Closed: true},
		Exception{Date: "2026-12-26", Hours: []Span{{"18:00", "19:00"}}})
	starts, err := typ.WeeklySlots(utc("2026-12-24T00:00:00Z"), utc("2026-12-27T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	days := map[string]int{}
	for _, s := range starts {
		days[s.Format(time.DateOnly)]++
	}
	if days["2026-12-24"] != 0 || days["2026-12-25"] != 16 || days["2026-12-26"] != 18 {
		t.Fatalf("slots per day %v, want 0, 16 and 18", days)
	}
}

type noBookings struct{}

func (noBookings) ExplicitSlots(context.Context, string, string, time.Time, time.Time) ([]Slot, error) {
	return nil, nil
}
func (noBookings) SeatsTaken(context.Context, string, time.Time, time.Time) (map[int64]int, error) {
	return map[int64]int{}, nil
}

func TestNoticeAndHorizon(t *testing.T) {
	typ := weekdayType(t, "UTC")
	now := utc("2026-06-01T09:10:00Z")
	free, err := FreeSlots(context.Background(), noBookings{}, typ, now.Add(-24*time.Hour), now.Add(90*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := free[0].Start; !got.Equal(utc("2026-06-01T11:30:00Z")) {
		t.Fatalf("first free slot %s, want 11:30 (two hours' notice)", got)
	}
	if last := free[len(free)-1].Start; !last.Equal(utc("2026-07-31T09:00:00Z")) {
		t.Fatalf("last free slot %s, want the last one inside 60 days", last)
	}
	if _, err := Find(context.Background(), noBookings{}, typ, utc("2026-06-01T10:00:00Z"), now); err == nil || !strings.Contains(err.Error(), CodeSlotNotOffered) {
		t.Fatalf("a slot inside the notice: %v", err)
	}
	if _, err := Find(context.Background(), noBookings{}, typ, utc("2026-06-02T10:10:00Z"), now); err == nil {
		t.Fatal("a start between slots was accepted")
	}
	if s, err := Find(context.Background(), noBookings{}, typ, utc("2026-06-02T10:30:00Z"), now); err != nil || s.Remaining != 1 {
		t.Fatalf("a free slot: %+v %v", s, err)
	}
}

func TestICS(t *testing.T) {
	typ := weekdayType(t, "America/New_York")
	typ.Name = "Telehealth, primary care; 30 min"
	b := &Booking{ID: "apt_1", Start: utc("2026-03-09T13:00:00Z"), End: utc("2026-03-09T13:30:00Z"), Status: StatusBooked,
		Sequence: 2, UpdatedAt: utc("2026-03-01T10:00:00Z")}
	ics := string(Calendar{Booking: b, Type: typ, Organizer: "Acme Benefits", Domain: "oriel.test"}.ICS())
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "METHOD:PUBLISH\r\n", "UID:apt_1@oriel.test\r\n", "DTSTART:20260309T130000Z\r\n",
		"DTEND:20260309T133000Z\r\n", "SEQUENCE:2\r\n", "SUMMARY:Telehealth\\, primary care\\; 30 min\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Fatalf("ICS lacks %q:\n%s", want, ics)
		}
	}
	for _, line := range strings.Split(ics, "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line longer than 75 octets: %q", line)
		}
	}
	b.Status = StatusCancelled
	if ics := string(Calendar{Booking: b, Type: typ, Domain: "oriel.test"}.ICS()); !strings.Contains(ics, "METHOD:CANCEL\r\n") || !strings.Contains(ics, "STATUS:CANCELLED\r\n") {
		t.Fatalf("cancelled ICS:\n%s", ics)
	}
}
