// Package partner is the demo's partner app: Northwind, a made-up SaaS
// product whose customers connect their other apps from inside Northwind
// through Oriel's widgets. It shows each way to embed them — a raw iframe on
// a direct link, the browser SDK with bound access tokens, its React
// components, the Fully Embedded workspace and White-label SSO — on its own
// origin, with an event log of every message Oriel's widgets post.
//
// Its backend does what a vendor's does, and only through Oriel's public Go
// packages (a test checks its imports): it signs direct-link tokens with its
// own private key (package directlink), trades its API key, which never
// reaches the browser, for bound access tokens (package client), and reads
// the customer's Demo CRM contacts through Oriel's proxy (package client).
package partner

import (
	"crypto/rand"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/directlink"
)

// Config is what the partner app needs.
type Config struct {
	// OrielURL is where browsers reach Oriel, e.g. http://localhost:8080.
	OrielURL string
	// AppURL is where browsers reach this app, e.g. http://127.0.0.1:3000:
	// the one origin Oriel lets frame this vendor's widgets.
	AppURL string
	// VendorID is Northwind's vendor id at Oriel.
	VendorID string
	// SigningKey is the PEM private key that signs direct-link tokens; its
	// public key is registered with Oriel.
	SigningKey []byte
	// APIKey is Northwind's Oriel API key, used server-side only.
	APIKey string
	// CRMConnections maps each customer's external id to the id of its
	// Demo CRM connection, which the raw-iframe page shows.
	CRMConnections map[string]string
	// Logger records failures; nil discards them.
	Logger *slog.Logger
}

// app is the partner app's state.
type app struct {
	cfg      Config
	origin   string
	links    *directlink.Signer
	sessions sessions
	pages    *pages
	logger   *slog.Logger
	oriel    *client.Client // Oriel's vendor API, with Northwind's API key
}

// New returns the partner app's handler.
func New(cfg Config) (http.Handler, error) {
	u, err := url.Parse(cfg.AppURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("partner: AppURL must be an absolute URL such as http://127.0.0.1:3000")
	}
	signer, err := directlink.NewSigner(cfg.SigningKey, cfg.VendorID)
	if err != nil {
		return nil, err
	}
	cfg.OrielURL = strings.TrimSuffix(cfg.OrielURL, "/")
	pages, err := parsePages(cfg.OrielURL)
	if err != nil {
		return nil, err
	}
	a := &app{
		cfg:      cfg,
		origin:   u.Scheme + "://" + u.Host,
		links:    signer,
		sessions: sessions{key: []byte(rand.Text() + rand.Text())},
		pages:    pages,
		logger:   cfg.Logger,
		oriel:    client.New(cfg.OrielURL, cfg.APIKey),
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	static, _ := fs.Sub(staticFiles, "static")

	mux := http.NewServeMux()
	for _, p := range menu {
		pattern := p.Path
		if pattern == "/" {
			pattern = "/{$}" // the overview, not every path
		}
		mux.HandleFunc("GET "+pattern, a.page(p))
	}
	mux.HandleFunc("GET /sso", a.openSSO)
	mux.HandleFunc("POST /session", a.switchUser)
	mux.HandleFunc("POST /benefits/life-events/{id}/approve", a.approveLifeEvent)
	mux.Handle("POST /api/oriel-token", a.tokenHandler())
	mux.Handle("GET /static/", http.StripPrefix("/static/", noCache(http.FileServerFS(static))))
	// Every state-changing request must come from this app's own pages.
	return http.NewCrossOriginProtection().Handler(mux), nil
}

// noCache makes browsers revalidate the static files, so that a rebuilt
// demo shows its new assets at once.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}
