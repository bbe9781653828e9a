package store

import (
	"strings"
	"testing"
)

// TestIDsIncrease: ids made in a burst, many per millisecond, strictly
// increase and keep their shape, so lists ordered by id follow creation.
func TestIDsIncrease(t *testing.T) {
	prev := newID("evt")
	for range 5000 {
		id := newID("evt")
		if id <= prev || len(id) != len(prev) || !strings.HasPrefix(id, "evt_") {
			t.Fatalf("%s follows %s", id, prev)
		}
		if _, err := idEncoding.DecodeString(strings.TrimPrefix(id, "evt_")); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		prev = id
	}
}
