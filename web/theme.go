package web

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/orielhq/oriel"
)

// A vendor's appearance (PUT /v1/appearance) reaches every page as CSS
// custom properties in a <style> element carrying the response's CSP nonce.
// Its values are checked here, strictly, before they are stored and again
// before they are rendered: a colour is only #rgb or #rrggbb, a font family
// only letters, digits, spaces, hyphens and commas, a radius only whole
// pixels. No value can close the declaration, open a block, load a URL or
// call a function, so no appearance can inject CSS. html/template escapes
// them for the CSS context as well.

// Appearance modes.
const (
	ModeAuto  = "auto" // follows the system's light or dark preference
	ModeLight = "light"
	ModeDark  = "dark"
)

// Error codes of CheckAppearance.
const (
	CodeModeInvalid         = "mode_invalid"
	CodeColorInvalid        = "color_invalid"
	CodeFontFamilyInvalid   = "font_family_invalid"
	CodeBorderRadiusInvalid = "border_radius_invalid"
)

// ColorNames are the colours an appearance may set.
var ColorNames = []string{"primary", "background", "surface", "text", "muted", "border", "danger", "success"}

// Bounds on an appearance's values.
const (
	maxFontFamilyLen = 200
	maxBorderRadius  = 24 // px
)

var (
	colorRE      = regexp.MustCompile(`^#(?:[0-9a-f]{3}|[0-9a-f]{6})$`)
	fontFamilyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[ -][A-Za-z0-9]+)*$`)
	radiusRE     = regexp.MustCompile(`^(?:0|[1-9][0-9]?)px$`)
)

// CheckAppearance checks a and normalises it in place: mode defaults to
// auto, colours are lower-cased, font families are joined by ", ". Each
// failure is an EUNPROCESSABLE error naming the field, without echoing more
// than a short quote of it.
func CheckAppearance(a *oriel.Appearance) error {
	switch a.Mode {
	case "":
		a.Mode = ModeAuto
	case ModeAuto, ModeLight, ModeDark:
	default:
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeModeInvalid, "mode must be light, dark or auto")
	}
	colors := make(map[string]string, len(a.Colors))
	for _, name := range slices.Sorted(maps.Keys(a.Colors)) {
		if !slices.Contains(ColorNames, name) {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeColorInvalid, "colors.%s is not a colour you can set; they are %s", quote(name), strings.Join(ColorNames, ", "))
		}
		c := strings.ToLower(a.Colors[name])
		if !colorRE.MatchString(c) {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeColorInvalid, "colors.%s must be a hex colour such as #4f46e5 or #fff", name)
		}
		colors[name] = c
	}
	a.Colors = colors
	font, err := normalizeFontFamily(a.FontFamily)
	if err != nil {
		return err
	}
	a.FontFamily = font
	if a.BorderRadius != "" {
		px, _ := strconv.Atoi(strings.TrimSuffix(a.BorderRadius, "px"))
		if !radiusRE.MatchString(a.BorderRadius) || px > maxBorderRadius {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeBorderRadiusInvalid, "border_radius must be whole pixels from 0px to %dpx, such as 8px", maxBorderRadius)
		}
	}
	return nil
}

// normalizeFontFamily checks a comma-separated list of font family names,
// unquoted (Inter, Helvetica Neue, sans-serif), and joins them with ", ".
func normalizeFontFamily(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	families := strings.Split(s, ",")
	for i, f := range families {
		families[i] = strings.TrimSpace(f)
		if !fontFamilyRE.MatchString(families[i]) {
			return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeFontFamilyInvalid,
				"font_family must list font names separated by commas, without quotes, such as: Inter, Helvetica Neue, sans-serif")
		}
	}
	out := strings.Join(families, ", ")
	if len(out) > maxFontFamilyLen {
		return "", oriel.Errorf(oriel.EUNPROCESSABLE, CodeFontFamilyInvalid, "font_family must be at most %d characters", maxFontFamilyLen)
	}
	return out, nil
}

// quote shortens and quotes a name from the request for a message.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// Theme is an appearance as a page renders it: the mode on <html> and the
// custom properties it overrides. The zero Theme is Oriel's own look,
// following the system's light or dark preference.
type Theme struct {
	Mode                               string // "light" or "dark" forces one; "" follows the system
	Primary, Background, Surface, Text string
	Muted, Border, Danger, Success     string
	FontFamily, BorderRadius           string
}

// NewTheme returns the theme of a (nil for none). It checks a again, on a
// copy, and falls back to the default theme when a stored value does not
// pass: whatever wrote the database, only checked values reach a page.
func NewTheme(a *oriel.Appearance) Theme {
	if a == nil {
		return Theme{}
	}
	c := *a
	c.Colors = maps.Clone(a.Colors)
	if CheckAppearance(&c) != nil {
		return Theme{}
	}
	t := Theme{
		Primary: c.Colors["primary"], Background: c.Colors["background"], Surface: c.Colors["surface"], Text: c.Colors["text"],
		Muted: c.Colors["muted"], Border: c.Colors["border"], Danger: c.Colors["danger"], Success: c.Colors["success"],
		BorderRadius: c.BorderRadius,
	}
	if c.Mode != ModeAuto {
		t.Mode = c.Mode
	}
	if c.FontFamily != "" {
		t.FontFamily = c.FontFamily + ", system-ui, sans-serif" // the system font when the vendor's is missing
	}
	return t
}

// Overrides reports whether t sets any custom property, and so whether the
// page needs a <style> element at all.
func (t Theme) Overrides() bool {
	u := t
	u.Mode = ""
	return u != Theme{}
}
