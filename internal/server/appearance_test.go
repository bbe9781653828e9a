package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The appearance is stored normalised, refused when it could inject CSS,
// and applied to the widget pages as CSS custom properties.
func TestAppearance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		got := w.do("GET", "/v1/appearance", nil).want(http.StatusOK).object()
		if field(got, "mode") != "auto" || len(got["colors"].(map[string]any)) != 0 {
			t.Fatalf("default appearance %v", got)
		}
		put := map[string]any{"mode": "dark", "colors": map[string]string{"primary": "#0EA5E9", "danger": "#f00"}, "font_family": "Inter,sans-serif", "border_radius": "6px"}
		got = w.do("PUT", "/v1/appearance", put).want(http.StatusOK).object()
		matchSchema(t, "Appearance", got)
		if got["colors"].(map[string]any)["primary"] != "#0ea5e9" || field(got, "font_family") != "Inter, sans-serif" {
			t.Fatalf("stored appearance %v", got)
		}
		if again := w.do("GET", "/v1/appearance", nil).want(http.StatusOK).object(); field(again, "mode") != "dark" {
			t.Fatalf("read back %v", again)
		}

		body := w.get(missingConnection+"?dl_token={token}", w.sign("Eacme", "")).page(http.StatusNotFound, appOrigin)
		page := w.get("/direct_link/embedded/connections/"+w.crm.ID+"?dl_token={token}", w.sign("Eacme", "")).page(http.StatusOK, appOrigin)
		for _, html := range []string{body, page} {
			for _, want := range []string{`data-theme="dark"`, "--oriel-primary: #0ea5e9;", "--oriel-danger: #f00;", "--oriel-font: Inter, sans-serif, system-ui, sans-serif;", "--oriel-radius: 6px;"} {
				if !strings.Contains(html, want) {
					t.Fatalf("page lacks %s:\n%s", want, html)
				}
			}
		}
		if other := w.doAs(w.otherVendorAPIKeySecret, "GET", "/v1/appearance", nil).want(http.StatusOK).object(); field(other, "mode") != "auto" {
			t.Fatalf("another vendor sees the appearance: %v", other)
		}

		for _, bad := range []struct{ body, code string }{
			{`{"mode":"dark;}"}`, "mode_invalid"},
			{`{"colors":{"primary":"#fff;}body{background:url(https://evil.test)"}}`, "color_invalid"},
			{`{"colors":{"primary":"</style><script>alert(1)</script>"}}`, "color_invalid"},
			{`{"colors":{"--x":"#fff"}}`, "color_invalid"},
			{`{"font_family":"x;}*{display:none"}`, "font_family_invalid"},
			{`{"font_family":"\"Inter\""}`, "font_family_invalid"},
			{`{"border_radius":"expression(alert(1))"}`, "border_radius_invalid"},
		} {
			w.do("PUT", "/v1/appearance", bad.body).problem(http.StatusUnprocessableEntity, bad.code)
		}
		w.do("PUT", "/v1/appearance", `{"mode":"dark","shadow":"x"}`).problem(http.StatusBadRequest, codeUnknownField)
		if again := w.do("GET", "/v1/appearance", nil).object(); again["colors"].(map[string]any)["primary"] != "#0ea5e9" {
			t.Fatal("a refused appearance changed the stored one")
		}
	})
}
