package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/orielhq/oriel/internal/store"
)

// defaultDataDir is where Oriel keeps its files unless told otherwise.
const defaultDataDir = "./data"

// storeFlags are the flags that locate the database, shared by every command
// that opens it.
type storeFlags struct {
	database string // a PostgreSQL URL or a SQLite path; empty for the default
	dataDir  string
}

// addStoreFlags adds --database and --data-dir to f.
func addStoreFlags(f *commandFlags) *storeFlags {
	s := &storeFlags{}
	f.StringVar(&s.database, "database", "",
		"`URL` of the database: postgres://… or postgresql://… for PostgreSQL, else a SQLite file path (default: oriel.db in the data directory)")
	f.bindEnv("database", "ORIEL_DATABASE_URL")
	f.StringVar(&s.dataDir, "data-dir", defaultDataDir, "`directory` for the SQLite database and the --dev encryption key")
	f.bindEnv("data-dir", "ORIEL_DATA_DIR")
	return s
}

// url returns what to open: --database when given, else the SQLite file
// oriel.db in the data directory.
func (s *storeFlags) url() string {
	if s.database != "" {
		return s.database
	}
	return filepath.Join(s.dataDir, "oriel.db")
}

// describe names the database for people: a PostgreSQL URL without its
// password, or the SQLite file's absolute path.
func (s *storeFlags) describe() string {
	dsn := s.url()
	if store.DialectOf(dsn) == store.Postgres {
		return redactURL(dsn)
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// open opens the database and applies any pending migrations. For the
// default SQLite file it first creates the data directory.
func (s *storeFlags) open(ctx context.Context, logger *slog.Logger) (*store.SQL, error) {
	if s.database == "" {
		if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	dsn := s.url()
	logger.Info("opening database", "database", redactURL(dsn))
	db, err := store.Open(ctx, dsn, logger)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(dsn), err)
	}
	return db, nil
}

// openStore opens the database named by sf, logging to stderr as lf says:
// the whole setup of a command that only needs the database.
func openStore(ctx context.Context, sf *storeFlags, lf *logFlags, stderr io.Writer) (*store.SQL, error) {
	logger, err := lf.logger(stderr)
	if err != nil {
		return nil, err
	}
	return sf.open(ctx, logger)
}

// redactURL returns dsn fit for logs and messages: a PostgreSQL URL's
// password, in the user info or the query, is masked; a SQLite path is kept.
func redactURL(dsn string) string {
	if store.DialectOf(dsn) != store.Postgres {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
