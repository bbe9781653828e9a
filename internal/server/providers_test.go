package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// GET /v1/providers pages through the whole catalogue by key, filters by
// kind and category, searches names, and refuses malformed filters.
func TestListProviders(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var keys []string
	after := ""
	for pages := 0; ; pages++ {
		var page listPage[map[string]any]
		path := "/v1/providers?limit=100"
		if after != "" {
			path += "&starting_after=" + url.QueryEscape(after)
		}
		e.do("GET", path, nil).want(http.StatusOK).into(&page)
		for _, p := range page.Data {
			matchSchemaSubset(t, "Provider", p)
			keys = append(keys, field(p, "key"))
			if !strings.HasPrefix(field(p, "logo"), "/logos/") || p["provenance"] == nil {
				t.Fatalf("provider %v lacks its logo path or provenance", p)
			}
		}
		if !page.HasMore {
			break
		}
		if pages > 10 {
			t.Fatal("pages never end")
		}
		after = keys[len(keys)-1]
	}
	if len(keys) != len(connect.Catalogue()) || len(keys) < 250 || !slices.IsSorted(keys) {
		t.Fatalf("pages hold %d providers (catalogue %d), sorted %v", len(keys), len(connect.Catalogue()), slices.IsSorted(keys))
	}

	var page listPage[map[string]any]
	e.do("GET", "/v1/providers?kind=oauth2&category=crm&limit=100", nil).want(http.StatusOK).into(&page)
	if len(page.Data) < 5 || page.HasMore {
		t.Fatalf("oauth2 crm providers: %d, more %v", len(page.Data), page.HasMore)
	}
	for _, p := range page.Data {
		if field(p, "kind") != "oauth2" || field(p, "category") != "crm" {
			t.Fatalf("filter let through %s (%s, %s)", field(p, "key"), field(p, "kind"), field(p, "category"))
		}
	}
	e.do("GET", "/v1/providers?q=SALES", nil).want(http.StatusOK).into(&page)
	var found []string
	for _, p := range page.Data {
		found = append(found, field(p, "key"))
	}
	if !slices.Contains(found, "salesforce") || !slices.Contains(found, "salesloft") || slices.Contains(found, "hubspot") {
		t.Fatalf("search for SALES found %v", found)
	}
	e.do("GET", "/v1/providers?kind=oauth2_client_credentials", nil).want(http.StatusOK).into(&page)
	if len(page.Data) == 0 || field(page.Data[0], "kind") != "oauth2_client_credentials" {
		t.Fatalf("client credentials providers: %v", page.Data)
	}
	e.do("GET", "/v1/providers?limit=2", nil).want(http.StatusOK).into(&page)
	if len(page.Data) != 2 || !page.HasMore {
		t.Fatalf("limit=2: %d providers, more %v", len(page.Data), page.HasMore)
	}

	for query, code := range map[string]string{
		"kind=oauth":                    codeProviderKindInvalid,
		"kind=":                         codeProviderKindInvalid,
		"kind=api_key&kind=basic":       codeProviderKindInvalid,
		"category=sales":                codeProviderCategoryInvalid,
		"q=" + strings.Repeat("a", 101): codeProviderQueryInvalid,
		"q=%0a":                         codeProviderQueryInvalid,
		"limit=0":                       codeLimitInvalid,
	} {
		e.do("GET", "/v1/providers?"+query, nil).problem(http.StatusBadRequest, code)
	}
	e.doAs("", "GET", "/v1/providers", nil).want(http.StatusUnauthorized)
}

// Logos are served as immutable assets; a name that is not one is 404.
func TestServeLogo(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	p, _ := connect.LookupProvider("hubspot")
	r := e.doAs("", "GET", p.Logo, nil).want(http.StatusOK)
	if r.header.Get("Content-Type") != "image/svg+xml" || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") || !strings.HasPrefix(string(r.body), "<svg") {
		t.Fatalf("logo: %v %.80s", r.header, r.body)
	}
	for _, path := range []string{"/logos/m1-A-ffffff.svg", "/logos/m1-ABC-112233.svg", "/logos/nope.png", "/logos/" + strings.Repeat("a", 64) + ".png"} {
		e.doAs("", "GET", path, nil).problem(http.StatusNotFound, codeLogoNotFound)
	}
}
