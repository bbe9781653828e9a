package appointment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orielhq/oriel"
)

// weekdays names the days of Hours.Day.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// MaxRange is the longest range one free-slots query may cover.
const MaxRange = (MaxHorizonDays + 1) * 24 * time.Hour

// Slot is one bookable time of a type.
type Slot struct {
	// ID names an explicit slot (pushed through the API); "" for weekly hours.
	ID       string    `json:"id,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Capacity int       `json:"capacity"`
	// Remaining is how many bookings the slot still takes.
	Remaining int `json:"remaining"`
}

// SlotStore is what slot listing reads from the store.
type SlotStore interface {
	// ExplicitSlots returns a type's pushed slots that start in [from, to), by start.
	ExplicitSlots(ctx context.Context, vendorID, typeID string, from, to time.Time) ([]Slot, error)
	// SeatsTaken counts the booked seats of a type per slot start (unix
	// microseconds) for slots that start in [from, to).
	SeatsTaken(ctx context.Context, typeID string, from, to time.Time) (map[int64]int, error)
}

// parseClock reads "HH:MM" (00:00 to 24:00) as minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time HH:MM from 00:00 to 24:00", truncate(s, 16))
	}
	return hh*60 + mm, nil
}

// minutes returns s as minutes after midnight; End must follow Start.
func (s Span) minutes() (start, end int, err error) {
	if start, err = parseClock(s.Start); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(s.End); err != nil {
		return 0, 0, err
	}
	if end <= start {
		return 0, 0, errors.New("end must be after start")
	}
	return start, end, nil
}

// spansOn returns the opening hours of the local date y-m-d.
func (a *Availability) spansOn(y int, m time.Month, d int, weekday time.Weekday) []Span {
	var spans []Span
	date := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	i, found := slices.BinarySearchFunc(a.Exceptions, date, func(e Exception, date string) int { return strings.Compare(e.Date, date) })
	if !found || !a.Exceptions[i].Closed {
		for _, h := range a.Weekly {
			if weekdays[h.Day] == weekday {
				spans = append(spans, Span{h.Start, h.End})
			}
		}
	}
	if found {
		spans = append(spans, a.Exceptions[i].Hours...)
	}
	return spans
}

// WeeklySlots returns the starts, in UTC and in order, of the slots t's
// weekly hours and exceptions yield that start in [from, to). A span of
// local wall-clock hours becomes the absolute times between its two ends
// in the type's zone, cut into back-to-back slots of t's duration: across a
// daylight-saving change no slot appears twice and none goes missing, and a
// span that the change shortens or lengthens holds fewer or more slots.
func (t *Type) WeeklySlots(from, to time.Time) ([]time.Time, error) {
	loc, err := t.Location()
	if err != nil {
		return nil, err
	}
	dur := t.Duration()
	local := from.In(loc)
	var starts []time.Time
	for i := -1; ; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if !day.Before(to) {
			break
		}
		y, m, d := day.Date()
		for _, span := range t.Availability.spansOn(y, m, d, day.Weekday()) {
			startMin, endMin, _ := span.minutes() // checked by Normalize
			at := time.Date(y, m, d, startMin/60, startMin%60, 0, 0, loc)
			end := time.Date(y, m, d, endMin/60, endMin%60, 0, 0, loc)
			for ; !at.Add(dur).After(end); at = at.Add(dur) {
				if !at.Before(from) && at.Before(to) {
					starts = append(starts, at.UTC())
				}
			}
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	return slices.CompactFunc(starts, time.Time.Equal), nil
}

// Bookable returns the range of starts that may be booked at now: from the
// minimum notice to the end of the horizon.
func (t *Type) Bookable(now time.Time) (earliest, latest time.Time) {
	a := t.Availability
	return now.Add(time.Duration(a.MinNoticeMinutes) * time.Minute), now.Add(time.Duration(a.HorizonDays) * 24 * time.Hour)
}

// Offered returns t's slots that start in [from, to), with their capacity
// and, as Remaining, the capacity less the seats booked.
func Offered(ctx context.Context, st SlotStore, t *Type, from, to time.Time) ([]Slot, error) {
	var slots []Slot
	if t.Availability.Source == SourceExplicit {
		var err error
		if slots, err = st.ExplicitSlots(ctx, t.VendorID, t.ID, from, to); err != nil {
			return nil, err
		}
	} else {
		starts, err := t.WeeklySlots(from, to)
		if err != nil {
			return nil, err
		}
		slots = make([]Slot, len(starts))
		for i, s := range starts {
			slots[i] = Slot{Start: s, End: s.Add(t.Duration()), Capacity: t.Availability.Capacity}
		}
	}
	if len(slots) == 0 {
		return slots, nil
	}
	taken, err := st.SeatsTaken(ctx, t.ID, from, to)
	if err != nil {
		return nil, err
	}
	for i := range slots {
		slots[i].Remaining = max(0, slots[i].Capacity-taken[slots[i].Start.UnixMicro()])
	}
	return slots, nil
}

// FreeSlots returns the slots of t that an employee can book at now and
// that start in [from, to): inside the minimum notice and the horizon, with
// room left.
func FreeSlots(ctx context.Context, st SlotStore, t *Type, from, to, now time.Time) ([]Slot, error) {
	if !from.Before(to) || to.Sub(from) > MaxRange {
		return nil, oriel.Errorf(oriel.EINVALID, CodeRangeInvalid, "to must follow from, at most %d days later", MaxHorizonDays+1)
	}
	earliest, latest := t.Bookable(now)
	from, to = later(from, earliest), earlier(to, latest)
	if !from.Before(to) {
		return []Slot{}, nil
	}
	slots, err := Offered(ctx, st, t, from, to)
	if err != nil {
		return nil, err
	}
	free := slots[:0]
	for _, s := range slots {
		if s.Remaining > 0 {
			free = append(free, s)
		}
	}
	return free, nil
}

// Find returns the slot of t that starts at start when it can be booked at
// now (whether or not it has room), or slot_not_offered.
func Find(ctx context.Context, st SlotStore, t *Type, start, now time.Time) (Slot, error) {
	earliest, latest := t.Bookable(now)
	if start.Before(earliest) || start.After(latest) {
		return Slot{}, oriel.Errorf(oriel.EUNPROCESSABLE, CodeSlotNotOffered,
			"start must be at least %s from now and at most %d days ahead", humanMinutes(t.Availability.MinNoticeMinutes), t.Availability.HorizonDays)
	}
	slots, err := Offered(ctx, st, t, start, start.Add(time.Microsecond))
	if err != nil {
		return Slot{}, err
	}
	for _, s := range slots {
		if s.Start.Equal(start) {
			return s, nil
		}
	}
	return Slot{}, oriel.Errorf(oriel.EUNPROCESSABLE, CodeSlotNotOffered, "no slot of this appointment type starts at %s; list the free slots first", start.UTC().Format(time.RFC3339))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
