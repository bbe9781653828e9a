package server

import (
	"net/http"
	"strconv"
	"unicode"

	"github.com/orielhq/oriel"
)

// Page sizes of list endpoints.
const (
	defaultPageLimit = 20
	maxPageLimit     = 100
)

// lister fetches one page of the caller's objects, and whether more follow.
type lister[T any] func(r *http.Request, p oriel.Page) ([]T, bool, error)

// listPage is the body of every list response.
type listPage[T any] struct {
	Object  string `json:"object"` // always "list"
	Data    []T    `json:"data"`
	HasMore bool   `json:"has_more"`
}

// list serves a list endpoint: it reads limit and starting_after, and wraps
// the page the lister returns.
func list[T any](fetch lister[T]) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := pageOf(r)
		if err != nil {
			return err
		}
		items, more, err := fetch(r, p)
		if err != nil {
			return err
		}
		if items == nil {
			items = []T{}
		}
		return reply(w, http.StatusOK, listPage[T]{Object: "list", Data: items, HasMore: more})
	}
}

// pageOf reads the page a list request asks for.
func pageOf(r *http.Request) (oriel.Page, error) {
	q := r.URL.Query()
	p := oriel.Page{Limit: defaultPageLimit}
	if values, ok := q["limit"]; ok {
		n, err := strconv.Atoi(values[0])
		if len(values) > 1 || err != nil || n < 1 || n > maxPageLimit {
			return p, oriel.Errorf(oriel.EINVALID, codeLimitInvalid, "limit must be one whole number from 1 to %d", maxPageLimit)
		}
		p.Limit = n
	}
	if values, ok := q["starting_after"]; ok {
		id := values[0]
		if len(values) > 1 || id == "" || len(id) > maxTextLen || hasControl(id) {
			return p, oriel.Errorf(oriel.EINVALID, codeStartingAfterInvalid, "starting_after must be the id of the last object of the previous page")
		}
		p.StartingAfter = id
	}
	return p, nil
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	for _, c := range s {
		if unicode.IsControl(c) {
			return true
		}
	}
	return false
}
