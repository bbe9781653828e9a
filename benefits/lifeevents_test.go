package benefits

import (
	"errors"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
)

func TestEventRulesAreData(t *testing.T) {
	for _, tc := range []struct {
		typ              EventType
		lookback, window int
	}{{Birth, 60, 60}, {Adoption, 60, 60}, {Marriage, 30, 30}, {Relocation, 30, 30}} {
		r := RuleOf(Rules(nil), tc.typ)
		if r.LookbackDays != tc.lookback || r.WindowDays != tc.window {
			t.Errorf("%s: %+v", tc.typ, r)
		}
	}
	custom := Rules([]EventRule{{Type: Birth, LookbackDays: 90, WindowDays: 5}})
	if r := RuleOf(custom, Birth); r.LookbackDays != 90 || !r.Custom {
		t.Fatalf("custom %+v", r)
	}
	birth := DefaultRule(Birth)
	if err := birth.CheckEventDate("2027-01-01", "2027-03-02"); err != nil {
		t.Fatalf("day 60: %v", err)
	}
	err := birth.CheckEventDate("2027-01-01", "2027-03-03")
	var e *oriel.Error
	if !errors.As(err, &e) || e.Code != CodeLifeEventTooLate || !strings.Contains(e.Message, "2027-03-02") {
		t.Fatalf("day 61: %v", err)
	}
	if err := birth.CheckEventDate("2027-03-04", "2027-03-03"); err == nil {
		t.Fatal("a future date was accepted")
	}
	if p := birth.SpecialPeriod("2027-03-01"); p.End != "2027-04-29" {
		t.Fatalf("window %+v", p)
	}
	bad := EventRule{Type: Birth, LookbackDays: 0, WindowDays: 10}
	if bad.Check() == nil {
		t.Fatal("a zero look-back was accepted")
	}
}

func TestSniffDocument(t *testing.T) {
	for head, want := range map[string]string{
		"%PDF-1.7\n":                       TypePDF,
		"\x89PNG\r\n\x1a\n\x00\x00":        TypePNG,
		"\xff\xd8\xff\xe0\x00\x10JFIF":     TypeJPEG,
		"\x00\x00\x00\x18ftypheic\x00":     TypeHEIC,
		"\x00\x00\x00\x18ftypmif1\x00":     TypeHEIC,
		"<!doctype html><script>":          "",
		"\x00\x00\x00\x18ftypisom\x00\x00": "",
		"":                                 "",
	} {
		got, err := SniffDocument([]byte(head))
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q: %q, %v", head, got, err)
		}
	}
}
