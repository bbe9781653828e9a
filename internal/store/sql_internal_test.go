package store

import (
	"context"
	"testing"
)

// TestSQLitePragmas is catalogue J06: every pooled SQLite connection runs in
// WAL mode with full sync, foreign keys and a busy timeout.
func TestSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/p.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, db := range map[string]queryer{"writer": s.w, "reader": s.r} {
		for pragma, want := range map[string]int64{"synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000} {
			var got int64
			if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %d, want %d", name, pragma, got, want)
			}
		}
		var mode string
		if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s: journal_mode = %q (%v), want wal", name, mode, err)
		}
	}
	if _, err := s.r.ExecContext(ctx, `INSERT INTO vendors (id, name, created_at, updated_at) VALUES ('x', 'x', 0, 0)`); err == nil {
		t.Error("the read pool accepted a write")
	}
}
