package store

import (
	"database/sql"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
)

var (
	errNoKeyring = oriel.Errorf(oriel.EINTERNAL, "encryption_keys_missing",
		"this server has no encryption keys, so it cannot store or read secrets; set ORIEL_ENCRYPTION_KEYS")
	errUnreadable = oriel.Errorf(oriel.EINTERNAL, "credentials_unreadable",
		"a stored secret of this object cannot be decrypted: its encryption key is missing or the stored value was altered")
)

// sealedColumn is a column whose values are sealed with the keyring, each
// bound by associated data to its table, row id and column, so a value copied
// to another row or column does not open.
type sealedColumn struct{ table, column string }

// The sealed columns. Each table has a TEXT primary key named id.
var (
	integrationSecret     = sealedColumn{"integrations", "client_secret"}
	connectionCredentials = sealedColumn{"connections", "credentials"}
	oauthVerifier         = sealedColumn{"oauth_states", "code_verifier"}
	webhookSecret         = sealedColumn{"webhook_endpoints", "secret"}
)

// sealedColumns lists every sealed column, for the key check and rotation.
var sealedColumns = []sealedColumn{integrationSecret, connectionCredentials, oauthVerifier, webhookSecret, documentChunk}

func (c sealedColumn) String() string { return c.table + "." + c.column }

// UseKeyring gives the store the keys that seal and open secrets: the
// keyring's current key seals, every key opens. Call it once, right after
// Open and before the store serves; then CheckKeyring.
func (s *SQL) UseKeyring(k *seal.Keyring) { s.keys = k }

// sealValue encrypts plaintext for one row's column. Empty plaintext is
// stored as NULL and needs no key.
func (s *SQL) sealValue(col sealedColumn, rowID string, plaintext []byte) (sql.NullString, error) {
	if len(plaintext) == 0 {
		return sql.NullString{}, nil
	}
	if s.keys == nil {
		return sql.NullString{}, errNoKeyring
	}
	ct, err := s.keys.Seal(plaintext, seal.AAD(col.table, rowID, col.column))
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: ct, Valid: true}, nil
}

// openValue decrypts what sealValue stored in one row's column: NULL gives
// nil. A value that does not open, whatever the reason, is the generic
// credentials_unreadable error, and never garbage.
func (s *SQL) openValue(col sealedColumn, rowID string, ct sql.NullString) ([]byte, error) {
	if !ct.Valid {
		return nil, nil
	}
	if s.keys == nil {
		return nil, errNoKeyring
	}
	plaintext, err := s.keys.Open(ct.String, seal.AAD(col.table, rowID, col.column))
	if err != nil {
		return nil, errUnreadable
	}
	return plaintext, nil
}
