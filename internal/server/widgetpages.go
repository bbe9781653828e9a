package server

import (
	"net/http"
	"net/url"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/origin"
	"github.com/orielhq/oriel/web"
)

// The SDK-mode widget pages (docs/protocol.md; widgets.go mounts them) and
// the SDK bundles they are embedded with. A page holds no data and no credential when it is served:
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
