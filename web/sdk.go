package web

import (
	"bytes"
	"embed"
	"net/http"
	"time"

	"github.com/orielhq/oriel"
)

// The browser SDK's committed bundles (sdk/js, built by `npm run build:sdk`):
// oriel.js for a script tag (global Oriel), oriel.mjs as an ES module and
// oriel-react.mjs, the React wrapper, which imports ./oriel.mjs and "react".
//
//go:embed dist/sdk/oriel.js dist/sdk/oriel.mjs dist/sdk/oriel-react.mjs
var sdkFiles embed.FS

// SDKPrefix is the URL path under which the SDK bundles are served.
const SDKPrefix = "/sdk/"

var sdkAssets = loadAssets(sdkFiles, "dist/sdk")

// sdkMaxAge is how long a browser or CDN may use an SDK bundle before it
// revalidates it (with its ETag). Vendors load the bundles by fixed URLs
// that an upgrade of Oriel changes the content of, so the cache is short:
// an upgrade reaches every host page within this time, and a revalidation
// costs a 304.
const sdkMaxAge = "300"

// ServeSDK answers a request for the SDK bundle name (the part of the path
// after SDKPrefix), or an ENOTFOUND error. The bundles are public and
// loaded by the vendors' pages on other origins: any origin may load and
// read them (CORS *, Cross-Origin-Resource-Policy cross-origin).
func ServeSDK(w http.ResponseWriter, r *http.Request, name string) error {
	a, ok := sdkAssets[name]
	if !ok {
		return oriel.Errorf(oriel.ENOTFOUND, CodeAssetNotFound, "no such SDK file; they are oriel.js, oriel.mjs and oriel-react.mjs")
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("ETag", `"`+a.version+`"`)
	h.Set("Cache-Control", "public, max-age="+sdkMaxAge+", must-revalidate")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	return nil
}
