// Command token-endpoint is an example of a vendor's token endpoint for
// Oriel's browser SDK: the page's fetchToken calls POST /api/token, which
// answers a token bound to the signed-in user, obtained from Oriel with the
// API key that never leaves this server. See README.md.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/orielhq/oriel/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		fmt.Fprintln(os.Stderr, "token-endpoint:", err)
		os.Exit(1)
	}
}

// run serves the endpoint on TOKEN_ADDR until ctx ends.
func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	mux, err := newMux(getenv, logger)
	if err != nil {
		return err
	}
	addr := getenv("TOKEN_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8091"
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("token endpoint listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newMux routes the token endpoint and a stand-in for your sign-in.
func newMux(getenv func(string) string, logger *slog.Logger) (*http.ServeMux, error) {
	baseURL, apiKey := getenv("ORIEL_URL"), getenv("ORIEL_API_KEY")
	if baseURL == "" || !strings.HasPrefix(apiKey, "sk_") {
		return nil, errors.New("set ORIEL_URL (e.g. http://localhost:8080) and ORIEL_API_KEY (sk_…, from `oriel vendor create`)")
	}
	var origins []string
	if o := getenv("APP_ORIGINS"); o != "" {
		origins = strings.Split(o, ",")
	}
	sessions := &sessionStore{byID: map[string]client.Entity{}}
	mux := http.NewServeMux()
	mux.Handle("/api/token", &client.TokenHandler{
		Client:         client.New(baseURL, apiKey),
		Identify:       sessions.identify,
		AllowedOrigins: origins,
		Logger:         logger,
	})
	mux.HandleFunc("POST /demo/sign-in", sessions.signIn)
	return mux, nil
}

// sessionStore stands in for your application's sign-in: it maps session
// cookies to the Oriel entity of the signed-in user. Replace it with a look-up
// in your own sessions.
type sessionStore struct {
	mu   sync.Mutex
	byID map[string]client.Entity
}

// signIn signs the caller in as ?customer=…&user=… (your external ids) and
// sets the session cookie. A real application authenticates the user first.
func (s *sessionStore) signIn(w http.ResponseWriter, r *http.Request) {
	customer, user := r.URL.Query().Get("customer"), r.URL.Query().Get("user")
	if customer == "" {
		http.Error(w, "customer is required", http.StatusBadRequest)
		return
	}
	entity := client.Customer("E" + customer)
	if user != "" {
		entity = client.User("E"+customer, "E"+user)
	}
	id := rand.Text()
	s.mu.Lock()
	s.byID[id] = entity
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "session", Value: id, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
}

// identify is the TokenHandler's Identify: the entity of the request's
// session, never one the request names.
func (s *sessionStore) identify(r *http.Request) (client.Entity, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return client.Entity{}, errors.New("no session cookie")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entity, ok := s.byID[c.Value]
	if !ok {
		return client.Entity{}, errors.New("unknown session")
	}
	return entity, nil
}
