package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/netguard"
	"github.com/orielhq/oriel/internal/proxy"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/server"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/webhook"
)

// HTTP server limits. The API takes bodies of at most 1 MiB, and direct-link
// tokens of at most 8 KiB in the query string.
const (
	readHeaderTimeout = 10 * time.Second // also ends slowloris connections
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// serveConfig is the configuration of `oriel serve`.
type serveConfig struct {
	addr           string
	publicURL      string
	region         string
	apiRate        float64
	apiBurst       int
	tokenRate      float64
	tokenBurst     int
	linkFailures   int
	trustedProxies string // comma-separated CIDRs or addresses
	clientHeader   string // the header trusted proxies report the client in
	proxies        []netip.Prefix
	accessTokenTTL time.Duration
	webhookLease   time.Duration
	pruneInterval  time.Duration
	pool           store.PoolLimits
	debugAddr      string
	documents      server.DocumentLimits
	// webhookAllowPrivate lets webhooks reach loopback and private
	// addresses; --dev turns it on too.
	webhookAllowPrivate bool
	dev                 bool
	shutdownTimeout     time.Duration
	proxy               proxy.Config
	store               *storeFlags
	log                 *logFlags
}

// parseServeConfig reads serve's flags, falling back to the environment.
func parseServeConfig(args []string, env func(string) string, stdout io.Writer) (*serveConfig, error) {
	f, c := newServeFlags()
	if err := f.parse(args, env, stdout); err != nil {
		return nil, err
	}
	return c, c.validate(f)
}

// newServeFlags returns serve's flags, which fill in the returned config.
func newServeFlags() (*commandFlags, *serveConfig) {
	f := newCommandFlags("oriel serve", "[flags]",
		`Runs the Oriel server: the vendor API under /v1, the widgets, /healthz, /readyz
and /metrics. It stops gracefully on SIGTERM or SIGINT.

Credentials are encrypted with the keys in `+encryptionKeysEnv+`, a comma-separated
list of id:base64key entries, oldest first; the last one encrypts. Make one with
    `+encryptionKeysEnv+`=k1:$(openssl rand -base64 32)`)
	c := &serveConfig{store: addStoreFlags(f), log: addLogFlags(f, slog.LevelInfo)}
	f.StringVar(&c.addr, "addr", ":8080", "`address` to listen on, host:port")
	f.bindEnv("addr", "ORIEL_ADDR")
	f.StringVar(&c.publicURL, "public-url", "http://localhost:8080", "`URL` at which browsers and vendors reach this server")
	f.bindEnv("public-url", "ORIEL_PUBLIC_URL")
	f.StringVar(&c.region, "region", "us", "`region` this deployment serves (us, eu, sg, jp, au, …)")
	f.bindEnv("region", "ORIEL_REGION")
	f.Float64Var(&c.apiRate, "api-rate", server.DefaultAPIRate.PerSecond, "requests per second each API key may make to the vendor API other than the token endpoints, per replica")
	f.bindEnv("api-rate", "ORIEL_API_RATE")
	f.IntVar(&c.apiBurst, "api-burst", server.DefaultAPIRate.Burst, "requests each API key may make to the vendor API at once before --api-rate applies")
	f.bindEnv("api-burst", "ORIEL_API_BURST")
	f.Float64Var(&c.tokenRate, "token-rate", server.DefaultTokenRate.PerSecond, "requests per second each API key may make to the token endpoints (/v1/auth/access-tokens), per replica")
	f.bindEnv("token-rate", "ORIEL_TOKEN_RATE")
	f.IntVar(&c.tokenBurst, "token-burst", server.DefaultTokenRate.Burst, "requests each API key may make to the token endpoints at once before --token-rate applies")
	f.bindEnv("token-burst", "ORIEL_TOKEN_BURST")
	f.IntVar(&c.linkFailures, "link-failure-limit", server.DefaultLinkFailureRate.Burst, "refused direct links one client address may open per minute before it is answered 429, per replica")
	f.bindEnv("link-failure-limit", "ORIEL_LINK_FAILURE_LIMIT")
	f.StringVar(&c.trustedProxies, "trusted-proxies", "", "comma-separated `CIDRs` of the reverse proxies and load balancers in front of Oriel; only from them is the client address read from --client-address-header")
	f.bindEnv("trusted-proxies", "ORIEL_TRUSTED_PROXIES")
	f.StringVar(&c.clientHeader, "client-address-header", server.HeaderXForwardedFor, "`header` the trusted proxies put the client address in: X-Forwarded-For or Forwarded")
	f.bindEnv("client-address-header", "ORIEL_CLIENT_ADDRESS_HEADER")
	f.DurationVar(&c.accessTokenTTL, "access-token-ttl", server.DefaultAccessTokenTTL, "how long a bound access token (POST /v1/auth/access-tokens) lasts, 1m to 60m")
	f.bindEnv("access-token-ttl", "ORIEL_ACCESS_TOKEN_TTL")
	f.DurationVar(&c.webhookLease, "webhook-lease", webhook.DefaultLease, "how long a replica holds a webhook delivery it is sending; a crashed replica's deliveries are retried after it")
	f.bindEnv("webhook-lease", "ORIEL_WEBHOOK_LEASE")
	f.DurationVar(&c.pruneInterval, "prune-interval", defaultPruneInterval, "how often expired direct-link token ids, revocations and idempotency keys are deleted")
	f.bindEnv("prune-interval", "ORIEL_PRUNE_INTERVAL")
	f.IntVar(&c.pool.MaxOpen, "db-max-open-conns", store.DefaultMaxOpenConns, "PostgreSQL only: most `connections` this replica opens to the database")
	f.bindEnv("db-max-open-conns", "ORIEL_DB_MAX_OPEN_CONNS")
	f.IntVar(&c.pool.MaxIdle, "db-max-idle-conns", 0, "PostgreSQL only: most idle `connections` kept open for reuse (default: as many as --db-max-open-conns)")
	f.bindEnv("db-max-idle-conns", "ORIEL_DB_MAX_IDLE_CONNS")
	f.DurationVar(&c.pool.MaxIdleTime, "db-conn-max-idle-time", store.DefaultConnMaxIdleTime, "PostgreSQL only: an idle connection is closed after this long")
	f.bindEnv("db-conn-max-idle-time", "ORIEL_DB_CONN_MAX_IDLE_TIME")
	f.StringVar(&c.debugAddr, "debug-addr", "", "`address` (host:port, loopback unless a host is given) to serve Go's profiler, net/http/pprof, on; off when empty")
	f.bindEnv("debug-addr", "ORIEL_DEBUG_ADDR")
	f.Int64Var(&c.documents.MaxBytes, "max-document-bytes", server.DefaultMaxDocumentBytes, "the largest life-event document an employee may upload, in bytes")
	f.bindEnv("max-document-bytes", "ORIEL_MAX_DOCUMENT_BYTES")
	f.IntVar(&c.documents.PerEvent, "max-documents-per-event", server.DefaultMaxDocumentsPerEvent, "how many documents one life event may have")
	f.bindEnv("max-documents-per-event", "ORIEL_MAX_DOCUMENTS_PER_EVENT")
	f.BoolVar(&c.webhookAllowPrivate, "webhook-allow-private", false, "let webhook endpoints be on loopback, private (RFC 1918), link-local and other internal addresses, for receivers on your own network (on with --dev)")
	f.bindEnv("webhook-allow-private", "ORIEL_WEBHOOK_ALLOW_PRIVATE")
	f.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 25*time.Second, "how long in-flight requests may take to finish when stopping")
	f.bindEnv("shutdown-timeout", "ORIEL_SHUTDOWN_TIMEOUT")
	f.Int64Var(&c.proxy.MaxRequestBytes, "proxy-max-request-bytes", proxy.DefaultMaxRequestBytes, "largest request body /v1/connections/{id}/proxy/… forwards to a provider")
	f.bindEnv("proxy-max-request-bytes", "ORIEL_PROXY_MAX_REQUEST_BYTES")
	f.Int64Var(&c.proxy.MaxResponseBytes, "proxy-max-response-bytes", proxy.DefaultMaxResponseBytes, "largest provider answer the proxy passes on")
	f.bindEnv("proxy-max-response-bytes", "ORIEL_PROXY_MAX_RESPONSE_BYTES")
	f.DurationVar(&c.proxy.Timeout, "proxy-timeout", proxy.DefaultTimeout, "how long one proxied call may take, retries and bodies included")
	f.bindEnv("proxy-timeout", "ORIEL_PROXY_TIMEOUT")
	f.BoolVar(&c.dev, "dev", false, "development mode: without "+encryptionKeysEnv+", create (once) and use a key file in the data directory")
	return f, c
}

