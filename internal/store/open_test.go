package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// TestOpenTwiceAtOnce starts several stores on one fresh database at the same
// time, as replicas do: migrations run once, and every store is ready.
func TestOpenTwiceAtOnce(t *testing.T) {
	for _, url := range []string{"sqlite:" + t.TempDir() + "/twice.db", storetest.PostgresURL(t)} {
		var wg sync.WaitGroup
		stores := make([]*store.SQL, 3)
		errs := make([]error, 3)
		for i := range stores {
			wg.Go(func() { stores[i], errs[i] = store.Open(context.Background(), url, nil) })
		}
		wg.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Fatalf("%s: open %d: %v", store.DialectOf(url), i, errs[i])
			}
			if err := s.Ready(context.Background()); err != nil {
				t.Errorf("%s: store %d not ready: %v", store.DialectOf(url), i, err)
			}
			s.Close()
		}
	}
}

// TestSQLiteFilesPrivate: the database file and its -wal and -shm files are
// 0600 even in a data directory anyone may read, and a database file left
// readable by others is made private when opened.
func TestSQLiteFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o777))
	path := filepath.Join(dir, "oriel.db")
	s, err := store.Open(context.Background(), path, nil)
	must(t, err)
	must(t, s.CreateVendor(context.Background(), &oriel.Vendor{Name: "Acme"})) // the -wal and -shm files exist now
	checkPrivate := func() {
		t.Helper()
		for _, name := range []string{path, path + "-wal", path + "-shm"} {
			info, err := os.Stat(name)
			must(t, err)
			if perm := info.Mode().Perm(); perm != 0o600 {
				t.Errorf("%s has mode %#o, want 0600", filepath.Base(name), perm)
			}
		}
	}
	checkPrivate()
	s.Close()

	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(name, 0o644); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	s, err = store.Open(context.Background(), path, nil)
	must(t, err)
	defer s.Close()
	must(t, s.CreateVendor(context.Background(), &oriel.Vendor{Name: "Globex"}))
	checkPrivate()
}
