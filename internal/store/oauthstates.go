package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/orielhq/oriel"
)

var errStateInvalid = oriel.Errorf(oriel.EINVALID, "state_invalid", "this authorization is unknown, was already used or has expired; start again from the widget")

// CreateOAuthState stores a pending authorization for one of the vendor's
// connections (another vendor's is ENOTFOUND), sealing its CodeVerifier.
// It also drops the states that have expired, so they do not pile up.
func (s *SQL) CreateOAuthState(ctx context.Context, st *oriel.OAuthState) error {
	id := newID("oas")
	verifier, err := s.sealValue(oauthVerifier, id, []byte(st.CodeVerifier))
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_states WHERE expires_at < $1`, micros(now())); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO oauth_states (id, state_hash, vendor_id, connection_id, session_id, code_verifier, redirect_uri, origin, expires_at)
			SELECT $1, $2, vendor_id, id, $3, $4, $5, $6, $7 FROM connections WHERE vendor_id = $8 AND id = $9`,
			id, st.StateHash, st.SessionID, verifier, st.RedirectURI, st.Origin, micros(st.ExpiresAt), st.VendorID, st.ConnectionID)
		return mustAffect(res, err, errConnectionNotFound)
	})
}

// ConsumeOAuthState deletes and returns the pending authorization whose state
// hashes to stateHash. The delete decides, so a state is used once even by
// concurrent callbacks; unknown, used or expired is EINVALID "state_invalid".
func (s *SQL) ConsumeOAuthState(ctx context.Context, stateHash []byte, now time.Time) (*oriel.OAuthState, error) {
	st := oriel.OAuthState{StateHash: stateHash}
	var id string
	var verifier sql.NullString
	var expires int64
	err := s.w.QueryRowContext(ctx, `DELETE FROM oauth_states WHERE state_hash = $1
		RETURNING id, vendor_id, connection_id, session_id, code_verifier, redirect_uri, origin, expires_at`, stateHash).
		Scan(&id, &st.VendorID, &st.ConnectionID, &st.SessionID, &verifier, &st.RedirectURI, &st.Origin, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errStateInvalid
	case err != nil:
		return nil, err
	}
	if st.ExpiresAt = fromMicros(expires); !now.Before(st.ExpiresAt) {
		return nil, errStateInvalid
	}
	plain, err := s.openValue(oauthVerifier, id, verifier)
	if err != nil {
		return nil, err
	}
	st.CodeVerifier = string(plain)
	return &st, nil
}
