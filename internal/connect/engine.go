package connect

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/store"
)

// CallbackPath is the path, under Engine.PublicURL, of the OAuth redirect URI.
const CallbackPath = "/oauth/callback"

// Engine runs connections: it starts and completes OAuth2 authorizations,
// accepts API-key and basic credentials, hands out fresh credentials
// (refreshing them exactly once however many callers and replicas ask),
// and revokes them on disconnect. It speaks to the store and to providers
// only; the HTTP layer calls it.
//
// Set the fields before first use and leave them alone afterwards; the
// Engine is then safe for concurrent use. It must not be copied.
type Engine struct {
	// Store keeps connections, integrations, credentials and OAuth states.
	Store store.ConnectionStore
	// PublicURL is where browsers reach Oriel, e.g. "https://oriel.example.com"
	// (no trailing slash); the redirect URI is PublicURL + CallbackPath.
	PublicURL string
	// HTTPClient makes provider requests; nil means
	// NewHTTPClient(Destinations). Whatever
	// it is, the engine adds its limits: a 1 MiB response cap, no redirects,
	// and RequestTimeout when the client sets no timeout.
	HTTPClient *http.Client
	// Destinations decides which addresses the engine's own requests to
	// providers (token, refresh, revocation and test requests) may reach,
	// when HTTPClient is nil; the zero value refuses private, loopback,
	// link-local and metadata addresses.
	Destinations netguard.Policy
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Logger records outcomes (ids and error codes, never secrets); nil discards.
	Logger *slog.Logger
	// AllowLoopbackHTTP lets generic oauth2 integrations use http:// URLs on
	// 127.0.0.1, [::1] or localhost, such as the development authorization
	// server. Never set it in production.
	AllowLoopbackHTTP bool

	once    sync.Once
	client  *http.Client
	logger  *slog.Logger
	flights singleflight.Group // one refresh per connection in this process
	// ccTokens caches client credentials connections' access tokens.
	ccTokens clientTokens
}

// init fills the engine's defaults once.
func (e *Engine) init() {
	e.once.Do(func() {
		e.client = e.HTTPClient
		if e.client == nil {
			e.client = NewHTTPClient(e.Destinations)
		}
		e.client = bound(e.client)
		e.logger = e.Logger
		if e.logger == nil {
			e.logger = slog.New(slog.DiscardHandler)
		}
	})
}

// RedirectURI is the exact redirect URI of every authorization request.
func (e *Engine) RedirectURI() string { return e.PublicURL + CallbackPath }

// now returns the engine's current time.
func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// log returns the engine's logger.
func (e *Engine) log() *slog.Logger {
	e.init()
	return e.logger
}

// httpClient returns the bounded client for provider requests.
func (e *Engine) httpClient() *http.Client {
	e.init()
	return e.client
}

// oauth2Context returns ctx carrying the bounded client, so that x/oauth2's
// token requests use it.
func (e *Engine) oauth2Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, e.httpClient())
}

// target is a connection with the integration and provider it uses.
type target struct {
	conn        *oriel.Connection
	integration *oriel.Integration
	provider    *Provider
}

// load returns one of the vendor's connections with its integration and
// provider; a generic oauth2 provider gets the integration's endpoints.
func (e *Engine) load(ctx context.Context, vendorID, connectionID string) (*target, error) {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	return e.loadFor(ctx, conn)
}

// loadFor returns conn's target.
func (e *Engine) loadFor(ctx context.Context, conn *oriel.Connection) (*target, error) {
	in, err := e.Store.Integration(ctx, conn.VendorID, conn.Integration)
	if err != nil {
		return nil, err
	}
	p, ok := LookupProvider(in.Provider)
	if !ok {
		return nil, oriel.Errorf(oriel.EUNPROCESSABLE, CodeProviderUnknown,
			"the integration %q uses a provider the catalogue does not have", in.Key)
	}
	switch {
	case p.Generic && p.Kind == KindOAuth2:
		p, err = p.WithEndpoints(endpointsOf(in), e.AllowLoopbackHTTP)
	case p.Generic:
		p, err = p.WithAPIBase(in.Config["api_base_url"], e.AllowLoopbackHTTP)
	}
	if err != nil {
		return nil, err
	}
	return &target{conn: conn, integration: in, provider: p}, nil
}

// endpointsOf reads a generic oauth2 integration's endpoints from its
// Config, under the JSON names of Endpoints' fields.
func endpointsOf(in *oriel.Integration) Endpoints {
	return Endpoints{
		AuthorizationURL: in.Config["authorization_url"],
		TokenURL:         in.Config["token_url"],
		RevocationURL:    in.Config["revocation_url"],
		Issuer:           in.Config["issuer"],
		APIBaseURL:       in.Config["api_base_url"],
	}
}

// oauth2Config returns the x/oauth2 configuration of t's OAuth2 provider,
// with redirectURI; it fails for api_key and basic providers.
func (t *target) oauth2Config(redirectURI string) (*oauth2.Config, error) {
	scopes := t.integration.Scopes
	if len(scopes) == 0 {
		scopes = nil // the provider's default scopes
	}
	return t.provider.OAuth2Config(OAuth2Client{
		ClientID:     t.integration.ClientID,
		ClientSecret: t.integration.ClientSecret,
		RedirectURL:  redirectURI,
		Scopes:       scopes,
	}, t.conn.Config)
}
