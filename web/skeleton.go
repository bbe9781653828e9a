package web

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/orielhq/oriel"
)

// The direct-link connection page is Oriel's busiest page, and its markup
// depends on only a few values. It renders from a skeleton: the page's
// template executed once per shape (theme, role, which values are empty)
// with a marker in place of each value, then split at the markers. A page
// is then the skeleton's parts with its values in between: no template
// execution, no reflection.
//
// Only values that every escaper of html/template would write unchanged
// are written so (slotSafe): letters, digits, and " _.-:/". Each shape is
// checked when its skeleton is made: rendered with such characters in
// every value, the template must write them as they are. A page with any
// other character in a value, or of a shape that fails the check, renders
// through its template.

// skeletal is a page that can render from a skeleton.
type skeletal interface {
	Page
	// shape is what the markup depends on besides the slots: comparable.
	shape() any
	// slots returns pointers to the page's values that the template writes
	// (escaped) and otherwise only tests for emptiness.
	slots() []*string
}

func (p *ConnectionPage) shape() any {
	return connectionShape{theme: p.Theme, role: p.Role, filled: filled(p.slots())}
}

func (p *ConnectionPage) slots() []*string {
	return []*string{&p.Nonce, &p.ParentOrigin, &p.Session, &p.Name, &p.Initials, &p.Customer, &p.CustomerInitials, &p.ConnectionID}
}

// connectionShape is the shape of a ConnectionPage.
type connectionShape struct {
	theme  Theme
	role   oriel.Role
	filled uint64
}

// filled has bit i set when slot i is not empty.
func filled(slots []*string) uint64 {
	var bits uint64
	for i, s := range slots {
		if *s != "" {
			bits |= 1 << i
		}
	}
	return bits
}

// skeleton is a page rendered with markers, split at them: parts[0], the
// value of slot order[0], parts[1], … parts[len(order)].
type skeleton struct {
	parts []string
	order []int
}

// maxSkeletons bounds the cache; when it is full it starts over.
const maxSkeletons = 1000

var skeletons struct {
	sync.RWMutex
	byShape map[any]*skeleton // nil: the shape renders through its template
}

// markerPattern finds the markers skeletonOf puts in place of slot values.
var markerPattern = regexp.MustCompile(`oRiElSlOt([0-9]+)x`)

func marker(i int) string { return "oRiElSlOt" + strconv.Itoa(i) + "x" }

// slotProbe is a value of every character slotSafe allows, which the
// check of a skeleton puts after each marker.
const slotProbe = "aZ09 _.-:/"

// writeSkeletal renders p from its shape's skeleton into buf and reports
// whether it could.
func writeSkeletal(buf *bytes.Buffer, p skeletal) bool {
	values := p.slots()
	for _, v := range values {
		if !slotSafe(*v) {
			return false
		}
	}
	key := p.shape()
	skeletons.RLock()
	sk, known := skeletons.byShape[key]
	skeletons.RUnlock()
	if !known {
		sk = buildSkeleton(p)
		skeletons.Lock()
		if skeletons.byShape == nil || len(skeletons.byShape) >= maxSkeletons {
			skeletons.byShape = make(map[any]*skeleton)
		}
		skeletons.byShape[key] = sk
		skeletons.Unlock()
	}
	if sk == nil {
		return false
	}
	for i, slot := range sk.order {
		buf.WriteString(sk.parts[i])
		buf.WriteString(*values[slot])
	}
	buf.WriteString(sk.parts[len(sk.order)])
	return true
}

// buildSkeleton renders p twice, with markers and with markers followed by
// slotProbe, and makes the skeleton when the two agree.
func buildSkeleton(p skeletal) *skeleton {
	render := func(value func(i int) string) (string, bool) {
		c := asSkeletal(p)
		for i, s := range c.slots() {
			if *s != "" {
				*s = value(i)
			}
		}
		var b strings.Builder
		if err := pages[c.template()].ExecuteTemplate(&b, "shell", c); err != nil {
			return "", false
		}
		return b.String(), true
	}
	marked, ok := render(marker)
	if !ok {
		return nil
	}
	probed, ok := render(func(i int) string { return marker(i) + slotProbe })
	if !ok || probed != markerPattern.ReplaceAllString(marked, "${0}"+slotProbe) {
		return nil
	}
	sk := &skeleton{}
	last := 0
	for _, m := range markerPattern.FindAllStringSubmatchIndex(marked, -1) {
		slot, _ := strconv.Atoi(marked[m[2]:m[3]])
		sk.parts = append(sk.parts, marked[last:m[0]])
		sk.order = append(sk.order, slot)
		last = m[1]
	}
	sk.parts = append(sk.parts, marked[last:])
	return sk
}

// asSkeletal returns a copy of p that renders from a skeleton, or nil for
// a page that renders through its template only.
func asSkeletal(p Page) skeletal {
	switch p := p.(type) {
	case ConnectionPage:
		return &p
	case *ConnectionPage:
		c := *p
		return &c
	}
	return nil
}

// slotSafe reports whether every escaper of html/template writes s
// unchanged, as far as the skeleton's check vouches: letters, digits and
// " _.-:/".
func slotSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(slotProbe, c) >= 0) {
			return false
		}
	}
	return true
}
