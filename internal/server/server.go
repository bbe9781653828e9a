// Package server is Oriel's HTTP interface: the vendor REST API under /v1,
// its OpenAPI document, the operational endpoints, the direct-link pages,
// the widget API those pages call (/widget-api) and the OAuth popup
// (/oauth). routes.go lists every route; handlers are thin and leave the
// work to the store, package auth and the connection engine.
package server

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/origin"
	"github.com/orielhq/oriel/internal/proxy"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

// Config is what a Server needs.
type Config struct {
	Store     store.Store
	Logger    *slog.Logger     // nil → discard
	PublicURL string           // the URL clients reach this server at, e.g. http://localhost:8080
	Region    string           // the region this deployment serves, e.g. "us"
	Now       func() time.Time // nil → time.Now

	// APIRate limits each API key's requests to the /v1 routes other than
	// the token endpoints; zero → DefaultAPIRate.
	APIRate Rate
	// TokenRate limits each API key's requests to the token endpoints
	// (POST /v1/auth/access-tokens and …/revoke); zero → DefaultTokenRate.
	TokenRate Rate
	// LinkFailureRate limits the refused direct links one client address
	// may open before it is answered 429; zero → DefaultLinkFailureRate.
	LinkFailureRate Rate
	// TrustedProxies are the networks of the reverse proxies and load
	// balancers in front of Oriel. Only from a peer in one of them is the
	// client address taken from ClientAddressHeader (clientaddr.go); from
	// any other peer the header is ignored. None → the peer is the client.
	TrustedProxies []netip.Prefix
	// ClientAddressHeader is the header the trusted proxies set:
	// "X-Forwarded-For" (the default when empty) or "Forwarded" (RFC 7239).
	ClientAddressHeader string

	// Keys seals the widget session tokens that direct links open; every
	// replica needs the same keyring. nil → direct links answer 503.
	Keys *seal.Keyring
	// DirectLinkMaxAge is how old a direct-link token's iat may be;
	// 0 → 5 minutes (linktoken.DefaultMaxAge).
	DirectLinkMaxAge time.Duration
	// SessionTTL is how long a widget session lasts; 0 → 30 minutes
	// (auth.DefaultSessionTTL).
	SessionTTL time.Duration
	// AccessTokenTTL is how long a bound access token lasts; 0 →
	// DefaultAccessTokenTTL, and values outside MinAccessTokenTTL to
	// MaxAccessTokenTTL are brought within them (accesstokens.go).
	AccessTokenTTL time.Duration
	// Dev is development mode: generic OAuth 2.0 integrations and webhook
	// endpoints may then use http:// URLs on loopback (127.0.0.1, [::1],
	// localhost), such as package oauthdev's server. Never in production.
	Dev bool
	// WebhookDestinations says which webhook endpoint URLs may be
	// registered: one whose host is a literal internal address is refused
	// (422 destination_not_allowed) unless AllowPrivate is set, which Dev
	// implies. Give the webhook dispatcher the same policy.
	WebhookDestinations netguard.Policy
	// Engine connects, refreshes and revokes connections; nil → one built
	// from the fields above. Pass the engine the background refresher uses,
	// so that both share its in-process single-flight.
	Engine *connect.Engine
	// Documents bounds the supporting documents of life events; zero
	// fields take the defaults (DefaultDocumentLimits).
	Documents DocumentLimits
	// Proxy bounds /v1/connections/{id}/proxy/…: the addresses it may
	// call, body sizes and time. Its zero value refuses private addresses.
	Proxy proxy.Config
	// LogoDestinations is where Oriel may fetch the logos vendors give by
	// URL; the zero value refuses private, loopback and link-local addresses.
	LogoDestinations netguard.Policy
}

