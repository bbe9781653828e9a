package partner

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/orielhq/oriel/directlink"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pageInfo is one page of the app: its menu entry and heading.
type pageInfo struct {
	Name  string // its template, templates/{Name}.html
	Path  string
	Menu  string
	Title string
}

// menu lists the pages in the order of the side menu.
var menu = []pageInfo{
	{"overview", "/", "Overview", "Oriel, embedded in Northwind"},
	{"raw", "/raw", "Raw iframe", "Raw iframe"},
	{"sdk", "/sdk", "JavaScript SDK", "JavaScript SDK"},
	{"react", "/react", "React", "React components"},
	{"embedded", "/embedded", "Fully Embedded", "Fully Embedded workspace"},
	{"crm", "/crm", "CRM data", "Data from the connected CRM"},
	{"benefits", "/benefits", "Benefits", "Employee benefits"},
}

// pageData is what every page template gets.
type pageData struct {
	Page      pageInfo
	Menu      []pageInfo
	OrielURL  string
	User      *User
	Customers []*Customer
	// WidgetURL is the direct link a raw-iframe or Fully Embedded page
	// frames, signed for this page load.
	WidgetURL string
	// CRM is the CRM data page's data.
	CRM *crmData
	// Console is the Benefits page's vendor console.
	Console *consoleData
}

// pages holds one parsed template set per page: the layout and the page.
type pages struct {
	sets map[string]*template.Template
	csp  string
}

// parsePages parses the templates. Pages load scripts from this app and,
// for the SDK, from Oriel, and frame only Oriel.
func parsePages(orielURL string) (*pages, error) {
	p := &pages{
		sets: map[string]*template.Template{},
		csp: "default-src 'self'; script-src 'self' " + orielURL + "; frame-src " + orielURL +
			"; img-src 'self' data:; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	}
	for _, info := range menu {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+info.Name+".html")
		if err != nil {
			return nil, fmt.Errorf("partner: page %s: %w", info.Name, err)
		}
		p.sets[info.Name] = t
	}
	return p, nil
}

// page serves a page of the menu for the signed-in user.
func (a *app) page(info pageInfo) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data := pageData{Page: info, Menu: menu, OrielURL: a.cfg.OrielURL, User: a.sessions.current(r), Customers: Directory}
		var err error
		switch info.Name {
		case "raw":
			data.WidgetURL, err = a.link(directlink.KindConnection, a.cfg.CRMConnections[data.User.Customer.ExternalID], data.User)
		case "embedded":
			data.WidgetURL, err = a.link(directlink.KindApp, workspacePath, data.User)
		case "crm":
			data.CRM = a.crmContacts(r.Context(), data.User)
		case "benefits":
			data.Console = a.pendingLifeEvents(r.Context(), data.User)
		}
		if err != nil {
			a.fail(w, r, "cannot sign the direct link", err)
			return
		}
		var body bytes.Buffer
		if err := a.pages.sets[info.Name].ExecuteTemplate(&body, "layout", data); err != nil {
			a.fail(w, r, "cannot render the page", err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", a.pages.csp)
		// A page holds a single-use link: never serve it from a cache.
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = body.WriteTo(w)
	}
}
