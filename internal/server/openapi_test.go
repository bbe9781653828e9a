package server

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store/storetest"
)

// spec is the embedded OpenAPI document, decoded.
func spec(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIMatchesRoutes proves every route in routes.go is in the spec
// and every operation in the spec is routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := spec(t)
	var documented []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	var routed []string
	for _, rt := range (&Server{}).routes() {
		routed = append(routed, rt.method+" "+specPath(rt.path))
	}
	slices.Sort(documented)
	slices.Sort(routed)
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("openapi.json documents %s, which is not routed", d)
		}
	}
	if len(routed) != len(slices.Compact(slices.Clone(routed))) {
		t.Errorf("routes.go lists a route twice: %v", routed)
	}
}

// specPath is the OpenAPI path of a route pattern: a trailing {name...}
// wildcard is the parameter {name}.
func specPath(pattern string) string { return strings.ReplaceAll(pattern, "...}", "}") }

// securityFor is the security each access kind must declare: the schemes
// of its alternatives, in order.
var securityFor = map[access][]string{
	vendorAPI:    {"apiKey"},
	vendorProxy:  {"apiKey"},
	oauthClient:  {"apiKey"},
	widgetRead:   {"widgetSession", "widgetCookie", "widgetAccessToken"},
	widgetManage: {"widgetSession", "widgetCookie", "widgetAccessToken"},
	// The benefits routes take the same credentials, bound to a user.
	widgetEmployee: {"widgetSession", "widgetCookie", "widgetAccessToken"},
}

// securityOf lists the schemes of an operation's security alternatives.
func securityOf(o map[string]any) []string {
	var names []string
	alternatives, _ := o["security"].([]any)
	for _, alt := range alternatives {
		for name := range alt.(map[string]any) {
			names = append(names, name)
		}
	}
	return names
}

// TestOpenAPIIsConsistent checks what a client generator relies on: a 3.1
// document, unique operation ids, resolvable references, the security of
// every vendor and widget API operation and path parameters declared for
// every template.
func TestOpenAPIIsConsistent(t *testing.T) {
	doc := spec(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	var refs []string
	collectRefs(doc, &refs)
	for _, ref := range refs {
		if resolveRef(doc, ref) == nil {
			t.Errorf("unresolvable $ref %s", ref)
		}
	}
	ids := map[string]bool{}
	access := map[string]access{}
	for _, rt := range (&Server{}).routes() {
		access[rt.method+" "+specPath(rt.path)] = rt.access
	}
	for path, item := range doc["paths"].(map[string]any) {
		item := item.(map[string]any)
		params := paramNames(doc, item["parameters"])
		for method, o := range item {
			if method == "parameters" {
				continue
			}
			o := o.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
			if got, want := securityOf(o), securityFor[access[strings.ToUpper(method)+" "+path]]; !slices.Equal(got, want) {
				t.Errorf("%s %s: security declared %v, want %v", method, path, got, want)
			}
			all := append(slices.Clone(params), paramNames(doc, o["parameters"])...)
			for _, seg := range strings.Split(path, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok && !slices.Contains(all, strings.TrimSuffix(name, "}")) {
					t.Errorf("%s %s: path parameter %s is not declared", method, path, seg)
				}
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.PublicURL = "https://oriel.example"; c.Region = "eu" })
	r := e.doAs("", "GET", "/openapi.json", nil).want(200)
	doc := r.object()
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || servers[0].(map[string]any)["url"] != "https://oriel.example" {
		t.Fatalf("servers = %v, want the public URL", doc["servers"])
	}
	if len(doc["paths"].(map[string]any)) != len(spec(t)["paths"].(map[string]any)) {
		t.Fatal("the served document lost paths")
	}
}

// matchSchema fails unless obj has exactly the properties of the spec's
// schema name, so that the spec describes what the server really sends.
func matchSchema(t *testing.T, name string, obj map[string]any) {
	t.Helper()
	schema := spec(t)["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	want := slices.Sorted(maps.Keys(schema["properties"].(map[string]any)))
	got := slices.Sorted(maps.Keys(obj))
	if name == "APIKeyCreated" && !slices.Contains(got, "secret") {
		want = slices.DeleteFunc(want, func(s string) bool { return s == "secret" })
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: response has fields %v; the spec says %v", name, got, want)
	}
}

// matchSchemaSubset fails unless obj has every required property of the
// spec's schema name and no property the schema lacks: for objects whose
// optional fields are left out when empty.
func matchSchemaSubset(t *testing.T, name string, obj map[string]any) {
	t.Helper()
	schema := spec(t)["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	props := schema["properties"].(map[string]any)
	for key := range obj {
		if _, ok := props[key]; !ok {
			t.Errorf("%s: response field %s is not in the spec", name, key)
		}
	}
	for _, key := range schema["required"].([]any) {
		if _, ok := obj[key.(string)]; !ok {
			t.Errorf("%s: response lacks the required field %s", name, key)
		}
	}
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}

func resolveRef(doc map[string]any, ref string) map[string]any {
	var node any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[part]
	}
	m, _ := node.(map[string]any)
	return m
}

// paramNames lists the path parameter names in a parameters list.
func paramNames(doc map[string]any, list any) []string {
	var names []string
	items, _ := list.([]any)
	for _, p := range items {
		m := p.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			m = resolveRef(doc, ref)
		}
		if m["in"] == "path" {
			names = append(names, m["name"].(string))
		}
	}
	return names
}
