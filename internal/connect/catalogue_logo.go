package connect

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Monogram logos: the letters of a name on a rounded square of a brand
// colour, drawn by Oriel for every catalogue provider and for integrations
// without a logo of their own. Their URL says everything they show
// (MonogramPath), so that they are immutable, need no storage, and any
// replica can serve any of them.

// LogoPathPrefix is the path under which Oriel serves logos.
const LogoPathPrefix = "/logos/"

// monogramVersion names the drawing in monogram URLs; change it when the
// drawing changes, so that caches holding the old one are bypassed.
const monogramVersion = "m1"

// monogramFileRE is the file name of a monogram logo: version, one or two
// upper-case letters or digits (percent-decoded), colour.
var monogramFileRE = regexp.MustCompile(`^` + monogramVersion + `-([^-/]{1,8})-([0-9A-F]{6})\.svg$`)

// monogram returns the letters shown in p's logo: its Monogram, or those of
// its display name.
func (p *Provider) monogram() string {
	if p.Monogram != "" {
		return p.Monogram
	}
	return Monogram(p.DisplayName)
}

// Monogram returns the letters that stand for name in a logo: the first
// letter or digit of its first two words, upper-cased ("Acme CRM" → "AC"),
// or "?" when it has none.
func Monogram(name string) string {
	var letters []rune
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		letters = append(letters, unicode.ToUpper([]rune(word)[0]))
		if len(letters) == 2 {
			break
		}
	}
	if len(letters) == 0 {
		return "?"
	}
	return string(letters)
}

// MonogramPath returns the path of the logo showing letters (as Monogram
// returns them) on color (#RRGGBB, upper case).
func MonogramPath(letters, color string) string {
	return LogoPathPrefix + monogramVersion + "-" + url.PathEscape(letters) + "-" + strings.TrimPrefix(color, "#") + ".svg"
}

// MonogramSVG returns the SVG of the monogram logo whose file name (the
// decoded last segment of its path) is file, or false when file does not
// name one.
func MonogramSVG(file string) ([]byte, bool) {
	m := monogramFileRE.FindStringSubmatch(file)
	if m == nil || !validMonogram(m[1]) {
		return nil, false
	}
	return monogramSVG(m[1], "#"+m[2]), true
}

// validMonogram accepts what Monogram can return: one or two upper-case
// letters or digits, or "?".
func validMonogram(letters string) bool {
	n := utf8.RuneCountInString(letters)
	if letters == "?" {
		return true
	}
	if n < 1 || n > 2 || !utf8.ValidString(letters) {
		return false
	}
	for _, r := range letters {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.ToUpper(r) != r {
			return false
		}
	}
	return true
}

// monogramSVG draws letters on a rounded square of the brand colour (a
// checked #RRGGBB). The letters are white, as brands usually show them,
// unless white would fall below the 3:1 contrast WCAG asks of large text,
// which happens above a luminance of 0.3; they are then near-black. The
// image is decorative: pages label it with the name next to it.
func monogramSVG(letters, color string) []byte {
	ink := "#FFFFFF"
	if luminance(color) > 0.3 {
		ink = "#1F2328"
	}
	size := 30
	if utf8.RuneCountInString(letters) > 1 {
		size = 24
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" aria-hidden="true">`+
		`<defs><linearGradient id="shade" x1="0" y1="0" x2="0" y2="1">`+
		`<stop offset="0" stop-color="#FFFFFF" stop-opacity="0.16"/><stop offset="1" stop-color="#000000" stop-opacity="0.08"/>`+
		`</linearGradient></defs>`+
		`<rect width="64" height="64" rx="14" fill="%s"/><rect width="64" height="64" rx="14" fill="url(#shade)"/>`+
		`<text x="32" y="32" dy="0.35em" text-anchor="middle" fill="%s" font-size="%d" font-weight="600" `+
		`font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif">%s</text></svg>`,
		color, ink, size, xmlEscape(letters))
}

// luminance is the WCAG relative luminance of a #RRGGBB colour.
func luminance(color string) float64 {
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(color[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	return l
}

// xmlEscape escapes s for XML text and attribute values.
var xmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace
