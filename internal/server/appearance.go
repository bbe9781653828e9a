package server

import (
	"context"
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/web"
)

// appearanceBody is the body of PUT /v1/appearance; web.CheckAppearance
// holds the rules, since the values end up in the pages' CSS.
type appearanceBody oriel.Appearance

func (a *appearanceBody) validate() error { return web.CheckAppearance((*oriel.Appearance)(a)) }

// defaultAppearance is what a vendor that set none has: Oriel's own look.
var defaultAppearance = oriel.Appearance{Mode: web.ModeAuto, Colors: map[string]string{}}

func (s *Server) getAppearance(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.Appearance(r.Context(), vendorOf(r))
	if a == nil && err == nil {
		a = &defaultAppearance
	}
	return respond(w, http.StatusOK, a, err)
}

// putAppearance replaces the vendor's appearance; every widget page opened
// afterwards shows it.
func (s *Server) putAppearance(w http.ResponseWriter, r *http.Request) error {
	var in appearanceBody
	if err := decode(r, &in); err != nil {
		return err
	}
	a := (*oriel.Appearance)(&in)
	return respond(w, http.StatusOK, a, s.store.PutAppearance(r.Context(), vendorOf(r), a))
}

// themeOf returns the theme of the vendor's pages ("" for none: Oriel's
// own). A page is never refused for its styling: a failure to read it is
// logged and the default look used.
func (s *Server) themeOf(ctx context.Context, vendorID string) web.Theme {
	if vendorID == "" {
		return web.Theme{}
	}
	a, err := s.store.Appearance(ctx, vendorID)
	if err != nil {
		s.logger.WarnContext(ctx, "cannot read the vendor's appearance; using the default", "vendor_id", vendorID, "err", err)
	}
	return web.NewTheme(a)
}
