package store

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
				w.err = errJTIReplayed
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