// validate checks the values that flag parsing alone does not.
func (c *serveConfig) validate(f *commandFlags) error {
	u, err := url.Parse(c.publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return f.usageErrorf("--public-url must be an absolute http or https URL such as https://oriel.example.com, not %q", c.publicURL)
	}
	c.publicURL = strings.TrimSuffix(c.publicURL, "/")
	switch {
	case c.region == "":
		return f.usageErrorf("--region must not be empty")
	case !(c.apiRate > 0) || c.apiBurst < 1:
		return f.usageErrorf("--api-rate and --api-burst must be positive, not %g and %d", c.apiRate, c.apiBurst)
	case !(c.tokenRate > 0) || c.tokenBurst < 1:
		return f.usageErrorf("--token-rate and --token-burst must be positive, not %g and %d", c.tokenRate, c.tokenBurst)
	case c.linkFailures < 1:
		return f.usageErrorf("--link-failure-limit must be a positive number of refused links per minute, not %d", c.linkFailures)
	case c.accessTokenTTL < server.MinAccessTokenTTL || c.accessTokenTTL > server.MaxAccessTokenTTL || c.accessTokenTTL%time.Second != 0:
		return f.usageErrorf("--access-token-ttl must be whole seconds from 1m to 60m, not %s", c.accessTokenTTL)
	case c.webhookLease < time.Second:
		return f.usageErrorf("--webhook-lease must be at least 1s, not %s", c.webhookLease)
	case c.pruneInterval < time.Second:
		return f.usageErrorf("--prune-interval must be at least 1s, not %s", c.pruneInterval)
	case c.pool.MaxOpen < 1:
		return f.usageErrorf("--db-max-open-conns must be at least 1, not %d", c.pool.MaxOpen)
	case c.pool.MaxIdle < 0 || c.pool.MaxIdle > c.pool.MaxOpen:
		return f.usageErrorf("--db-max-idle-conns must be from 0 (as many as --db-max-open-conns) to --db-max-open-conns (%d), not %d", c.pool.MaxOpen, c.pool.MaxIdle)
	case c.pool.MaxIdleTime < time.Second:
		return f.usageErrorf("--db-conn-max-idle-time must be at least 1s, not %s", c.pool.MaxIdleTime)
	case c.documents.MaxBytes < 1024 || c.documents.MaxBytes > 1<<30:
		return f.usageErrorf("--max-document-bytes must be from 1024 to 1073741824, not %d", c.documents.MaxBytes)
	case c.documents.PerEvent < 1 || c.documents.PerEvent > 100:
		return f.usageErrorf("--max-documents-per-event must be from 1 to 100, not %d", c.documents.PerEvent)
	case c.shutdownTimeout <= 0:
		return f.usageErrorf("--shutdown-timeout must be positive, not %s", c.shutdownTimeout)
	case c.proxy.MaxRequestBytes <= 0 || c.proxy.MaxResponseBytes <= 0 || c.proxy.Timeout <= 0:
		return f.usageErrorf("--proxy-max-request-bytes, --proxy-max-response-bytes and --proxy-timeout must be positive")
	}
	switch strings.ToLower(c.clientHeader) {
	case strings.ToLower(server.HeaderXForwardedFor):
		c.clientHeader = server.HeaderXForwardedFor
	case strings.ToLower(server.HeaderForwarded):
		c.clientHeader = server.HeaderForwarded
	default:
		return f.usageErrorf("--client-address-header must be X-Forwarded-For or Forwarded, not %q", c.clientHeader)
	}
	c.proxies, err = parseTrustedProxies(c.trustedProxies)
	if err != nil {
		return f.usageErrorf("--trusted-proxies: %v", err)
	}
	// In development the proxy may call apps on this machine, such as the
	// demo's OAuth server on loopback.
	c.proxy.Policy.AllowPrivate = c.dev
	return nil
}

