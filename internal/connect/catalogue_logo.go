package connect

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// monogram returns the one or two characters shown in p's logo.
func (p *Provider) monogram() string {
	if p.Monogram != "" {
		return p.Monogram
	}
	for _, r := range p.DisplayName {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "?"
}

// monogramLogo draws letters on a rounded square of the brand colour (a
// checked #RRGGBB) as an SVG data URI. The letters are white, as brands
// usually show them, unless white would fall below the 3:1 contrast WCAG asks
// of large text, which happens above a luminance of 0.3; they are then
// near-black. name labels the image for screen readers.
func monogramLogo(letters, color, name string) string {
	ink := "#FFFFFF"
	if luminance(color) > 0.3 {
		ink = "#1F2328"
	}
	size := 30
	if len(letters) > 1 {
		size = 24
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="%s">`+
		`<defs><linearGradient id="shade" x1="0" y1="0" x2="0" y2="1">`+
		`<stop offset="0" stop-color="#FFFFFF" stop-opacity="0.16"/><stop offset="1" stop-color="#000000" stop-opacity="0.08"/>`+
		`</linearGradient></defs>`+
		`<rect width="64" height="64" rx="14" fill="%s"/><rect width="64" height="64" rx="14" fill="url(#shade)"/>`+
		`<text x="32" y="32" dy="0.35em" text-anchor="middle" fill="%s" font-size="%d" font-weight="600" `+
		`font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif">%s</text></svg>`,
		xmlEscape(name), color, ink, size, xmlEscape(letters))
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg))
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
