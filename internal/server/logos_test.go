package server

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// testImage encodes a w×h image as PNG or JPEG.
func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A vendor sets an integration's logo by upload; Oriel serves it under a
// name made of its hash, immutable, and the widget list references it by
// URL; removing it brings back the monogram.
func TestIntegrationLogoUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		logo := testImage(t, "png", 64, 64)
		in := w.do("PUT", "/v1/integrations/crm/logo", logo, "Content-Type", "image/png").want(http.StatusOK).object()
		path := field(in, "logo")
		if !strings.HasPrefix(path, "/logos/") || !strings.HasSuffix(path, ".png") || len(path) != len("/logos/")+64+4 {
			t.Fatalf("integration after upload: %v", in)
		}
		matchSchemaSubset(t, "Integration", in)
		served := w.doAs("", "GET", path, nil).want(http.StatusOK)
		if !bytes.Equal(served.body, logo) || served.header.Get("Content-Type") != "image/png" ||
			served.header.Get("Cache-Control") != "public, max-age=31536000, immutable" || served.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("served logo: %v, %d bytes", served.header, len(served.body))
		}
		if got := field(w.do("GET", "/v1/integrations/crm", nil).want(http.StatusOK).object(), "logo"); got != path {
			t.Fatalf("GET integration logo %q, want %q", got, path)
		}
		var page listPage[map[string]any]
		w.widget(w.session("Eacme"), "GET", "/widget-api/connections", nil).want(http.StatusOK).into(&page)
		if field(page.Data[1], "logo") != path {
			t.Fatalf("widget shows logo %q, want %q", field(page.Data[1], "logo"), path)
		}

		// The same image again keeps the same name; a JPEG replaces it and
		// the PNG, now unused, is no longer served.
		if field(w.do("PUT", "/v1/integrations/crm/logo", logo, "Content-Type", "image/png").want(http.StatusOK).object(), "logo") != path {
			t.Fatal("the same image got another name")
		}
		jpg := field(w.do("PUT", "/v1/integrations/crm/logo", testImage(t, "jpeg", 32, 32), "Content-Type", "image/jpeg").want(http.StatusOK).object(), "logo")
		if !strings.HasSuffix(jpg, ".jpg") {
			t.Fatalf("jpeg logo %q", jpg)
		}
		w.doAs("", "GET", path, nil).problem(http.StatusNotFound, codeLogoNotFound)
		w.doAs("", "GET", jpg, nil).want(http.StatusOK)

		gone := w.do("DELETE", "/v1/integrations/crm/logo", nil).want(http.StatusOK).object()
		if !strings.HasPrefix(field(gone, "logo"), "/logos/m1-DC-") {
			t.Fatalf("after DELETE the logo is %q, want Demo CRM's monogram", field(gone, "logo"))
		}

		for _, c := range []struct {
			name, contentType string
			body              []byte
			status            int
			code              string
		}{
			{"svg", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 422, codeLogoInvalid},
			{"svg type", "image/svg+xml", []byte(`<svg/>`), 415, codeUnsupportedMediaType},
			{"no type", "", testImage(t, "png", 64, 64), 415, codeUnsupportedMediaType},
			{"too small", "image/png", testImage(t, "png", 8, 8), 422, codeLogoInvalid},
			{"too big a side", "image/png", testImage(t, "png", 2000, 20), 422, codeLogoInvalid},
			{"cut short", "image/png", logo[:len(logo)/2], 422, codeLogoInvalid},
			{"too many bytes", "image/png", append(bytes.Clone(logo), make([]byte, maxLogoBytes)...), 413, codeLogoTooLarge},
		} {
			t.Run(c.name, func(t *testing.T) {
				w.do("PUT", "/v1/integrations/crm/logo", c.body, "Content-Type", c.contentType).problem(c.status, c.code)
			})
		}
		w.do("PUT", "/v1/integrations/nope/logo", logo, "Content-Type", "image/png").problem(http.StatusNotFound, "integration_not_found")
	})
}

// staticResolver answers every lookup with addr.
type staticResolver netip.Addr

func (r staticResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.Addr(r)}, nil
}

// A logo given by URL is fetched once by Oriel (browsers never load it from
// there) through the private-address policy: internal hosts are refused,
// literally or once resolved, and so are redirects to them.
func TestIntegrationLogoFromURL(t *testing.T) {
	logo := testImage(t, "png", 48, 48)
	hits := 0
	origin := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits++
		switch r.URL.Path {
		case "/logo.png":
			rw.Header().Set("Content-Type", "image/png")
			rw.Write(logo)
		case "/to-metadata":
			http.Redirect(rw, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
		default:
			http.NotFound(rw, r)
		}
	}))
	defer origin.Close()

	s := storetest.SQLite(t)
	dev := newEnv(t, s, func(c *Config) { c.Dev, c.LogoDestinations = true, netguard.Policy{AllowPrivate: true} })
	dev.do("PUT", "/v1/integrations/crm", map[string]any{"provider": "api-key", "display_name": "Keys"}).want(http.StatusCreated)
	in := dev.do("PUT", "/v1/integrations/crm/logo", map[string]any{"url": origin.URL + "/logo.png"}).want(http.StatusOK).object()
	served := dev.doAs("", "GET", field(in, "logo"), nil).want(http.StatusOK)
	if !bytes.Equal(served.body, logo) || hits != 1 {
		t.Fatalf("fetched logo: %d bytes, %d fetches", len(served.body), hits)
	}
	dev.do("PUT", "/v1/integrations/crm/logo", map[string]any{"url": origin.URL + "/missing.png"}).problem(http.StatusUnprocessableEntity, codeLogoFetchFailed)
	// A redirect is checked as the first URL was: even development mode
	// follows none to plain http off loopback.
	dev.do("PUT", "/v1/integrations/crm/logo", map[string]any{"url": origin.URL + "/to-metadata"}).problem(http.StatusUnprocessableEntity, codeLogoURLInvalid)

	// Production policy: no http, no internal address however it is spelled
	// or resolved; nothing reaches the network.
	prod := newEnv(t, s, func(c *Config) {
		c.LogoDestinations = netguard.Policy{Resolver: staticResolver(netip.MustParseAddr("10.0.0.7"))}
	})
	prod.do("PUT", "/v1/integrations/crm", map[string]any{"provider": "api-key", "display_name": "Keys"}).want(http.StatusCreated)
	for url, code := range map[string]string{
		origin.URL + "/logo.png":               codeLogoDestinationNotAllowed,
		"http://logo.example.test/logo.png":    codeLogoURLInvalid,
		"https://127.0.0.1/logo.png":           codeLogoDestinationNotAllowed,
		"https://[::1]/logo.png":               codeLogoDestinationNotAllowed,
		"https://0x7f000001/logo.png":          codeLogoDestinationNotAllowed,
		"https://169.254.169.254/logo.png":     codeLogoDestinationNotAllowed,
		"https://logo.example.test/logo.png":   codeLogoDestinationNotAllowed,
		"https://user@logo.example.test/x.png": codeLogoURLInvalid,
		"javascript:alert(1)":                  codeLogoURLInvalid,
		"":                                     codeLogoURLInvalid,
	} {
		prod.do("PUT", "/v1/integrations/crm/logo", map[string]any{"url": url}).problem(http.StatusUnprocessableEntity, code)
	}
	if hits != 3 {
		t.Fatalf("the origin saw %d requests, want 3", hits)
	}
}
