// Package oauthdev is a real, local OAuth 2.0 authorization server for
// tests and the demo: the authorization code grant with mandatory PKCE S256,
// refresh token rotation with reuse detection, revocation (RFC 7009),
// metadata (RFC 8414), the "iss" authorization response parameter (RFC 9207)
// and a protected resource, plus switches that make it misbehave on demand.
//
// It keeps everything in memory and is never routed by Oriel's production
// server: it runs on its own loopback listener (Start) or in a test server.
package oauthdev

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Paths of the server's endpoints.
const (
	PathAuthorize = "/authorize"
	PathConsent   = "/consent" // where the consent page posts its decision
	PathToken     = "/token"
	PathRevoke    = "/revoke"
	PathMe        = "/api/me" // protected resource: who the bearer token belongs to
	// Further protected resources, for the provider API proxy.
	PathContacts = "/api/contacts" // GET: the user's contacts
	PathExport   = "/api/export"   // GET ?bytes=N[&chunked=1]: N bytes of text
	PathEcho     = "/api/echo"     // POST: the request body, back
	PathMetadata = "/.well-known/oauth-authorization-server"
)

// maxCodeTTL is the longest an authorization code may live (RFC 6749 §4.1.2).
const maxCodeTTL = 10 * time.Minute

// Options configure a Server. The zero value is usable.
type Options struct {
	// Issuer is the server's issuer identifier. Default: the base URL Start
	// listens on or, when served otherwise (httptest), http://{Host} of each request.
	Issuer string
	// ProviderName is the app the server plays, shown on the consent page.
	// Default "Demo CRM".
	ProviderName string
	// Scopes maps each scope the server knows to the description shown on
	// the consent page. Default: DefaultScopes.
	Scopes map[string]string
	// Consent is how authorization requests are answered. Default ConsentAsk.
	Consent ConsentMode
	// CodeTTL is the lifetime of authorization codes: default 2 minutes,
	// capped at 10 minutes.
	CodeTTL time.Duration
	// AccessTokenTTL is the lifetime of access tokens. Default 1 hour.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the absolute lifetime of a grant's refresh tokens,
	// counted from the authorization. Default 30 days.
	RefreshTokenTTL time.Duration
	// Now is the server's clock. Default time.Now.
	Now func() time.Time
}

// DefaultScopes are the scopes a server knows when Options.Scopes is nil.
var DefaultScopes = map[string]string{
	"contacts.read":  "See your contacts and companies",
	"contacts.write": "Create and update contacts",
	"deals.read":     "See your deals and pipelines",
	"offline_access": "Stay connected when you are not using the app",
}

// ConsentMode is how the server answers an authorization request.
type ConsentMode int

// Consent modes.
const (
	ConsentAsk     ConsentMode = iota // show the consent page (browser flows)
	ConsentApprove                    // approve at once: redirect with a code
	ConsentDeny                       // deny at once: redirect with error=access_denied
)

// Client is an OAuth client registered at the server.
type Client struct {
	ID     string
	Secret string
	// Name is shown on the consent page ("Name wants access to …"). Default ID.
	Name string
	// RedirectURIs are the redirect URIs the client may use, compared exactly.
	RedirectURIs []string
	// Scopes, when not nil, are all the client may be granted: other
	// requested scopes are silently left out, as a user unticking them would.
	Scopes []string
	// TokenAuthMethod, when set, is the only way the client may authenticate:
	// "client_secret_basic" or "client_secret_post".
	TokenAuthMethod string
}

// Server is the authorization server, an http.Handler. It is safe for
// concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu      sync.Mutex
	baseURL string // where Start listens
	issuer  string
	consent ConsentMode
	iss     IssParam
	clients map[string]*Client
	pending map[string]*authRequest
	codes   map[string]*authCode
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	faults  []*Fault
	counts  map[string]*callCounts

	resourceFaults []*ResourceFault
	resourceCalls  int
}

// callCounts are the requests the server received from one client.
type callCounts struct{ token, refresh, revoke int }

