package store

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"time"

	"github.com/orielhq/oriel"
)

// ErrJTIReplayed is RecordJTI's answer for a jti that was used before.
var ErrJTIReplayed = oriel.Errorf(oriel.EUNAUTHORIZED, "jti_replayed", "this direct link was already used; sign a new token (with a new jti) for every page load")

// RecordJTI records that vendorID's token jti was used, keeping the record
// until expiresAt. A jti seen before (and not yet pruned) is EUNAUTHORIZED
// "jti_replayed". The unique key makes concurrent uses race safely: exactly
// one insert wins, on every replica sharing the database. It returns only
// once the record is durable (committed).
//
// On SQLite, where one writer commits (and fsyncs) one transaction at a
// time, concurrent calls are group-committed: one transaction inserts every
// jti waiting and one commit makes them all durable (see jtiBatch).
// PostgreSQL flushes the WAL of concurrent commits together on its own.
func (s *SQL) RecordJTI(ctx context.Context, vendorID, jti string, expiresAt time.Time) error {
	w := &jtiWrite{vendorID: vendorID, jti: jti, expiresAt: micros(expiresAt)}
	if s.dialect != SQLite {
		return s.insertJTI(ctx, s.w, w)
	}
	return s.jtis.record(w, func(batch []*jtiWrite) { s.commitJTIs(context.WithoutCancel(ctx), batch) })
}

const insertJTI = `INSERT INTO direct_link_jtis (vendor_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`

// insertJTI runs w's insert on q alone.
func (s *SQL) insertJTI(ctx context.Context, q queryer, w *jtiWrite) error {
	res, err := q.ExecContext(ctx, insertJTI, w.vendorID, w.jti, w.expiresAt)
	return mustAffect(res, err, ErrJTIReplayed)
}

// JTIUsed reports whether vendorID's token jti is recorded (and not yet
// pruned), without recording it.
func (s *SQL) JTIUsed(ctx context.Context, vendorID, jti string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM direct_link_jtis WHERE vendor_id = $1 AND jti = $2`, vendorID, jti).Scan(&n)
	return n > 0, err
}

// commitJTIs inserts batch in one transaction and sets each write's
// result. When the transaction fails it stored nothing, and each write is
// tried again on its own, so that one bad write fails no other.
func (s *SQL) commitJTIs(ctx context.Context, batch []*jtiWrite) {
	if len(batch) == 1 {
		batch[0].err = s.insertJTI(ctx, s.w, batch[0])
		return
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.w.stmt(ctx, insertJTI)
		if err != nil {
			return err
		}
		st = tx.StmtContext(ctx, st)
		for _, w := range batch {
			res, err := st.ExecContext(ctx, w.vendorID, w.jti, w.expiresAt)
			if w.err = mustAffect(res, err, ErrJTIReplayed); w.err != nil && w.err != ErrJTIReplayed {
				return w.err
			}
		}
		return nil
	})
	if err != nil {
		for _, w := range batch {
			w.err = s.insertJTI(ctx, s.w, w)
		}
	}
}

// jtiWrite is one RecordJTI waiting for its commit.
type jtiWrite struct {
	vendorID, jti string
	expiresAt     int64
	err           error         // the result, set before done is closed
	lead          bool          // set by a leader: this write's caller commits the next batch
	done          chan struct{} // closed when err is set, or when it is to lead
}

// maxJTIBatch bounds the writes one transaction commits.
const maxJTIBatch = 256

// jtiBatch group-commits jti writes without a goroutine of its own: the
// first caller to find no commit running leads. It takes every write
// waiting (up to maxJTIBatch), commits them, hands each its result, and
// makes the first write that arrived meanwhile the next leader. A write
// gets its result only after its batch committed, so no write reported
// stored is lost in a crash. The zero value is ready.
type jtiBatch struct {
	mu      sync.Mutex
	waiting []*jtiWrite
	busy    bool // a leader is committing
}

// record queues w, commits it (leading or waiting for a leader) with
// commit, and returns its result.
func (b *jtiBatch) record(w *jtiWrite, commit func([]*jtiWrite)) error {
	w.done = make(chan struct{})
	b.mu.Lock()
	b.waiting = append(b.waiting, w)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	if !lead {
		<-w.done // w.lead is set before done closes
		if !w.lead {
			return w.err
		}
	}
	b.mu.Lock()
	n := min(len(b.waiting), maxJTIBatch)
	batch := b.waiting[:n:n]
	b.waiting = b.waiting[n:]
	b.mu.Unlock()

	commit(batch)
	for _, other := range batch {
		if other != w {
			close(other.done)
		}
	}

	b.mu.Lock()
	if len(b.waiting) > 0 {
		next := b.waiting[0]
		next.lead = true
		close(next.done)
	} else {
		b.busy = false
		b.waiting = nil
	}
	b.mu.Unlock()
	return w.err
}

// RevokeToken marks an access or session token id revoked until expiresAt.
// Revoking twice is not an error.
func (s *SQL) RevokeToken(ctx context.Context, tokenID string, expiresAt time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		tokenID, micros(expiresAt))
	return err
}

// TokenRevoked reports whether tokenID was revoked.
func (s *SQL) TokenRevoked(ctx context.Context, tokenID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM revoked_tokens WHERE token_id = $1`, tokenID).Scan(&n)
	return n > 0, err
}

// pruneBatch is how many rows one DELETE of PruneExpired removes. Each
// batch is a short transaction of its own, so the writes of requests (on
// SQLite, queued behind the one writer) wait for one batch at most, never
// for the whole prune.
const pruneBatch = 500

// vacuumPages is how many free pages one incremental vacuum step of
// PruneExpired gives back to the file system (2 MiB of 4 KiB pages).
const vacuumPages = 512

// PruneExpired deletes jti and revocation records that expired before t, and
// idempotency keys older than IdempotencyTTL, pruneBatch rows at a time. On
// SQLite it then returns the freed pages to the file system, vacuumPages at a
// time, so the file does not keep the size of its largest backlog. It
// returns how many rows went.
func (s *SQL) PruneExpired(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		table, key, column string
		before             time.Time
	}{
		{"direct_link_jtis", "vendor_id, jti", "expires_at", t},
		{"revoked_tokens", "token_id", "expires_at", t},
		{"idempotency_keys", "vendor_id, key", "created_at", t.Add(-IdempotencyTTL)},
	} {
		query := `DELETE FROM ` + q.table + ` WHERE (` + q.key + `) IN (SELECT ` + q.key + ` FROM ` + q.table +
			` WHERE ` + q.column + ` < $1` + limitClause(pruneBatch) + `)`
		for {
			res, err := s.w.ExecContext(ctx, query, micros(q.before))
			if err != nil {
				return total, err
			}
			n, _ := res.RowsAffected()
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	if s.dialect == SQLite && total > 0 {
		return total, s.vacuumFreePages(ctx)
	}
	return total, nil
}

// vacuumFreePages shrinks the SQLite file by its free pages, a step at a
// time (the database runs with auto_vacuum=INCREMENTAL, migration 00007).
func (s *SQL) vacuumFreePages(ctx context.Context) error {
	for {
		var free int64
		if err := s.w.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil || free == 0 {
			return err
		}
		if _, err := s.w.ExecContext(ctx, `PRAGMA incremental_vacuum(`+strconv.Itoa(vacuumPages)+`)`); err != nil {
			return err
		}
		if free <= vacuumPages {
			return nil
		}
	}
}
