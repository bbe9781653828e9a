package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/web"
)

// CheckAppearance accepts exactly the documented forms and normalises them.
func TestCheckAppearanceAccepts(t *testing.T) {
	a := &oriel.Appearance{
		Colors:       map[string]string{"primary": "#4F46E5", "background": "#fff", "success": "#0a7"},
		FontFamily:   "Inter ,  Helvetica Neue,sans-serif",
		BorderRadius: "24px",
	}
	if err := web.CheckAppearance(a); err != nil {
		t.Fatal(err)
	}
	if a.Mode != "auto" || a.Colors["primary"] != "#4f46e5" || a.FontFamily != "Inter, Helvetica Neue, sans-serif" {
		t.Fatalf("not normalised: %+v", a)
	}
	for _, radius := range []string{"", "0px", "8px"} {
		if err := web.CheckAppearance(&oriel.Appearance{Mode: "dark", BorderRadius: radius}); err != nil {
			t.Errorf("border_radius %q: %v", radius, err)
		}
	}
}

// Every value that could break out of a CSS declaration, or load or run
// anything, is refused with the field's code (CSS injection).
func TestCheckAppearanceRefusesInjection(t *testing.T) {
	color := func(v string) *oriel.Appearance {
		return &oriel.Appearance{Colors: map[string]string{"primary": v}}
	}
	cases := []struct {
		name string
		a    *oriel.Appearance
		code string
	}{
		{"mode", &oriel.Appearance{Mode: "night"}, web.CodeModeInvalid},
		{"mode case", &oriel.Appearance{Mode: "Dark"}, web.CodeModeInvalid},
		{"unknown colour", &oriel.Appearance{Colors: map[string]string{"--oriel-bg": "#fff"}}, web.CodeColorInvalid},
		{"named colour", color("red"), web.CodeColorInvalid},
		{"four digits", color("#ffff"), web.CodeColorInvalid},
		{"declaration break", color("#fff;}body{display:none"), web.CodeColorInvalid},
		{"url", color("url(https://evil.test/x)"), web.CodeColorInvalid},
		{"expression", color("expression(alert(1))"), web.CodeColorInvalid},
		{"var", color("var(--x)"), web.CodeColorInvalid},
		{"style close", color("</style><script>alert(1)</script>"), web.CodeColorInvalid},
		{"escape", color(`#fff\3b`), web.CodeColorInvalid},
		{"newline", color("#fff\n"), web.CodeColorInvalid},
		{"font quote", &oriel.Appearance{FontFamily: `"Inter"`}, web.CodeFontFamilyInvalid},
		{"font break", &oriel.Appearance{FontFamily: "Inter;}*{background:url(//evil.test)"}, web.CodeFontFamilyInvalid},
		{"font at-rule", &oriel.Appearance{FontFamily: "@import x"}, web.CodeFontFamilyInvalid},
		{"font function", &oriel.Appearance{FontFamily: "a(b)"}, web.CodeFontFamilyInvalid},
		{"font comment", &oriel.Appearance{FontFamily: "Inter/**/"}, web.CodeFontFamilyInvalid},
		{"font custom property", &oriel.Appearance{FontFamily: "--x"}, web.CodeFontFamilyInvalid},
		{"font empty family", &oriel.Appearance{FontFamily: "Inter,,Arial"}, web.CodeFontFamilyInvalid},
		{"font too long", &oriel.Appearance{FontFamily: strings.Repeat("Abcdefghij, ", 20) + "X"}, web.CodeFontFamilyInvalid},
		{"radius unit", &oriel.Appearance{BorderRadius: "8em"}, web.CodeBorderRadiusInvalid},
		{"radius bare", &oriel.Appearance{BorderRadius: "0"}, web.CodeBorderRadiusInvalid},
		{"radius large", &oriel.Appearance{BorderRadius: "25px"}, web.CodeBorderRadiusInvalid},
		{"radius calc", &oriel.Appearance{BorderRadius: "calc(1px)"}, web.CodeBorderRadiusInvalid},
		{"radius break", &oriel.Appearance{BorderRadius: "8px;color:red"}, web.CodeBorderRadiusInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := web.CheckAppearance(tc.a)
			if oriel.ErrorKind(err) != oriel.EUNPROCESSABLE || oriel.ErrorCode(err) != tc.code {
				t.Fatalf("%v, want %s", err, tc.code)
			}
		})
	}
}

// A theme renders as custom properties in the nonce'd <style>, with the
// mode on <html>; a stored value that does not pass (whatever wrote it)
// gives the default theme, not CSS.
func TestThemeRendering(t *testing.T) {
	f := frame
	f.Theme = web.NewTheme(&oriel.Appearance{Mode: "dark", Colors: map[string]string{"primary": "#0A7", "text": "#111111"}, FontFamily: "Inter", BorderRadius: "6px"})
	html := render(t, web.ConnectionPage{Frame: f, Viewer: web.NewViewer(customer, nil, oriel.RoleAdmin), ConnectionID: "c"})
	style := regexp.MustCompile(`(?s)<style nonce="bm9uY2U">(.*?)</style>`).FindStringSubmatch(html)
	if style == nil || !strings.Contains(html, `<html lang="en" data-theme="dark">`) {
		t.Fatalf("no theme:\n%s", html)
	}
	want := ":root { --oriel-primary: #0a7; --oriel-text: #111111; --oriel-font: Inter, system-ui, sans-serif; --oriel-radius: 6px; }"
	if style[1] != want {
		t.Fatalf("style\n%q, want\n%q", style[1], want)
	}

	for _, a := range []*oriel.Appearance{nil, {Mode: "auto"}, {Mode: "dark", Colors: map[string]string{"primary": "red;}"}}} {
		f.Theme = web.NewTheme(a)
		html := render(t, web.ConnectionPage{Frame: f, Viewer: web.NewViewer(customer, nil, oriel.RoleAdmin), ConnectionID: "c"})
		if strings.Contains(html, "<style") || strings.Contains(html, "data-theme") {
			t.Fatalf("%+v: the default theme renders styles:\n%s", a, html)
		}
	}
}
