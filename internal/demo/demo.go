// Package demo is `oriel demo`: Oriel with everything around it that shows
// it working on one machine, offline. Besides the Oriel server (which the
// oriel command runs), it provides
//
//   - the Demo CRM, an OAuth 2.0 authorization server with a consent page
//     (package oauthdev) on its own origin;
//   - Northwind, a partner app on a third origin (package partner) that
//     embeds Oriel's widgets every way there is;
//   - the data: Northwind's vendor account and API key, its signing key,
//     customers Acme and Globex with an admin and a viewer each, a Demo CRM
//     (OAuth 2.0) and a Demo Mailer (API key) integration, and connections.
//
// The data directory keeps it all between runs; Reset starts over.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/orielhq/oriel/internal/demo/partner"
	"github.com/orielhq/oriel/internal/store"
)

// Config says where the demo's servers are and where it keeps its files.
type Config struct {
	// DataDir holds Oriel's database and the demo's own files.
	DataDir string
	// OrielURL is Oriel's public URL, e.g. http://localhost:8080.
	OrielURL string
	// CRMURL is the Demo CRM's, e.g. http://127.0.0.1:9090.
	CRMURL string
	// AppURL is Northwind's, e.g. http://127.0.0.1:3000.
	AppURL string
	// Store is Oriel's database, in which the demo creates its vendor.
	Store store.Store
	// Logger records the partner app's failures; nil discards them.
	Logger *slog.Logger
}

// Demo is the demo's state for one run.
type Demo struct {
	cfg        Config
	appOrigin  string
	state      *state
	created    bool // this run created the vendor
	signingKey []byte
	crm        http.Handler
}

// Open prepares a run: it creates the vendor and its API key in the
// database on the first run, or finds those of the last one, and makes
// Northwind's signing key and the Demo CRM.
func Open(ctx context.Context, cfg Config) (*Demo, error) {
	for _, u := range []string{cfg.OrielURL, cfg.CRMURL, cfg.AppURL} {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" || strings.HasSuffix(u, "/") {
			return nil, fmt.Errorf("demo: %q is not a base URL such as http://127.0.0.1:3000", u)
		}
	}
	if cfg.Store == nil {
		return nil, errors.New("demo: Config.Store is required")
	}
	st, created, err := loadOrCreateState(ctx, cfg.Store, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	key, err := partner.LoadOrCreateSigningKey(filepath.Join(cfg.DataDir, signingKeyFile))
	if err != nil {
		return nil, fmt.Errorf("Northwind's signing key: %w", err)
	}
	crm, err := newCRM(cfg.CRMURL, cfg.OrielURL, st.CRMClientSecret)
	if err != nil {
		return nil, err
	}
	app, _ := url.Parse(cfg.AppURL)
	return &Demo{cfg: cfg, appOrigin: app.Scheme + "://" + app.Host, state: st, created: created, signingKey: key, crm: crm}, nil
}

// CRM is the Demo CRM's handler, to serve at CRMURL.
func (d *Demo) CRM() http.Handler { return d.crm }

// PartnerApp seeds Oriel through its vendor API, which must be answering
// at OrielURL, and returns Northwind's handler, to serve at AppURL.
func (d *Demo) PartnerApp(ctx context.Context) (http.Handler, error) {
	crm, err := d.seed(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed the demo's data: %w", err)
	}
	return partner.New(partner.Config{
		OrielURL:       d.cfg.OrielURL,
		AppURL:         d.cfg.AppURL,
		VendorID:       d.state.VendorID,
		SigningKey:     d.signingKey,
		APIKey:         d.state.APIKey,
		CRMConnections: crm,
		Logger:         d.cfg.Logger,
	})
}

// WriteWelcome prints where everything is, the API key and the users.
func (d *Demo) WriteWelcome(w io.Writer) {
	run := "Reusing the data in " + d.cfg.DataDir + " (--reset starts over)."
	if d.created {
		run = "Created the demo's data in " + d.cfg.DataDir + "; the next run reuses it (--reset starts over)."
	}
	fmt.Fprintf(w, `
Oriel demo is running. Open Northwind, the partner app: %s

  Northwind (partner app)   %s
  Oriel                     %s
  Demo CRM (OAuth 2.0)      %s

  Vendor    %s (%s)
  API key   %s
            try: curl -H "Authorization: Bearer %s" %s/v1/connections
`, d.cfg.AppURL, d.cfg.AppURL, d.cfg.OrielURL, d.cfg.CRMURL, vendorName, d.state.VendorID, d.state.APIKey, d.state.APIKey, d.cfg.OrielURL)
	for i, c := range partner.Directory {
		label := "Users"
		if i > 0 {
			label = ""
		}
		names := make([]string, len(c.Users))
		for j, u := range c.Users {
			names[j] = fmt.Sprintf("%s (%s)", u.Name, u.Role)
		}
		fmt.Fprintf(w, "  %-9s %s: %s\n", label, c.Name, strings.Join(names, ", "))
	}
	fmt.Fprintf(w, "\n%s\nPress Ctrl-C to stop.\n", run)
}
