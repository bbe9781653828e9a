package server

import (
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// Logos: Oriel serves every logo its pages and API show from /logos/, as
// immutable assets whose URL determines their content, so that a page
// references a logo by URL (and a browser fetches it once) instead of
// inlining it, and no browser ever loads a logo from a third party.

// codeLogoNotFound: no logo has this file name.
const codeLogoNotFound = "logo_not_found"

// logoCSP keeps an SVG opened on its own from running or loading anything.
const logoCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// serveLogo serves GET /logos/{file}.
func (s *Server) serveLogo(w http.ResponseWriter, r *http.Request) error {
	svg, ok := connect.MonogramSVG(r.PathValue("file"))
	if !ok {
		return oriel.Errorf(oriel.ENOTFOUND, codeLogoNotFound, "no such logo")
	}
	writeImmutable(w, r, "image/svg+xml", svg)
	return nil
}

// writeImmutable answers an asset whose URL names its content: cacheable
// by anyone for a year, never revalidated.
func writeImmutable(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", logoCSP)
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
