package store

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// TestNoBoundLimit keeps every LIMIT of the store's queries a literal: a
// LIMIT bound as a parameter makes SQLite prepare the statement again on
// every run (issue 14). limitClause writes the number into the SQL.
func TestNoBoundLimit(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	bound := regexp.MustCompile(`(?i)\bLIMIT\s+(\$\d+|\?|:\w+|@\w+)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range bound.FindAll(src, -1) {
			t.Errorf("%s binds a LIMIT (%s): write it with limitClause", f, m)
		}
	}
	for n, want := range map[int]string{1: " LIMIT 1", 101: " LIMIT 101", 0: " LIMIT 0", -5: " LIMIT 0"} {
		if got := limitClause(n); got != want {
			t.Errorf("limitClause(%d) = %q, want %q", n, got, want)
		}
	}
}
