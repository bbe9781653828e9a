package server

import (
	"encoding/json"
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
)

// apiKeyCreate is the body of POST /v1/api-keys.
type apiKeyCreate struct {
	Name string `json:"name"`
}

func (k *apiKeyCreate) validate() error { return checkName(k.Name) }

// createdAPIKey answers POST /v1/api-keys: the key and, this once, its secret.
type createdAPIKey struct {
	*oriel.APIKey
	Secret string `json:"secret,omitempty"`
}

// createAPIKey makes a key for the caller's vendor. Secrets are never
// stored, so an idempotent retry gets the key without its secret.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in apiKeyCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	secret, k, err := apikey.Create(r.Context(), s.store, vendorOf(r), in.Name)
	if err != nil {
		return err
	}
	if err := storeReplay(r, createdAPIKey{APIKey: k}); err != nil {
		return err
	}
	return reply(w, http.StatusCreated, createdAPIKey{APIKey: k, Secret: secret})
}

func (s *Server) listAPIKeys(r *http.Request, p oriel.Page) ([]*oriel.APIKey, bool, error) {
	return s.store.ListAPIKeys(r.Context(), vendorOf(r), p)
}

// revokeAPIKey revokes any of the vendor's keys, the caller's own included.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.RevokeAPIKey(r.Context(), vendorOf(r), r.PathValue("id")))
}

// storeReplay sets the body an idempotent retry of r will get, when it must
// differ from the one sent now (because that holds a secret).
func storeReplay(r *http.Request, v any) error {
	body, err := json.Marshal(v)
	stateOf(r).replay = append(body, '\n')
	return err
}
