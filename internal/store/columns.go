package store

import (
	"encoding/json"
	"fmt"
)

// encodeMap stores a string map as JSON text; nil is stored as {}.
func encodeMap(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// decodeMap reads a string map stored by encodeMap; {} reads as nil, so an
// empty map round-trips like an absent one.
func decodeMap(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("corrupt map column: %w", err)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// scanWith scans a row into before, the destinations of the wrapped scan
// function, then after: it lets a query select columns around a shared column
// list, such as a sealed secret that only some queries read.
type scanWith struct {
	sc            scanner
	before, after []any
}

func (w scanWith) Scan(dest ...any) error {
	all := append(append(append(make([]any, 0, len(w.before)+len(dest)+len(w.after)), w.before...), dest...), w.after...)
	return w.sc.Scan(all...)
}