// parseTrustedProxies parses a comma-separated list of CIDRs ("10.0.0.0/8")
// and single addresses ("192.0.2.10", the same as /32 or /128).
func parseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if addr, err := netip.ParseAddr(entry); err == nil {
			addr = addr.Unmap()
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", entry)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// webhookDestinations is the policy for webhook endpoint URLs: internal
// addresses are refused unless --webhook-allow-private or --dev.
func (c *serveConfig) webhookDestinations() netguard.Policy {
	return netguard.Policy{AllowPrivate: c.webhookAllowPrivate || c.dev}
}

// cmdServe runs the server until ctx is cancelled, then shuts it down gracefully.
func cmdServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServeConfig(args, env, stdout)
	if err != nil {
		return err
	}
	logger, err := cfg.log.logger(stderr)
	if err != nil {
		return err
	}
	db, keyring, err := openOriel(ctx, env, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		if _, err := startDebugServer(ctx, cfg.debugAddr, logger); err != nil {
			ln.Close()
			return fmt.Errorf("--debug-addr: %w", err)
		}
	}
	logger.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.publicURL, "region", cfg.region,
		"trusted_proxies", fmt.Sprint(cfg.proxies), "client_address_header", cfg.clientHeader)
	fmt.Fprintf(stdout, "Oriel is listening on %s (public URL %s)\n", localURL(ln.Addr()), cfg.publicURL)
	return serveOriel(ctx, ln, cfg, db, keyring, logger)
}

