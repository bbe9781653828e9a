package server

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAPIDocMatchesSpec checks docs/api.md against the OpenAPI document:
// every vendor API path (/v1/…) of the spec is described there, and every
// /v1 path the page names exists.
func TestAPIDocMatchesSpec(t *testing.T) {
	raw, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	paths := spec(t)["paths"].(map[string]any)
	for path := range paths {
		if strings.HasPrefix(path, "/v1/") && !regexp.MustCompile(regexp.QuoteMeta(path)+"[`\\s?]").MatchString(page) {
			t.Errorf("docs/api.md does not describe %s", path)
		}
	}
	var templates []*regexp.Regexp
	for path := range paths {
		templates = append(templates, pathPattern(path))
	}
named:
	for _, m := range regexp.MustCompile("/v1/[A-Za-z0-9_{}/.-]*[A-Za-z0-9_}]").FindAllString(page, -1) {
		for _, tpl := range templates {
			if tpl.MatchString(m) {
				continue named
			}
		}
		t.Errorf("docs/api.md names %s, which the API does not have", m)
	}
}

// pathPattern matches the paths an OpenAPI path template stands for: each
// {param} segment matches any one segment.
func pathPattern(template string) *regexp.Regexp {
	segments := strings.Split(template, "/")
	for i, s := range segments {
		if strings.HasPrefix(s, "{") {
			segments[i] = "[^/]+"
		} else {
			segments[i] = regexp.QuoteMeta(s)
		}
	}
	return regexp.MustCompile("^" + strings.Join(segments, "/") + "$")
}