// New returns a server with no clients.
func New(opts Options) *Server {
	if opts.ProviderName == "" {
		opts.ProviderName = "Demo CRM"
	}
	if opts.Scopes == nil {
		opts.Scopes = DefaultScopes
	}
	if opts.CodeTTL <= 0 {
		opts.CodeTTL = 2 * time.Minute
	}
	opts.CodeTTL = min(opts.CodeTTL, maxCodeTTL)
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = time.Hour
	}
	if opts.RefreshTokenTTL <= 0 {
		opts.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:    opts,
		issuer:  opts.Issuer,
		consent: opts.Consent,
		clients: map[string]*Client{},
		pending: map[string]*authRequest{},
		codes:   map[string]*authCode{},
		access:  map[string]*accessToken{},
		refresh: map[string]*refreshToken{},
		counts:  map[string]*callCounts{},
		mux:     http.NewServeMux(),
	}
	s.mux.HandleFunc("GET "+PathAuthorize, s.handleAuthorize)
	s.mux.HandleFunc("POST "+PathConsent, s.handleConsent)
	s.mux.HandleFunc("POST "+PathToken, s.handleToken)
	s.mux.HandleFunc("POST "+PathRevoke, s.handleRevoke)
	s.mux.HandleFunc("GET "+PathMe, s.handleMe)
	s.mux.HandleFunc("GET "+PathContacts, s.handleContacts)
	s.mux.HandleFunc("GET "+PathExport, s.handleExport)
	s.mux.HandleFunc("POST "+PathEcho, s.handleEcho)
	s.mux.HandleFunc("GET "+PathMetadata, s.handleMetadata)
	return s
}

// ServeHTTP serves the server's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// RegisterClient adds or replaces a client. Its ID, secret and at least one
// redirect URI are required; redirect URIs must be absolute http(s) URLs
// without a fragment.
func (s *Server) RegisterClient(c Client) error {
	if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
		return errors.New("oauthdev: a client needs an ID, a secret and a redirect URI")
	}
	for _, raw := range c.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
			return fmt.Errorf("oauthdev: redirect URI %q must be an absolute http(s) URL without a fragment", raw)
		}
	}
	if c.TokenAuthMethod != "" && c.TokenAuthMethod != authBasic && c.TokenAuthMethod != authPost {
		return fmt.Errorf("oauthdev: token auth method %q is not %s or %s", c.TokenAuthMethod, authBasic, authPost)
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	c.RedirectURIs, c.Scopes = slices.Clone(c.RedirectURIs), slices.Clone(c.Scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = &c
	return nil
}

// SetConsent changes how the server answers authorization requests.
func (s *Server) SetConsent(m ConsentMode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent = m
}

// TokenCalls returns how many token requests named the client (as HTTP
// Basic user or client_id), whatever their outcome.
func (s *Server) TokenCalls(clientID string) int { return s.countOf(clientID).token }

// RefreshCalls returns how many of the client's token requests used the
// refresh_token grant, whatever their outcome.
func (s *Server) RefreshCalls(clientID string) int { return s.countOf(clientID).refresh }

// RevokeCalls returns how many revocation requests named the client.
func (s *Server) RevokeCalls(clientID string) int { return s.countOf(clientID).revoke }

// countOf returns a copy of the client's call counts.
func (s *Server) countOf(clientID string) callCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counts[clientID]; c != nil {
		return *c
	}
	return callCounts{}
}

// count records a request naming clientID; the caller holds s.mu.
func (s *Server) count(clientID string, record func(*callCounts)) {
	c := s.counts[clientID]
	if c == nil {
		c = &callCounts{}
		s.counts[clientID] = c
	}
	record(c)
}

// Start serves s on a new listener on 127.0.0.1 (a free port) until stop is
// called or ctx ends, and returns the base URL, which becomes the issuer
// unless Options.Issuer is set. Stopping closes every connection at once.
func (s *Server) Start(ctx context.Context) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("oauthdev: listen: %w", err)
	}
	baseURL = "http://" + ln.Addr().String()
	s.mu.Lock()
	s.baseURL = baseURL
	if s.issuer == "" {
		s.issuer = baseURL
	}
	s.mu.Unlock()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Shutdown
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = srv.Close() // a test server need not drain: cut requests in flight
			<-done
		})
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-done:
		}
	}()
	return baseURL, stop, nil
}

// URL returns the base URL Start listens on, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// Issuer returns the issuer identifier, or "" while it is still derived
// from each request's Host.
func (s *Server) Issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuer
}

// issuerFor returns the issuer that answers r.
func (s *Server) issuerFor(r *http.Request) string {
	if iss := s.Issuer(); iss != "" {
		return iss
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// now returns the server's current time.
func (s *Server) now() time.Time { return s.opts.Now() }
