package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL database behind a store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// SQL is the database/sql implementation of Store for SQLite and PostgreSQL.
// Queries are written once, with $n placeholders, in the SQL both databases share.
type SQL struct {
	dialect Dialect
	// w takes every write. On SQLite it is one connection whose transactions
	// begin IMMEDIATE, so writers queue in Go instead of failing with SQLITE_BUSY.
	w *pool
	// r serves reads; on SQLite a separate read-only pool (WAL lets readers
	// run beside the writer), on PostgreSQL the same pool as w.
	r *pool
	// path is the SQLite file ("" on PostgreSQL).
	path string
	// target is the newest migration version embedded in the binary.
	target int64
	// keys seals and opens secret columns; set by UseKeyring before serving.
	keys *seal.Keyring
	// jtis group-commits RecordJTI on SQLite.
	jtis jtiBatch
}

var _ Store = (*SQL)(nil)

// Open connects to the database named by url and applies pending migrations.
// A url starting with postgres:// or postgresql:// selects PostgreSQL;
// anything else is a SQLite file path, optionally prefixed with "sqlite:".
// On PostgreSQL, migrations run under an advisory lock, so replicas may start
// together.
func Open(ctx context.Context, url string, logger *slog.Logger) (*SQL, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := open(url)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, logger); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// DialectOf tells which dialect Open would choose for url.
func DialectOf(url string) Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres
	}
	return SQLite
}

func open(url string) (*SQL, error) {
	if DialectOf(url) == Postgres {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p := newPool(db)
		s := &SQL{dialect: Postgres, w: p, r: p}
		s.SetPoolLimits(PoolLimits{})
		return s, nil
	}
	path := strings.TrimPrefix(url, "sqlite:")
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// synchronous(FULL) makes every commit durable across power loss, not
	// only process crashes; busy_timeout covers the other process's writer;
	// journal_size_limit truncates the WAL after a checkpoint, so a burst
	// of writes does not leave it large.
	pragmas := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=journal_size_limit(67108864)"
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	readers := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &SQL{dialect: SQLite, w: newPool(w), r: newPool(r), path: path}, nil
}

// ownerOnly makes the SQLite database file at path, and its -wal and -shm
// files if they exist, readable and writable by their owner only (0600),
// whatever the umask or the data directory's mode: it creates a missing
// database file so, and tightens existing files that allow more. SQLite
// gives the -wal and -shm files it creates the database file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(name, 0o600); err != nil {
				return fmt.Errorf("%s is readable by others and cannot be made private: %w", name, err)
			}
		}
	}
	return nil
}

func (s *SQL) migrate(ctx context.Context, logger *slog.Logger) error {
	fsys, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithSlog(logger)}
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		// Processes sharing one SQLite file take turns through a lock file.
		unlock, err := lockFile(s.path + ".migrate-lock")
		if err != nil {
			return fmt.Errorf("migrations: lock: %w", err)
		}
		defer unlock()
	}
	p, err := goose.NewProvider(dialect, s.w.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	sources := p.ListSources()
	s.target = sources[len(sources)-1].Version
	return nil
}

// Defaults of PoolLimits.
const (
	DefaultMaxOpenConns    = 32
	DefaultConnMaxIdleTime = 5 * time.Minute
)

// PoolLimits size the PostgreSQL connection pool. Opening a PostgreSQL
// session costs a process on the server and milliseconds on the client, so
// the pool keeps as many idle connections as it may open: under steady load
// it opens none. A zero field takes its default.
type PoolLimits struct {
	// MaxOpen bounds the connections in use and idle (DefaultMaxOpenConns).
	MaxOpen int
	// MaxIdle bounds the idle connections kept for reuse (MaxOpen).
	MaxIdle int
	// MaxIdleTime closes a connection idle this long, so the pool shrinks
	// after a burst (DefaultConnMaxIdleTime).
	MaxIdleTime time.Duration
}

// SetPoolLimits sizes the PostgreSQL pool; on SQLite it does nothing (one
// writer connection, and a reader per core).
func (s *SQL) SetPoolLimits(l PoolLimits) {
	if s.dialect != Postgres {
		return
	}
	if l.MaxOpen <= 0 {
		l.MaxOpen = DefaultMaxOpenConns
	}
	if l.MaxIdle <= 0 || l.MaxIdle > l.MaxOpen {
		l.MaxIdle = l.MaxOpen
	}
	if l.MaxIdleTime <= 0 {
		l.MaxIdleTime = DefaultConnMaxIdleTime
	}
	s.w.SetMaxOpenConns(l.MaxOpen)
	s.w.SetMaxIdleConns(l.MaxIdle)
	s.w.SetConnMaxIdleTime(l.MaxIdleTime)
}

// Dialect tells which database this store runs on.
func (s *SQL) Dialect() Dialect { return s.dialect }

// Stats reports the writer pool's statistics (on PostgreSQL, the only pool).
func (s *SQL) Stats() sql.DBStats { return s.w.Stats() }

// Ready checks that the database answers and every embedded migration is applied.
func (s *SQL) Ready(ctx context.Context) error {
	var version int64
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&version)
	if err != nil {
		return oriel.Errorf(oriel.EUNAVAILABLE, "database_unavailable", "the database does not answer")
	}
	if version < s.target {
		return oriel.Errorf(oriel.EUNAVAILABLE, "migrations_pending", "the database schema is at version %d; this binary needs %d (run oriel migrate)", version, s.target)
	}
	return nil
}

// Close closes both pools.
func (s *SQL) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY clash.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *SQL) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