// openOriel loads the encryption keyring and opens the database with it,
// refusing to start when a stored secret's key is missing from the keyring:
// what `oriel serve` and `oriel demo` do before serving.
func openOriel(ctx context.Context, env func(string) string, cfg *serveConfig, logger *slog.Logger) (*store.SQL, *seal.Keyring, error) {
	keyring, err := loadKeyring(env, cfg.dev, cfg.store.dataDir, logger)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("encryption keys loaded", "current_key_id", keyring.CurrentID(), "key_ids", keyring.IDs())
	db, err := cfg.store.open(ctx, logger)
	if err != nil {
		return nil, nil, err
	}
	db.SetPoolLimits(cfg.pool)
	db.UseKeyring(keyring)
	if err := db.CheckKeyring(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("refusing to start: %w", err)
	}
	return db, keyring, nil
}

// serveOriel serves Oriel on ln, and runs the background jobs, until ctx is
// cancelled; then it shuts the server down gracefully and stops the jobs.
func serveOriel(ctx context.Context, ln net.Listener, cfg *serveConfig, db *store.SQL, keyring *seal.Keyring, logger *slog.Logger) error {
	// The engine's own requests (token, refresh, revocation, test) go to
	// the same providers as the proxy's, under the same address policy.
	engine := &connect.Engine{Store: db, PublicURL: cfg.publicURL, Logger: logger, AllowLoopbackHTTP: cfg.dev, Destinations: cfg.proxy.Policy}
	webhookDestinations := cfg.webhookDestinations()
	handler := server.New(server.Config{
		Store:               db,
		Logger:              logger,
		PublicURL:           cfg.publicURL,
		Region:              cfg.region,
		APIRate:             server.Rate{PerSecond: cfg.apiRate, Burst: cfg.apiBurst},
		TokenRate:           server.Rate{PerSecond: cfg.tokenRate, Burst: cfg.tokenBurst},
		LinkFailureRate:     server.PerMinute(cfg.linkFailures),
		TrustedProxies:      cfg.proxies,
		ClientAddressHeader: cfg.clientHeader,
		AccessTokenTTL:      cfg.accessTokenTTL,
		Now:                 time.Now,
		Keys:                keyring,
		Dev:                 cfg.dev,
		Engine:              engine,
		Proxy:               cfg.proxy,
		Documents:           cfg.documents,

		WebhookDestinations: webhookDestinations,
		// Development fetches logos from loopback, as it accepts http there.
		LogoDestinations: netguard.Policy{AllowPrivate: cfg.dev},
	})
	// The background jobs outlive ctx until the last request has finished.
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	waitWorkers := startWorkers(workers, db, engine, &webhook.Dispatcher{Store: db, Logger: logger, Lease: cfg.webhookLease, Destinations: webhookDestinations}, cfg.pruneInterval, logger)
	err := serveHTTP(ctx, ln, handler, cfg.shutdownTimeout, logger)
	stopWorkers()
	waitWorkers()
	return err
}

// serveHTTP serves h on ln until ctx is cancelled, then stops accepting
// connections and waits up to shutdownTimeout for in-flight requests.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, shutdownTimeout time.Duration, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after %s: %w", shutdownTimeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// localURL returns a URL that reaches the listener from this machine.
func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
