package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Catalogue E17: of an API key, the database holds only a hash.
func TestAPIKeyStoredAsHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "Acme SaaS")
		secret, _, err := apikey.Create(ctx, s, v.ID, "ci")
		must(t, err)
		rows, err := store.RawDB(s).QueryContext(ctx, `SELECT * FROM api_keys`)
		must(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		must(t, err)
		n := 0
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			must(t, rows.Scan(ptrs...))
			for i, value := range values {
				text := fmt.Sprintf("%s %x", value, value)
				if strings.Contains(text, secret) || strings.Contains(text, secret[3:]) || strings.Contains(text, fmt.Sprintf("%x", secret)) {
					t.Errorf("column %s holds the secret", cols[i])
				}
			}
			n++
		}
		must(t, rows.Err())
		if n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}
