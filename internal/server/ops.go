package server

import (
	"context"
	"net/http"
	"time"

	"github.com/orielhq/oriel"
)

// readyTimeout bounds the readiness check, so a hung database answers 503
// before the prober gives up.
const readyTimeout = 2 * time.Second

// health is the body of the health endpoints.
type health struct {
	Status string `json:"status"`
}

// healthz answers 200 whenever the process can answer at all.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return reply(w, http.StatusOK, health{"ok"})
}

// readyz answers 200 when the database answers and its schema is current,
// else 503: a load balancer sends traffic only to ready replicas.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		if oriel.ErrorKind(err) == oriel.EUNAVAILABLE {
			return err
		}
		s.logger.WarnContext(ctx, "not ready", "err", err)
		return oriel.Errorf(oriel.EUNAVAILABLE, codeNotReady, "the server cannot serve requests yet")
	}
	return reply(w, http.StatusOK, health{"ok"})
}

// serveMetrics answers Prometheus scrapes.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

// serveOpenAPI answers the OpenAPI document.
func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache")
	write(w, http.StatusOK, "application/json", s.openapi)
	return nil
}
