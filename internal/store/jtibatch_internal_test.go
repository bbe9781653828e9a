package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orielhq/oriel"
)

// TestJTIBatchGroupsWaitingWrites: while one batch commits, the writes that
// arrive wait and are committed together by one of them; every write gets
// the result its batch set, and no batch exceeds maxJTIBatch.
func TestJTIBatchGroupsWaitingWrites(t *testing.T) {
	var b jtiBatch
	var batches, committed, concurrent atomic.Int32
	commit := func(batch []*jtiWrite) {
		if concurrent.Add(1) != 1 {
			t.Error("two batches commit at once")
		}
		if len(batch) > maxJTIBatch {
			t.Errorf("a batch of %d writes", len(batch))
		}
		time.Sleep(2 * time.Millisecond) // a commit's fsync, while more writes arrive
		for _, w := range batch {
			if w.jti == "bad" {
				w.err = ErrJTIReplayed
			}
		}
		batches.Add(1)
		committed.Add(int32(len(batch)))
		concurrent.Add(-1)
	}
	const writes = 600
	var wg sync.WaitGroup
	for i := range writes {
		wg.Go(func() {
			jti := "ok"
			if i%7 == 0 {
				jti = "bad"
			}
			err := b.record(&jtiWrite{jti: jti}, commit)
			if (err != nil) != (jti == "bad") {
				t.Errorf("write %d (%s): %v", i, jti, err)
			}
		})
	}
	wg.Wait()
	if committed.Load() != writes {
		t.Errorf("%d writes committed, want %d", committed.Load(), writes)
	}
	if b.busy || len(b.waiting) != 0 {
		t.Errorf("after the last write: busy %v, %d waiting", b.busy, len(b.waiting))
	}
	t.Logf("%d writes in %d commits", writes, batches.Load())
}

// TestPruneInBatchesAndShrink: a backlog of several batches is pruned whole,
// live rows stay, and the SQLite file gives the pruned pages back.
func TestPruneInBatchesAndShrink(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/prune.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pragma := func(name string) int64 {
		var n int64
		if err := s.w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if mode := pragma("auto_vacuum"); mode != 2 {
		t.Fatalf("auto_vacuum = %d, want 2 (incremental)", mode)
	}
	v := &oriel.Vendor{Name: "V"}
	if err := s.CreateVendor(ctx, v); err != nil {
		t.Fatal(err)
	}
	expired := 3*pruneBatch + 7
	insert := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO direct_link_jtis (vendor_id, jti, expires_at) SELECT $2, $3 || i || '-' || hex(randomblob(64)), $4 FROM n`
	now := time.Now()
	if _, err := s.w.ExecContext(ctx, insert, expired, v.ID, "old-", micros(now.Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, insert, 10, v.ID, "live-", micros(now.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	full := pragma("page_count")
	n, err := s.PruneExpired(ctx, now)
	if err != nil || n != int64(expired) {
		t.Fatalf("PruneExpired = %d, %v; want %d", n, err, expired)
	}
	var live int
	if err := s.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM direct_link_jtis").Scan(&live); err != nil || live != 10 {
		t.Fatalf("%d rows left (%v), want the 10 live ones", live, err)
	}
	if free, pages := pragma("freelist_count"), pragma("page_count"); free != 0 || pages >= full/2 {
		t.Errorf("after pruning: %d free pages, %d pages (%d before)", free, pages, full)
	}
}
