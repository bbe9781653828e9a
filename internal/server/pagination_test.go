package server

import (
	"fmt"
	"slices"
	"testing"

	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newEnv(t, s)
		var all []string
		for i := range 5 {
			all = append(all, field(e.do("POST", "/v1/customers", map[string]any{"external_id": fmt.Sprint("c", i)}).want(201).object(), "id"))
		}
		var seen []string
		path := "/v1/customers?limit=2"
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("pagination does not end")
			}
			var page listPage[map[string]any]
			e.do("GET", path, nil).want(200).into(&page)
			for _, c := range page.Data {
				seen = append(seen, c["id"].(string))
			}
			if !page.HasMore {
				break
			}
			if len(page.Data) != 2 {
				t.Fatalf("a page that has more holds %d items", len(page.Data))
			}
			path = "/v1/customers?limit=2&starting_after=" + seen[len(seen)-1]
		}
		if fmt.Sprint(seen) != fmt.Sprint(sortedCopy(all)) {
			t.Fatalf("paged through %v, want every customer once in id order %v", seen, sortedCopy(all))
		}

		var page listPage[map[string]any]
		e.do("GET", "/v1/customers", nil).want(200).into(&page)
		if len(page.Data) != 5 || page.HasMore {
			t.Fatalf("default page = %d items, has_more %v", len(page.Data), page.HasMore)
		}
		e.do("GET", "/v1/customers?limit=5", nil).want(200).into(&page)
		if len(page.Data) != 5 || page.HasMore {
			t.Fatalf("limit=5: %d items, has_more %v", len(page.Data), page.HasMore)
		}
		e.do("GET", "/v1/customers?limit=100&starting_after="+sortedCopy(all)[4], nil).want(200).into(&page)
		if len(page.Data) != 0 || page.Data == nil {
			t.Fatalf("past the end: %+v, want an empty data array", page)
		}

		for _, q := range []string{"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit=", "limit=1&limit=2", "limit=%201"} {
			e.do("GET", "/v1/customers?"+q, nil).problem(400, "limit_invalid")
		}
		for _, q := range []string{"starting_after=", "starting_after=a&starting_after=b", "starting_after=%0A"} {
			e.do("GET", "/v1/api-keys?"+q, nil).problem(400, "starting_after_invalid")
		}
	})
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
