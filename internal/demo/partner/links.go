package partner

import (
	"net/http"

	"github.com/orielhq/oriel/directlink"
)

// workspacePath is where the Fully Embedded and SSO links land in Oriel.
const workspacePath = "/connections"

// link signs a direct link of kind to asset for u. Every call makes a new
// token (fresh iat and jti): Oriel accepts each token once, within minutes,
// so pages mint their links on every load and never cache them.
func (a *app) link(kind directlink.Kind, asset string, u *User) (string, error) {
	return a.links.URL(a.cfg.OrielURL, directlink.Link{
		Kind: kind, Asset: asset, Customer: u.CustomerRef(), User: u.Ref(), Origin: a.origin,
	})
}

// openSSO signs the current user in to their Oriel workspace, top level
// ("White-label SSO"): it redirects to a freshly signed SSO link, so the
// link on the page works however long ago the page was loaded.
func (a *app) openSSO(w http.ResponseWriter, r *http.Request) {
	target, err := a.link(directlink.KindSSO, workspacePath, a.sessions.current(r))
	if err != nil {
		a.fail(w, r, "cannot sign the SSO link", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fail logs err and answers 500 without details.
func (a *app) fail(w http.ResponseWriter, r *http.Request, msg string, err error) {
	a.logger.ErrorContext(r.Context(), msg, "path", r.URL.Path, "err", err)
	http.Error(w, "Northwind's backend failed: "+msg+" (the demo's log has the details)", http.StatusInternalServerError)
}
