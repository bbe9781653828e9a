package store

import (
	"context"
	"database/sql"
	"errors"
)

// Internals the external tests (package store_test) reach through this file.

// RawDB returns the store's writer pool, for tests that inspect or tamper
// with stored rows directly.
func RawDB(s *SQL) *sql.DB { return s.w.DB }

// RotateKeysThen is RotateKeys, calling afterBatch after each committed batch.
func RotateKeysThen(ctx context.Context, s *SQL, batch int, afterBatch func()) (int, error) {
	return s.rotateKeys(ctx, batch, afterBatch)
}

// Rewrap re-encrypts one value of table.column as RotateKeys does, given the
// ciphertext the rotation read (possibly stale by now).
func Rewrap(ctx context.Context, s *SQL, table, column, id, ciphertext string) (int, error) {
	n, failed, err := s.rewrap(ctx, sealedColumn{table, column}, []sealedValue{{id, ciphertext}})
	if err == nil && len(failed) > 0 {
		err = errors.New("rewrap: the value does not open: " + failed[0])
	}
	return n, err
}
