package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
)

// requireAPIKey admits requests that present a live vendor API key, and
// records the key for the handlers (vendorOf) and the logs.
func (s *Server) requireAPIKey(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		k, err := s.authenticate(r)
		if err != nil {
			switch oriel.ErrorCode(err) {
			case codeAPIKeyMissing:
				w.Header().Set("WWW-Authenticate", `Bearer realm="oriel"`)
			case codeAPIKeyInvalid:
				w.Header().Set("WWW-Authenticate", `Bearer realm="oriel", error="invalid_token"`)
			}
			return err
		}
		stateOf(r).apiKey = k
		return next(w, r)
	}
}

// authenticate returns the live API key that r's "Authorization: Bearer sk_…"
// header presents. The secret is only ever hashed: the lookup is by its
// SHA-256, so the database compares hashes and timing tells an attacker
// nothing about the secret.
func (s *Server) authenticate(r *http.Request) (*oriel.APIKey, error) {
	secretHash, err := presentedKey(r)
	if err != nil {
		return nil, err
	}
	k, err := s.store.APIKeyByHash(r.Context(), secretHash)
	if oriel.ErrorKind(err) == oriel.EUNAUTHORIZED {
		return nil, errAPIKeyUnknown
	}
	if err != nil {
		return nil, err
	}
	s.touch(r.Context(), k)
	return k, nil
}

var errAPIKeyUnknown = oriel.Errorf(oriel.EUNAUTHORIZED, codeAPIKeyInvalid, "the API key is unknown or revoked. "+
	"A key made by `oriel vendor create` against another database (it prints the database it used; by default ./data/oriel.db "+
	"of the directory it ran in) looks the same: run it with this server's --database or --data-dir")

// presentedKey returns the SHA-256 of the API key that r's Authorization
// header presents, or why it presents none.
func presentedKey(r *http.Request) ([]byte, error) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return nil, oriel.Errorf(oriel.EUNAUTHORIZED, codeAPIKeyMissing, "send your API key as: Authorization: Bearer sk_…")
	}
	scheme, secret, _ := strings.Cut(values[0], " ")
	secret = strings.TrimSpace(secret)
	if len(values) > 1 || !strings.EqualFold(scheme, "Bearer") || !apikey.Plausible(secret) {
		return nil, oriel.Errorf(oriel.EUNAUTHORIZED, codeAPIKeyInvalid, "the Authorization header must be exactly one \"Bearer sk_…\" API key")
	}
	return apikey.Hash(secret), nil
}

// touch records the key's use, at most once a minute per key so that reads
// stay reads. Failing to record it fails nothing.
func (s *Server) touch(ctx context.Context, k *oriel.APIKey) {
	now := s.now()
	if !s.touches.allow(k.ID, now) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.TouchAPIKey(ctx, k.ID, now); err != nil {
		s.logger.WarnContext(ctx, "cannot record API key use", "api_key_id", k.ID, "err", err)
	}
}

// vendorOf returns the id of the vendor whose API key authenticated r.
func vendorOf(r *http.Request) string {
	return stateOf(r).apiKey.VendorID
}