// Server answers Oriel's HTTP requests. It is an http.Handler; the caller
// owns the listener and graceful shutdown.
type Server struct {
	store        store.Store
	logger       *slog.Logger
	publicURL    string
	now          func() time.Time
	apiLimiter   *limiter // requests per API key to the vendor API
	tokenLimiter *limiter // requests per API key to the token endpoints
	clients      clientAddresses
	touches      *throttle
	metrics      *metrics
	documents    DocumentLimits
	openapi      []byte
	handler      http.Handler

	links        *auth.DirectLinks // nil without Config.Keys
	linkFailures *limiter          // refused direct-link opens, by client address
	tokens       *accessTokens     // issues and checks bound access tokens
	keys         *seal.Keyring     // seals OAuth start tickets; nil without Config.Keys
	cookieName   string            // of the SSO session cookie
	oauthCookie  string            // of the browser binding of an OAuth flow
	secureCookie bool              // the public URL is https
	origin       string            // of the public URL: where the widget pages run

	engine *connect.Engine // connects, refreshes and revokes connections
	proxy  *proxy.Forwarder
	// proxyBase stands for an API base URL when paths are checked before routing.
	proxyBase *url.URL
	csrf      *http.CrossOriginProtection
	dev       bool

	webhookDestinations netguard.Policy // checks endpoint URLs at registration
	logoDestinations    netguard.Policy // checks logo URLs before they are fetched
	logoClient          *http.Client    // fetches logos, dialling through logoDestinations
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	s := &Server{
		store:     cfg.Store,
		logger:    cfg.Logger,
		publicURL: cfg.PublicURL,
		now:       cfg.Now,
		touches:   newThrottle(time.Minute),
		metrics:   newMetrics(cfg.Store),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.documents = cfg.Documents.withDefaults()
	if s.now == nil {
		s.now = time.Now
	}
	s.apiLimiter = newLimiter(cfg.APIRate.orDefault(DefaultAPIRate))
	s.tokenLimiter = newLimiter(cfg.TokenRate.orDefault(DefaultTokenRate))
	s.linkFailures = newLimiter(cfg.LinkFailureRate.orDefault(DefaultLinkFailureRate))
	s.clients = clientAddresses{trusted: cfg.TrustedProxies, header: cfg.ClientAddressHeader}
	if cfg.Keys != nil {
		s.links = &auth.DirectLinks{Store: cfg.Store, Minter: token.NewMinter(cfg.Keys, s.now),
			MaxAge: cfg.DirectLinkMaxAge, SessionTTL: cfg.SessionTTL, Now: s.now}
		s.keys = cfg.Keys
	}
	s.tokens = newAccessTokens(cfg.Keys, cfg.AccessTokenTTL, s.now)
	s.engine = cfg.Engine
	if s.engine == nil {
		// The engine calls the same providers as the proxy, so it follows
		// the proxy's address policy.
		destinations := cfg.Proxy.Policy
		destinations.AllowPrivate = destinations.AllowPrivate || cfg.Dev
		s.engine = &connect.Engine{Store: cfg.Store, PublicURL: cfg.PublicURL, Logger: s.logger, Now: s.now,
			AllowLoopbackHTTP: cfg.Dev, Destinations: destinations}
	}
	s.proxy = proxy.New(s.engine, cfg.Proxy, s.metrics.observeProxy, s.logger)
	s.proxyBase = &url.URL{Scheme: "https", Host: "provider.invalid", Path: "/"}
	s.csrf = http.NewCrossOriginProtection()
	s.dev = cfg.Dev
	s.webhookDestinations = cfg.WebhookDestinations
	s.webhookDestinations.AllowPrivate = cfg.WebhookDestinations.AllowPrivate || cfg.Dev
	s.logoDestinations = cfg.LogoDestinations
	s.logoClient = s.newLogoClient(cfg.LogoDestinations)
	s.origin = originOf(cfg.PublicURL)
	// A Secure cookie may carry the __Host- prefix: no Domain, Path=/, so
	// no subdomain can set or overwrite it.
	s.secureCookie = strings.HasPrefix(cfg.PublicURL, "https://")
	s.cookieName, s.oauthCookie = "oriel_session", "oriel_oauth"
	if s.secureCookie {
		s.cookieName, s.oauthCookie = "__Host-oriel_session", "__Host-oriel_oauth"
	}
	s.openapi = openAPIDocument(cfg.PublicURL, cfg.Region)
	s.handler = s.observe(s.recoverPanics(s.mount()))
	return s
}

// originOf returns the normalised origin of the public URL, or "" when it
// has none (the widgets then post no message).
func originOf(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	o, err := origin.Normalize(u.Scheme + "://" + u.Host)
	if err != nil {
		return ""
	}
	return o
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
