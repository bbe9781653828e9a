package server

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// The provider catalogue, as a vendor's admin UI offers it: GET
// /v1/providers lists internal/connect's catalogue, sorted by key, filtered
// by kind and category and searched by name.

// Error codes of provider list filters.
const (
	codeProviderKindInvalid     = "provider_kind_invalid"
	codeProviderCategoryInvalid = "provider_category_invalid"
	codeProviderQueryInvalid    = "provider_query_invalid"
)

// maxProviderQuery is the longest search accepted.
const maxProviderQuery = 100

// providerFilter is what GET /v1/providers selects by.
type providerFilter struct {
	kind     connect.Kind
	category string
	query    string // lower case
}

// providerFilterOf reads the kind, category and q parameters of r: each
// at most once, not empty, and a kind or category of the catalogue.
func providerFilterOf(r *http.Request) (providerFilter, error) {
	q := r.URL.Query()
	one := func(name string) (value string, bad bool) {
		v, ok := q[name]
		if !ok {
			return "", false
		}
		return v[0], len(v) != 1 || v[0] == ""
	}
	kind, bad := one("kind")
	if bad || kind != "" && !slices.Contains(connect.Kinds(), connect.Kind(kind)) {
		return providerFilter{}, oriel.Errorf(oriel.EINVALID, codeProviderKindInvalid, "kind must be one of %s", joinKinds())
	}
	category, bad := one("category")
	if bad || category != "" && !slices.Contains(connect.Categories(), category) {
		return providerFilter{}, oriel.Errorf(oriel.EINVALID, codeProviderCategoryInvalid,
			"category must be one of %s", strings.Join(connect.Categories(), ", "))
	}
	search, bad := one("q")
	if bad || utf8.RuneCountInString(search) > maxProviderQuery || hasControl(search) {
		return providerFilter{}, oriel.Errorf(oriel.EINVALID, codeProviderQueryInvalid,
			"q must be one search of 1–%d printable characters", maxProviderQuery)
	}
	return providerFilter{kind: connect.Kind(kind), category: category, query: strings.ToLower(strings.TrimSpace(search))}, nil
}

// joinKinds lists the provider kinds for a message.
func joinKinds() string {
	var names []string
	for _, k := range connect.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// matches reports whether p passes f: the search matches the display name
// or the key, ignoring case.
func (f providerFilter) matches(p *connect.Provider) bool {
	return (f.kind == "" || p.Kind == f.kind) && (f.category == "" || p.Category == f.category) &&
		(f.query == "" || strings.Contains(strings.ToLower(p.DisplayName), f.query) || strings.Contains(p.Key, f.query))
}

// listProviders serves GET /v1/providers: one page of the matching
// providers after the key starting_after names.
func (s *Server) listProviders(r *http.Request, p oriel.Page) ([]*connect.Provider, bool, error) {
	f, err := providerFilterOf(r)
	if err != nil {
		return nil, false, err
	}
	var page []*connect.Provider
	for _, pr := range connect.Catalogue() {
		if pr.Key <= p.StartingAfter || !f.matches(pr) {
			continue
		}
		if len(page) == p.Limit {
			return page, true, nil
		}
		page = append(page, pr)
	}
	return page, false, nil
}
