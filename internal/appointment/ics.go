package appointment

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is what the calendar file of a booking shows.
type Calendar struct {
	Booking *Booking
	Type    *Type
	// Organizer names who offers the appointment (the vendor).
	Organizer string
	// Domain makes the UID globally unique (Oriel's host name).
	Domain string
}

// ICS renders the booking as an RFC 5545 calendar: one VEVENT whose UID is
// stable across changes, with UTC times and a SEQUENCE that grows with each
// reschedule. A cancelled booking renders with METHOD:CANCEL and
// STATUS:CANCELLED, so a calendar that imported it removes the event.
func (c Calendar) ICS() []byte {
	b, t := c.Booking, c.Type
	method, status := "PUBLISH", "CONFIRMED"
	if b.Status == StatusCancelled {
		method, status = "CANCEL", "CANCELLED"
	}
	var w icsWriter
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Oriel//Appointments//EN")
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", method)
	w.line("BEGIN", "VEVENT")
	w.line("UID", b.ID+"@"+c.Domain)
	w.line("DTSTAMP", icsTime(b.UpdatedAt))
	w.line("DTSTART", icsTime(b.Start))
	w.line("DTEND", icsTime(b.End))
	w.line("SEQUENCE", strconv.Itoa(b.Sequence))
	w.line("STATUS", status)
	w.line("SUMMARY", icsText(t.Name))
	w.line("LOCATION", icsText(location(t)))
	if c.Organizer != "" {
		w.line("DESCRIPTION", icsText(t.Name+" with "+c.Organizer))
	}
	w.line("END", "VEVENT")
	w.line("END", "VCALENDAR")
	return []byte(w.String())
}

// location is where the appointment takes place, in words.
func location(t *Type) string {
	switch t.Mode {
	case ModeInPerson:
		return t.Address
	case ModePhone:
		return "Phone call"
	default:
		return "Video call"
	}
}

// icsTime is a UTC DATE-TIME (RFC 5545 §3.3.5, form 2).
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsWriter writes content lines ending in CRLF, folded at 75 octets
// without splitting a UTF-8 character (RFC 5545 §3.1).
type icsWriter struct{ strings.Builder }

func (w *icsWriter) line(name, value string) {
	s := name + ":" + value
	width := 75
	for len(s) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		width = 74 // the leading space counts
	}
	w.WriteString(s + "\r\n")
}
