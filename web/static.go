package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/orielhq/oriel"
)

//go:embed static
var staticFiles embed.FS

// StaticPrefix is the URL path under which the assets are served.
const StaticPrefix = "/static/"

// asset is one embedded static file.
type asset struct {
	body        []byte
	contentType string
	version     string // a hash of body; pages link to ?v=version
}

var assets = loadAssets(staticFiles, "static")

// loadAssets reads every file under dir of files, by its name below dir.
func loadAssets(files embed.FS, dir string) map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(files, dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		out[strings.TrimPrefix(name, dir+"/")] = asset{
			body:        body,
			contentType: mime.TypeByExtension(path.Ext(name)),
			version:     hex.EncodeToString(sum[:6]),
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

// assetURL returns the URL of the named asset, versioned by its content so
// that it may be cached for long.
func assetURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fmt.Errorf("web: no static asset %q", name)
	}
	return StaticPrefix + name + "?v=" + a.version, nil
}

// CodeAssetNotFound is the error code of a request for no static asset.
const CodeAssetNotFound = "asset_not_found"

// ServeAsset answers a request for the static asset name (the part of the
// path after StaticPrefix): exactly the files of the static directory,
// nothing else (no listing), or an ENOTFOUND error. A request carrying the
// asset's current version, as pages link to it, may be cached for a year;
// any other is revalidated.
func ServeAsset(w http.ResponseWriter, r *http.Request, name string) error {
	a, ok := assets[name]
	if !ok {
		return oriel.Errorf(oriel.ENOTFOUND, CodeAssetNotFound, "no such static file")
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", `"`+a.version+`"`)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	return nil
}
