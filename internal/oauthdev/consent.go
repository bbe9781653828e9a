package oauthdev

import (
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

//go:embed consent.html
var pagesHTML string

// pages holds the "consent" and "error" page templates.
var pages = template.Must(template.New("pages").Parse(pagesHTML))

// The demo user every consent is given as.
const (
	userID    = "user_dana"
	userName  = "Dana Demo"
	userEmail = "dana@democrm.example"
)

// pageData is what the page templates show.
type pageData struct {
	Nonce        string // CSP nonce of the page's style element
	ProviderName string
	Initial      string // the provider's monogram
	Title        string // error page
	Message      string // error page
	ClientName   string
	Scopes       []scopeItem
	UserName     string
	UserEmail    string
	RedirectHost string
	RequestID    string
	CSRF         string
}

// scopeItem is one requested scope as the consent page lists it.
type scopeItem struct{ Name, Description string }

// renderConsent stores req as pending and shows the consent page, which
// posts the user's decision with the request's id and CSRF token.
func (s *Server) renderConsent(w http.ResponseWriter, r *http.Request, req *authRequest) {
	id := random("odp_")
	req.csrf, req.expires = random(""), s.now().Add(consentTTL)
	s.mu.Lock()
	s.sweep()
	s.pending[id] = req
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: req.csrf, Path: PathConsent, MaxAge: int(consentTTL.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	redirect, _ := url.Parse(req.redirectURI)
	data := pageData{
		ProviderName: s.opts.ProviderName, ClientName: req.client.Name,
		UserName: userName, UserEmail: userEmail, RedirectHost: redirect.Host,
		RequestID: id, CSRF: req.csrf,
	}
	for _, sc := range req.scopes {
		data.Scopes = append(data.Scopes, scopeItem{sc, s.opts.Scopes[sc]})
	}
	// The decision's redirect goes to the client: form-action must allow it.
	s.render(w, http.StatusOK, "consent", data, redirect.Scheme+"://"+redirect.Host)
}

// renderError shows an error page.
func (s *Server) renderError(w http.ResponseWriter, status int, title, message string) {
	s.render(w, status, "error", pageData{ProviderName: s.opts.ProviderName, Title: title, Message: message}, "")
}

// render writes a page with headers that keep it out of frames, caches and
// Referer headers, under a CSP that allows only its own nonce'd style.
func (s *Server) render(w http.ResponseWriter, status int, name string, data pageData, formTarget string) {
	data.Nonce = random("")
	data.Initial = strings.ToUpper(string([]rune(data.ProviderName)[:1]))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+data.Nonce+"'; img-src data:; "+
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self' "+formTarget)
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, name, data) // a write error means the client left
}
