// Command directlink-microservice is an example "direct link URL
// microservice": a vendor-side HTTP service that answers authenticated
// requests with a fresh Oriel direct-link URL. See README.md.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/orielhq/oriel/directlink"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		fmt.Fprintln(os.Stderr, "directlink-microservice:", err)
		os.Exit(1)
	}
}

// run serves the link service on LINK_ADDR until ctx ends.
func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	h, err := newHandler(getenv, logger)
	if err != nil {
		return err
	}
	addr := getenv("LINK_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8090"
	}
	mux := http.NewServeMux()
	mux.Handle("POST /direct-link", h)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("direct link service listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler configures directlink.Handler from the environment.
func newHandler(getenv func(string) string, logger *slog.Logger) (*directlink.Handler, error) {
	pem, err := os.ReadFile(getenv("ORIEL_SIGNING_KEY_FILE"))
	if err != nil {
		return nil, fmt.Errorf("ORIEL_SIGNING_KEY_FILE: %w", err)
	}
	var opts []directlink.Option
	if kid := getenv("ORIEL_SIGNING_KEY_ID"); kid != "" {
		opts = append(opts, directlink.WithKeyID(kid))
	}
	signer, err := directlink.NewSigner(pem, getenv("ORIEL_VENDOR_ID"), opts...)
	if err != nil {
		return nil, err
	}
	regions, err := directlink.ParseRegions(getenv("ORIEL_REGIONS"))
	if err != nil {
		return nil, err
	}
	baseURL, err := regions.BaseURL(getenv("ORIEL_REGION"))
	if err != nil {
		return nil, err
	}
	secret := getenv("LINK_SERVICE_TOKEN")
	if len(secret) < 32 {
		return nil, errors.New("LINK_SERVICE_TOKEN must be at least 32 characters (for example: openssl rand -hex 32)")
	}
	return &directlink.Handler{
		Signer:       signer,
		BaseURL:      baseURL,
		Authenticate: bearerAuth(secret),
		Logger:       logger,
	}, nil
}

// bearerAuth trusts back-end callers that present the shared secret, and
// lets them name any customer. A browser-facing service would instead look
// up the caller's session and return Identity{Customer: …, User: …}, so that
// each signed-in user gets links for themselves only.
func bearerAuth(secret string) func(*http.Request) (directlink.Identity, error) {
	return func(r *http.Request) (directlink.Identity, error) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
			return directlink.Identity{}, errors.New("missing or wrong bearer token")
		}
		return directlink.Identity{AnyCustomer: true}, nil
	}
}
