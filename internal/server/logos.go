package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for logos
	_ "image/png"  // registers the PNG decoder for logos
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
)

// Logos: Oriel serves every logo its pages and API show from /logos/, as
// immutable assets whose URL determines their content, so that a page
// references a logo by URL (and a browser fetches it once) instead of
// inlining it, and no browser ever loads a logo from a third party. A logo
// is a monogram (internal/connect) or a PNG or JPEG a vendor set on an
// integration: uploaded, or fetched once by Oriel from a URL the vendor
// gives, through the same private-address policy as webhooks. SVG is not
// accepted from vendors: it can carry scripts and links.

// Error codes of logos.
const (
	codeLogoNotFound              = "logo_not_found"
	codeLogoInvalid               = "logo_invalid"
	codeLogoTooLarge              = "logo_too_large"
	codeLogoURLInvalid            = "logo_url_invalid"
	codeLogoFetchFailed           = "logo_fetch_failed"
	codeLogoDestinationNotAllowed = "logo_destination_not_allowed"
)

// Bounds on vendor logos.
const (
	maxLogoBytes     = 256 << 10
	minLogoSide      = 16
	maxLogoSide      = 1024
	logoFetchTimeout = 10 * time.Second
	maxLogoRedirects = 3
)

// logoCSP keeps an image opened on its own from running or loading anything.
const logoCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// logoFormats maps the image formats Oriel accepts to their content type
// and file extension.
var logoFormats = map[string]struct{ contentType, ext string }{
	"png":  {"image/png", ".png"},
	"jpeg": {"image/jpeg", ".jpg"},
}

// neutralColor draws the monogram of an integration whose provider left
// the catalogue.
const neutralColor = "#475569"

// integrationLogo returns the path of the logo shown for integration i
// (nil when unknown) of provider p (nil when not in the catalogue): the
// vendor's logo, else for a generic provider a monogram of the
// integration's name in the provider's colour, else the provider's logo.
func integrationLogo(i *oriel.Integration, p *connect.Provider) string {
	switch {
	case i != nil && i.Logo != "":
		return connect.LogoPathPrefix + i.Logo
	case p == nil && i != nil:
		return connect.MonogramPath(connect.Monogram(i.DisplayName), neutralColor)
	case p == nil:
		return ""
	case p.Generic && i != nil:
		return connect.MonogramPath(connect.Monogram(i.DisplayName), p.Color)
	}
	return p.Logo
}

// serveLogo serves GET /logos/{file}: a monogram, or a vendor's logo.
func (s *Server) serveLogo(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	if svg, ok := connect.MonogramSVG(file); ok {
		writeImmutable(w, r, "image/svg+xml", svg)
		return nil
	}
	if !storedLogoName(file) {
		return oriel.Errorf(oriel.ENOTFOUND, codeLogoNotFound, "no such logo")
	}
	l, err := s.store.Logo(r.Context(), file)
	if err != nil {
		return err
	}
	writeImmutable(w, r, l.ContentType, l.Data)
	return nil
}

// storedLogoName reports whether file looks like a stored logo's name.
func storedLogoName(file string) bool {
	hash, ext, ok := strings.Cut(file, ".")
	if _, err := hex.DecodeString(hash); !ok || err != nil || len(hash) != 2*sha256.Size || strings.ToLower(hash) != hash {
		return false
	}
	for _, f := range logoFormats {
		if "."+ext == f.ext {
			return true
		}
	}
	return false
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

// logoFromURL is the JSON body of PUT /v1/integrations/{key}/logo that asks
// Oriel to fetch the logo.
type logoFromURL struct {
	URL string `json:"url"`
}

func (b *logoFromURL) validate() error { return nil }

// putIntegrationLogo serves PUT /v1/integrations/{key}/logo: the body is a
// PNG or JPEG image, or {"url": "https://…"} to fetch one once.
func (s *Server) putIntegrationLogo(w http.ResponseWriter, r *http.Request) error {
	var data []byte
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "image/png", "image/jpeg":
		body, err := io.ReadAll(io.LimitReader(r.Body, maxLogoBytes+1))
		if err != nil {
			return err
		}
		data = body
	case "application/json":
		var in logoFromURL
		if err := decode(r, &in); err != nil {
			return err
		}
		fetched, err := s.fetchLogo(r.Context(), in.URL)
		if err != nil {
			return err
		}
		data = fetched
	default:
		return oriel.Errorf(kindUnsupportedMediaType, codeUnsupportedMediaType,
			"send the logo as image/png or image/jpeg, or {\"url\": …} as application/json")
	}
	logo, err := checkLogo(data)
	if err != nil {
		return err
	}
	i, err := s.store.SetIntegrationLogo(r.Context(), vendorOf(r), r.PathValue("key"), logo)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewIntegration(i))
}

