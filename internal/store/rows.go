package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/orielhq/oriel"
)

// idEncoding is Crockford's base32 in lower case: its alphabet is in ASCII
// order, so ids sort by their creation time.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// lastID is the newest id this process made.
var lastID struct {
	sync.Mutex
	b [16]byte
}

// newID returns prefix + "_" + 26 characters: 48 bits of milliseconds then
// 80 random bits. Ids are unguessable and sort in creation order; within one
// millisecond (or if the clock steps back) a new id is the previous one plus
// one, so ids made by one process always increase.
func newID(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	lastID.Lock()
	if bytes.Compare(b[:6], lastID.b[:6]) <= 0 {
		b = lastID.b
		for i := len(b) - 1; i >= 0; i-- {
			if b[i]++; b[i] != 0 {
				break
			}
		}
	}
	lastID.b = b
	lastID.Unlock()
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// micros stores a time as unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored unix-microseconds time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// now is the current time at the precision the database keeps.
func now() time.Time { return fromMicros(micros(time.Now())) }

// encodeList stores a string list as JSON text.
func encodeList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// decodeList reads a string list stored by encodeList.
func decodeList(s string) ([]string, error) {
	l := []string{}
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("corrupt list column: %w", err)
	}
	return l, nil
}

// refColumn tells which column a customer or user reference names: its Oriel
// id, or its external id when ref carries the "E" prefix.
func refColumn(ref string) (column, value string) {
	if id, external := oriel.SplitRef(ref); external {
		return "external_id", id
	}
	return "id", ref
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// MaxPageLimit caps a list page.
const MaxPageLimit = 100

// list runs query (which ends in a WHERE clause over args) for one page
// ordered by idColumn, scanning each row with scan, and tells whether more
// rows follow.
func list[T any](ctx context.Context, q queryer, query, idColumn string, args []any, p oriel.Page, scan func(scanner) (*T, error)) ([]*T, bool, error) {
	limit := p.Limit
	if limit <= 0 || limit > MaxPageLimit {
		limit = MaxPageLimit
	}
	if p.StartingAfter != "" {
		args = append(args, p.StartingAfter)
		query += fmt.Sprintf(" AND %s > $%d", idColumn, len(args))
	}
	query += " ORDER BY " + idColumn + limitClause(limit+1)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := make([]*T, 0, limit)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// limitClause is " LIMIT n" with n written into the SQL text. A LIMIT bound
// as a parameter makes SQLite prepare the statement again on every run
// (sqlite3Reprepare: the planner uses the limit's value), which costs more
// than running most of our queries. n comes from our own code, never from
// the request as text: it is an int (a negative one counts as 0).
// Each distinct n is one more prepared statement in the pool's cache, so
// callers pass a bounded set of values (page sizes up to MaxPageLimit+1, or
// constants).
func limitClause(n int) string {
	return " LIMIT " + strconv.Itoa(max(n, 0))
}

// one scans a single row, turning "no rows" into notFound.
func one[T any](row *sql.Row, scan func(scanner) (*T, error), notFound error) (*T, error) {
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	return v, err
}

// mustAffect turns an update or delete that touched no row into notFound.
func mustAffect(res sql.Result, err error, notFound error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}
