package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orielhq/oriel/internal/seal"
)

// headerLen is enough leading characters of a sealed value for seal.KeyID:
// the "v1:<key id>:" header, whose key id is at most 32 characters.
const headerLen = 64

// keyCheckSamples is how many values per key id and column CheckKeyring
// tries to open: one that opens shows the key is the one that sealed them.
const keyCheckSamples = 3

// CheckKeyring verifies that the keyring can open every stored secret: it
// reads the key id of every sealed value and fails, naming the missing key
// ids, when the keyring lacks one; and it opens a few values per key id, so a
// key whose bytes changed under the same id is caught too. The server refuses
// to start when this fails (issue 4 §5, catalogue I06): secrets are never
// served or written with the wrong keys.
func (s *SQL) CheckKeyring(ctx context.Context) error {
	if s.keys == nil {
		return errNoKeyring
	}
	var problems []string
	for _, col := range sealedColumns {
		uses, malformed, err := s.keyUses(ctx, col)
		if err != nil {
			return fmt.Errorf("check keyring: %w", err)
		}
		if malformed > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d values are not sealed ciphertexts", col, malformed))
		}
		for _, kid := range slices.Sorted(maps.Keys(uses)) {
			u := uses[kid]
			if !s.keys.Has(kid) {
				problems = append(problems, fmt.Sprintf("%s: %d values are sealed with key id %q, which the keyring lacks", col, u.count, kid))
				continue
			}
			ok, err := s.opensAny(ctx, col, u.samples)
			if err != nil {
				return fmt.Errorf("check keyring: %w", err)
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q does not open the values it sealed (rows %s): the key's bytes changed",
					col, kid, strings.Join(u.samples, ", ")))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the encryption keyring (ORIEL_ENCRYPTION_KEYS) does not fit the stored secrets; "+
			"add the missing keys back (drop a key only after `oriel keys rotate` has moved every value off it):\n  %s",
			strings.Join(problems, "\n  "))
	}
	return nil
}

// keyUse is what CheckKeyring learns about one key id in one column.
type keyUse struct {
	count   int
	samples []string // row ids, at most keyCheckSamples
}

// keyUses reads the key id of every value of col, without reading whole values.
func (s *SQL) keyUses(ctx context.Context, col sealedColumn) (uses map[string]*keyUse, malformed int, err error) {
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT id, substr(%s, 1, %d) FROM %s WHERE %[1]s IS NOT NULL`, col.column, headerLen, col.table))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	uses = map[string]*keyUse{}
	for rows.Next() {
		var id, header string
		if err := rows.Scan(&id, &header); err != nil {
			return nil, 0, err
		}
		kid, err := seal.KeyID(header)
		if err != nil {
			malformed++
			continue
		}
		u := uses[kid]
		if u == nil {
			u = &keyUse{}
			uses[kid] = u
		}
		if u.count++; len(u.samples) < keyCheckSamples {
			u.samples = append(u.samples, id)
		}
	}
	return uses, malformed, rows.Err()
}

// opensAny reports whether one of the given rows' values of col opens (rows
// deleted meanwhile do not count against it).
func (s *SQL) opensAny(ctx context.Context, col sealedColumn, ids []string) (bool, error) {
	read := 0
	for _, id := range ids {
		var v sql.NullString
		err := s.r.QueryRowContext(ctx, `SELECT `+col.column+` FROM `+col.table+` WHERE id = $1`, id).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, err
		}
		read++
		if _, err := s.openValue(col, id, v); err == nil {
			return true, nil
		}
	}
	return read == 0, nil
}

// RotateKeys re-encrypts every sealed value that is not under the keyring's
// current key, batch rows per transaction, and returns how many it rewrote.
// Each write is a compare-and-set on the old ciphertext, so a value written
// concurrently is never overwritten with stale data. It is idempotent and may
// be interrupted (cancelled, killed) and run again: values already moved are
// skipped. A value that does not open is left as it is and reported in the
// error, after every other value has been moved.
func (s *SQL) RotateKeys(ctx context.Context, batch int) (rewrapped int, err error) {
	return s.rotateKeys(ctx, batch, nil)
}

// sealedValue is one stored ciphertext and the id of its row.
type sealedValue struct{ id, ciphertext string }

// rotateKeys is RotateKeys, calling afterBatch (when not nil) after each
// committed batch.
func (s *SQL) rotateKeys(ctx context.Context, batch int, afterBatch func()) (int, error) {
	if s.keys == nil {
		return 0, errNoKeyring
	}
	if batch <= 0 {
		batch = 100
	}
	rewrapped := 0
	var unreadable []string
	for _, col := range sealedColumns {
		for after := ""; ; {
			if err := ctx.Err(); err != nil {
				return rewrapped, err
			}
			page, err := s.sealedPage(ctx, col, after, batch)
			if err != nil {
				return rewrapped, err
			}
			if len(page) == 0 {
				break
			}
			after = page[len(page)-1].id
			n, failed, err := s.rewrap(ctx, col, page)
			rewrapped += n
			unreadable = append(unreadable, failed...)
			if err != nil {
				return rewrapped, err
			}
			if afterBatch != nil {
				afterBatch()
			}
		}
	}
	if len(unreadable) > 0 {
		return rewrapped, fmt.Errorf("rotate keys: %d sealed values do not open and were left as they are: %s",
			len(unreadable), strings.Join(unreadable, "; "))
	}
	return rewrapped, nil
}

// sealedPage returns up to limit values of col from rows whose id follows after.
func (s *SQL) sealedPage(ctx context.Context, col sealedColumn, after string, limit int) ([]sealedValue, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, `+col.column+` FROM `+col.table+` WHERE `+col.column+` IS NOT NULL AND id > $1 ORDER BY id`+limitClause(limit),
		after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []sealedValue
	for rows.Next() {
		var v sealedValue
		if err := rows.Scan(&v.id, &v.ciphertext); err != nil {
			return nil, err
		}
		page = append(page, v)
	}
	return page, rows.Err()
}

// rewrap re-encrypts, in one transaction, the values of page that are not
// under the current key. It returns how many rows it rewrote, and describes
// the values that do not open.
func (s *SQL) rewrap(ctx context.Context, col sealedColumn, page []sealedValue) (int, []string, error) {
	var stale []sealedValue
	for _, v := range page {
		if kid, err := seal.KeyID(v.ciphertext); err != nil || kid != s.keys.CurrentID() {
			stale = append(stale, v)
		}
	}
	if len(stale) == 0 {
		return 0, nil, nil
	}
	var rewrapped int
	var failed []string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rewrapped, failed = 0, nil
		for _, v := range stale {
			plain, err := s.openValue(col, v.id, sql.NullString{String: v.ciphertext, Valid: true})
			if err != nil {
				kid, _ := seal.KeyID(v.ciphertext)
				failed = append(failed, fmt.Sprintf("%s of row %s (key id %q)", col, v.id, kid))
				continue
			}
			fresh, err := s.sealValue(col, v.id, plain)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE `+col.table+` SET `+col.column+` = $1 WHERE id = $2 AND `+col.column+` = $3`,
				fresh, v.id, v.ciphertext)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			rewrapped += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return rewrapped, failed, nil
}