// deleteIntegrationLogo serves DELETE /v1/integrations/{key}/logo: the
// integration shows its provider's logo again.
func (s *Server) deleteIntegrationLogo(w http.ResponseWriter, r *http.Request) error {
	i, err := s.store.SetIntegrationLogo(r.Context(), vendorOf(r), r.PathValue("key"), nil)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewIntegration(i))
}

// checkLogo accepts a whole, decodable PNG or JPEG of at most maxLogoBytes,
// each side from minLogoSide to maxLogoSide pixels, whatever its sender
// called it, and names it by its content.
func checkLogo(data []byte) (*oriel.Logo, error) {
	if len(data) > maxLogoBytes {
		return nil, oriel.Errorf(oriel.ETOOLARGE, codeLogoTooLarge, "a logo is at most %d KiB", maxLogoBytes>>10)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	f, ok := logoFormats[format]
	if err != nil || !ok {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoInvalid, "a logo must be a PNG or JPEG image (SVG is not accepted)")
	}
	if cfg.Width < minLogoSide || cfg.Height < minLogoSide || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoInvalid,
			"a logo is %d to %d pixels on each side; this one is %d×%d", minLogoSide, maxLogoSide, cfg.Width, cfg.Height)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoInvalid, "the %s image is damaged or cut short", format)
	}
	sum := sha256.Sum256(data)
	return &oriel.Logo{Name: hex.EncodeToString(sum[:]) + f.ext, ContentType: f.contentType, Data: data}, nil
}

// fetchLogo downloads a logo once from raw: https (or, in development,
// http on loopback), through s.logoClient, whose dialer refuses private
// addresses; at most maxLogoRedirects redirects, each checked the same way.
func (s *Server) fetchLogo(ctx context.Context, raw string) ([]byte, error) {
	u, err := s.checkLogoURL(raw)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, logoFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoURLInvalid, "url is not a valid URL")
	}
	req.Header.Set("Accept", "image/png, image/jpeg")
	resp, err := s.logoClient.Do(req)
	var refused *logoURLError
	switch {
	case errors.Is(err, netguard.ErrDestinationNotAllowed):
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoDestinationNotAllowed,
			"%s resolves to a private, loopback or link-local address, which Oriel does not fetch from", u.Hostname())
	case errors.As(err, &refused):
		return nil, refused.err
	case err != nil:
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoFetchFailed, "could not fetch the logo from %s: %s", u.Hostname(), fetchFailure(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoFetchFailed, "%s answered HTTP %d for the logo", u.Hostname(), resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxLogoBytes+1))
	if err != nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoFetchFailed, "could not read the logo from %s: %s", u.Hostname(), fetchFailure(err))
	}
	return data, nil
}

// logoURLError is a redirect to a URL checkLogoURL refuses, or one too many.
type logoURLError struct{ err error }

func (e *logoURLError) Error() string { return e.err.Error() }

// checkLogoURL accepts an absolute https URL without user info (http on a
// loopback host in development) whose host is not a literal internal
// address; the dialer checks the resolved address again.
func (s *Server) checkLogoURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoURLInvalid, "url must be an absolute https URL without user info")
	}
	loopback := u.Hostname() == "localhost"
	if a, ok := netguard.ParseHostAddr(u.Hostname()); ok {
		loopback = a.IsLoopback()
	}
	if err := s.logoDestinations.CheckURL(u); err != nil {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoDestinationNotAllowed, "url names an internal address, which Oriel does not fetch from")
	}
	if u.Scheme != "https" && !(s.dev && loopback && u.Scheme == "http") {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoURLInvalid, "url must use https")
	}
	return u, nil
}

// newLogoClient returns the client that fetches logos: it dials through
// policy, and follows a few redirects to URLs checkLogoURL accepts.
func (s *Server) newLogoClient(policy netguard.Policy) *http.Client {
	transport := &http.Transport{
		DialContext:           policy.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: logoFetchTimeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > maxLogoRedirects {
			return &logoURLError{oriel.Errorf(oriel.EUNPROCESSABLE, codeLogoFetchFailed, "the logo URL redirects more than %d times", maxLogoRedirects)}
		}
		if _, err := s.checkLogoURL(req.URL.String()); err != nil {
			return &logoURLError{err}
		}
		return nil
	}}
}

// fetchFailure names a network failure without quoting addresses.
func fetchFailure(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return "it did not answer in time"
	case errors.As(err, new(*net.DNSError)):
		return "its host name does not resolve"
	}
	return fmt.Sprintf("the connection failed (%T)", errors.Unwrap(err))
}
