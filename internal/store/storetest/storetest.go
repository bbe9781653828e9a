// Package storetest opens real, throw-away databases for tests: a SQLite
// file in the test's temporary directory, or a fresh PostgreSQL database that
// is dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/orielhq/oriel/internal/store"
)

// PostgresAdminURL is the server the tests create databases on; the
// ORIEL_TEST_POSTGRES_URL environment variable overrides it.
const PostgresAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// SQLite opens a store on a new SQLite file, closed at cleanup.
func SQLite(t testing.TB) *store.SQL {
	t.Helper()
	return open(t, "sqlite:"+t.TempDir()+"/oriel.db")
}

// Postgres opens a store on a new PostgreSQL database, dropped at cleanup.
func Postgres(t testing.TB) *store.SQL {
	t.Helper()
	return open(t, PostgresURL(t))
}

// Each runs fn as a subtest on a fresh SQLite store and a fresh PostgreSQL store.
func Each(t *testing.T, fn func(t *testing.T, s *store.SQL)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// PostgresURL creates an empty PostgreSQL database, drops it at cleanup and
// returns its URL. PostgreSQL must be running: `make test` starts it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("ORIEL_TEST_POSTGRES_URL")
	if admin == "" {
		admin = PostgresAdminURL
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "oriel_test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("storetest: cannot create a PostgreSQL database at %s (%v); start PostgreSQL with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", redact(admin), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("storetest: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("storetest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(t testing.TB, url string) *store.SQL {
	t.Helper()
	s, err := store.Open(context.Background(), url, nil)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// redact drops a password from a database URL before it is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
