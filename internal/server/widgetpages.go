package server

import (
	"net/http"
	"net/url"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/origin"
	"github.com/orielhq/oriel/web"
)

// The SDK-mode widget pages (docs/protocol.md) and the SDK bundles they are
// embedded with. A page holds no data and no credential when it is served:
// it says ready to its claimed parent_origin, waits for the host page's SDK
// to hand it a bound access token, and only then reads the widget API, which
// checks that origin against the token's (widgettoken.go). So the page may
// be framed by the origin it claims, and the claim needs no check here
// beyond being an origin.

// codeParentOriginInvalid answers a widget page without a usable
// parent_origin.
const codeParentOriginInvalid = "parent_origin_invalid"

var errParentOriginInvalid = oriel.Errorf(oriel.EINVALID, codeParentOriginInvalid,
	"parent_origin must be given exactly once: the origin (scheme://host[:port]) of the page that frames the widget; the browser SDK sets it")

// widgetConnectionsPage answers GET /widgets/connections: the list of the
// token's customer's connections.
func (s *Server) widgetConnectionsPage(w http.ResponseWriter, r *http.Request) error {
	return s.writeWidgetPage(w, r, "")
}

// widgetConnectionPage answers GET /widgets/connection/{id}: one connection.
func (s *Server) widgetConnectionPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := checkConnectionID(id); err != nil {
		return s.refuse(w, r, err, framed)
	}
	return s.writeWidgetPage(w, r, id)
}

// writeWidgetPage answers an SDK-mode page for the connection id ("" for
// all), framed by its parent_origin; without a valid one, an error page that
// no one may frame and that posts nothing.
func (s *Server) writeWidgetPage(w http.ResponseWriter, r *http.Request, id string) error {
	parent, err := claimedParentOrigin(r)
	if err != nil {
		return s.refuse(w, r, err, framed)
	}
	f := web.Frame{Nonce: newNonce(), ParentOrigin: parent}
	return writePage(w, http.StatusOK, f, web.WidgetPage{Frame: f, ConnectionID: id})
}

// claimedParentOrigin returns r's parent_origin, normalised.
func claimedParentOrigin(r *http.Request) (string, error) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(values["parent_origin"]) != 1 {
		return "", errParentOriginInvalid
	}
	o, err := origin.Normalize(values["parent_origin"][0])
	if err != nil {
		return "", errParentOriginInvalid
	}
	return o, nil
}

// serveSDK answers GET /sdk/{file}: the browser SDK's bundles.
func (s *Server) serveSDK(w http.ResponseWriter, r *http.Request) error {
	return web.ServeSDK(w, r, r.PathValue("file"))
}
