package store_test

import (
	"context"
	"sync"
	"testing"

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
