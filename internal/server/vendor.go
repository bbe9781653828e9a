package server

import (
	"net/http"

	"github.com/orielhq/oriel"
)

// vendorPatch is the body of PATCH /v1/vendor.
type vendorPatch oriel.VendorUpdate

func (p *vendorPatch) validate() error {
	return firstError(
		ifSet(p.Name, checkVendorName),
		normalizeOriginsIn(p.AllowedOrigins),
	)
}

func (s *Server) getVendor(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.Vendor(r.Context(), vendorOf(r))
	return respond(w, http.StatusOK, v, err)
}

func (s *Server) updateVendor(w http.ResponseWriter, r *http.Request) error {
	var p vendorPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	v, err := s.store.UpdateVendor(r.Context(), vendorOf(r), oriel.VendorUpdate(p))
	return respond(w, http.StatusOK, v, err)
}
