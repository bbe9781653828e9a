package server

import (
	"net/http"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/keys"
)

// signingKeyCreate is the body of POST /v1/signing-keys.
type signingKeyCreate struct {
	PublicKey string `json:"public_key"`
	KID       string `json:"kid"`
	parsed    *keys.PublicKey
}

func (k *signingKeyCreate) validate() error {
	if err := checkKID(k.KID); err != nil {
		return err
	}
	var err error
	k.parsed, err = keys.Parse(k.PublicKey)
	return err
}

// signingKeyReplace is the body of PUT /v1/signing-key: public_key, as for
// POST /v1/signing-keys. Key is its first name, still accepted.
type signingKeyReplace struct {
	PublicKey string `json:"public_key"`
	Key       string `json:"key"`
	parsed    *keys.PublicKey
}

// codePublicKeyAmbiguous refuses a body with both names of the key.
const codePublicKeyAmbiguous = "public_key_ambiguous"

func (k *signingKeyReplace) validate() error {
	pem := k.PublicKey
	switch {
	case pem != "" && k.Key != "":
		return oriel.Errorf(oriel.EUNPROCESSABLE, codePublicKeyAmbiguous, "give the key once, as public_key (key is its old name)")
	case pem == "":
		pem = k.Key
	}
	var err error
	k.parsed, err = keys.Parse(pem)
	return err
}

// signingKey makes the stored form of a parsed key.
func signingKey(vendorID, kid string, pub *keys.PublicKey) *oriel.SigningKey {
	return &oriel.SigningKey{VendorID: vendorID, KID: kid, Algorithm: pub.Algorithm, Fingerprint: pub.Fingerprint, PublicKeyPEM: pub.PEM}
}

func (s *Server) createSigningKey(w http.ResponseWriter, r *http.Request) error {
	var in signingKeyCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	k := signingKey(vendorOf(r), in.KID, in.parsed)
	err := s.store.CreateSigningKey(r.Context(), k)
	return respond(w, http.StatusCreated, k, err)
}

func (s *Server) listSigningKeys(r *http.Request, p oriel.Page) ([]*oriel.SigningKey, bool, error) {
	return s.store.ListSigningKeys(r.Context(), vendorOf(r), p)
}

func (s *Server) deleteSigningKey(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteSigningKey(r.Context(), vendorOf(r), r.PathValue("id")))
}

// replaceSigningKeys makes the body's key the vendor's only one, the
// single-key form of key management.
func (s *Server) replaceSigningKeys(w http.ResponseWriter, r *http.Request) error {
	var in signingKeyReplace
	if err := decode(r, &in); err != nil {
		return err
	}
	vendorID := vendorOf(r)
	err := s.store.ReplaceSigningKeys(r.Context(), signingKey(vendorID, "", in.parsed))
	return respond(w, http.StatusOK, replaceResult{VendorID: vendorID, Success: true}, err)
}

// replaceResult answers PUT /v1/signing-key.
type replaceResult struct {
	VendorID string `json:"vendor_id"`
	Success  bool   `json:"success"`
}
