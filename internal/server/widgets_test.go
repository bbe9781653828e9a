package server

import (
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/store/storetest"
)

// kindsTable is the header of docs/protocol.md's table of widget kinds.
const kindsTable = "| widget | SDK-mode page | direct-link page | bound to | its events | workspace section | React component |"

// TestWidgetRegistryMatchesClients proves that the browser SDK's kinds and
// events, the React components and docs/protocol.md follow the widget
// registry (widgets.go), as the OpenAPI test does for routes.
func TestWidgetRegistryMatchesClients(t *testing.T) {
	kinds := (&Server{}).widgetKinds()
	var names, events, rows []string
	components := map[string]string{}
	for _, k := range kinds {
		names = append(names, k.name)
		events = append(events, k.events...)
		components[k.component] = k.name
		rows = append(rows, docRow(k))
	}
	slices.Sort(events)
	events = slices.Compact(events)

	core := readRepoFile(t, "sdk/js/core/src/index.ts")
	if got := objectKeys(t, core, "const widgetPaths = {"); !slices.Equal(got, names) {
		t.Errorf("sdk/js/core widgetPaths lists %v; the registry %v", got, names)
	}
	got := objectKeys(t, core, "const widgetEvents: Record<string, Record<string, string>> = {")
	slices.Sort(got)
	if !slices.Equal(got, events) {
		t.Errorf("sdk/js/core widgetEvents lists %v; the registry's kinds send %v", got, events)
	}
	for _, event := range events {
		callback := "on" + strings.ToUpper(event[:1]) + event[1:] + "?:"
		if !strings.Contains(core, callback) {
			t.Errorf("sdk/js/core WidgetOptions has no %s for the event %s", callback, event)
		}
	}

	react := readRepoFile(t, "sdk/js/react/src/index.ts")
	mounted := map[string]string{}
	component := regexp.MustCompile(`export function (\w+)\(props: \w+\): ReactElement \{\s+return useWidget\(\{[^}]*widget: "([a-z-]+)" \}\);`)
	for _, m := range component.FindAllStringSubmatch(react, -1) {
		mounted[m[1]] = m[2]
	}
	if !maps.Equal(mounted, components) {
		t.Errorf("sdk/js/react mounts %v (component → kind); the registry says %v", mounted, components)
	}

	protocol := readRepoFile(t, "docs/protocol.md")
	_, table, ok := strings.Cut(protocol, kindsTable+"\n")
	if !ok {
		t.Fatalf("docs/protocol.md has no table headed %q", kindsTable)
	}
	lines := strings.Split(table, "\n")[1:] // after the |---| line
	var documented []string
	for _, line := range lines {
		if !strings.HasPrefix(line, "|") {
			break
		}
		documented = append(documented, line)
	}
	if !slices.Equal(documented, rows) {
		t.Errorf("docs/protocol.md's table of widget kinds is\n%s\nthe registry's is\n%s", strings.Join(documented, "\n"), strings.Join(rows, "\n"))
	}
	for _, event := range events {
		if !strings.Contains(protocol, "| `"+event+"` | `{") {
			t.Errorf("docs/protocol.md's messages table has no row for %s with its payload", event)
		}
	}
}

// Every kind's pages and its section are routed, and a kind has a React
// component, a known binding and, when it has a direct link, a page for it.
func TestWidgetRegistryIsComplete(t *testing.T) {
	s := &Server{}
	routed := map[string]bool{}
	for _, rt := range s.routes() {
		routed[rt.method+" "+rt.path] = true
	}
	for _, k := range s.widgetKinds() {
		if !routed["GET "+k.sdkPath()] || k.linkPath != "" && !routed["GET "+k.linkPath] || k.section != nil && !routed["GET "+k.section.Path] {
			t.Errorf("%s: a page is not routed", k.name)
		}
		if k.component == "" || k.sdkPage == nil || (k.linkPath == "") != (k.linkPage == nil) || k.binding != customerBound && k.binding != userBound {
			t.Errorf("%s: incomplete entry", k.name)
		}
		if (k.param == "") != (k.check == nil) {
			t.Errorf("%s: a parameter needs a check, and only a parameter", k.name)
		}
		for _, rt := range k.api {
			if userAPI := rt.access == widgetEmployee; userAPI != (k.binding == userBound) || !userAPI && rt.access != widgetRead && rt.access != widgetManage {
				t.Errorf("%s: %s %s has the wrong access for a %s-bound widget", k.name, rt.method, rt.path, k.binding)
			}
		}
	}
}

// docRow is k's row in docs/protocol.md's table of widget kinds.
func docRow(k widgetKind) string {
	code := func(s string) string {
		if s == "" {
			return "—"
		}
		return "`" + s + "`"
	}
	var events []string
	for _, e := range k.events {
		events = append(events, code(e))
	}
	section := ""
	if k.section != nil {
		section = k.section.Path
	}
	return "| " + strings.Join([]string{code(k.name), code(k.sdkPath()), code(k.linkPath), string(k.binding),
		strings.Join(events, ", "), code(section), code(k.component)}, " | ") + " |"
}

// objectKeys returns the keys of the object literal that starts with
// opening in src, one per line, in order.
func objectKeys(t *testing.T, src, opening string) []string {
	t.Helper()
	_, body, ok := strings.Cut(src, opening+"\n")
	if !ok {
		t.Fatalf("no %q", opening)
	}
	body, _, _ = strings.Cut(body, "\n};")
	key := regexp.MustCompile(`(?m)^  "?([\w-]+)"?:`)
	var keys []string
	for _, m := range key.FindAllStringSubmatch(body, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The employee dashboard opens for a user only: by direct link, as the
// workspace's Benefits section (whose navigation then has both sections),
// and in SDK mode, where the viewer endpoint refuses a customer's token.
func TestEmployeeDashboardPages(t *testing.T) {
	w := newTokenWorld(t, storetest.SQLite(t))
	const link = "/direct_link/embedded/employee-dashboard?dl_token={token}"
	body := w.get(link, w.sign("Eacme:Eada", "")).page(http.StatusOK, appOrigin)
	for _, want := range []string{`id="employee-dashboard"`, "/static/dashboard.js", "/static/dashboard.css", `data-session="ors_`, `data-widget="employee-dashboard"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("the direct-link page lacks %s", want)
		}
	}
	if strings.Contains(body, "bridge.js") || strings.Contains(body, "data-sdk") {
		t.Fatal("a direct-link page is not in SDK mode")
	}
	const app = "/direct_link/embedded/app?dl_token={token}&dl_path="
	// A customer-level link is refused before its jti is spent: the same
	// token still opens the workspace.
	customerLink := w.sign("Eacme", "")
	w.get(link, customerLink).errorPage(http.StatusForbidden, "user_binding_required", appOrigin)
	w.get(app+"/connections", customerLink).page(http.StatusOK, appOrigin)

	workspace := w.get(app+"/benefits", w.sign("Eacme:Eada", "")).page(http.StatusOK, appOrigin)
	for _, want := range []string{`<a class="workspace-tab" href="/benefits" data-section="employee-dashboard" aria-current="page">Benefits</a>`,
		`<a class="workspace-tab" href="/connections" data-section="connections">Connections</a>`, `id="section-connections" hidden`,
		`<div class="workspace-section" id="section-employee-dashboard">`, "/static/connections.js", "/static/dashboard.js", "<title>Benefits · Acme"} {
		if !strings.Contains(workspace, want) {
			t.Fatalf("the workspace at /benefits lacks %s", want)
		}
	}
	admin := w.get(app+"/connections", w.sign("Eacme", "")).page(http.StatusOK, appOrigin)
	if strings.Contains(admin, "workspace-nav") || strings.Contains(admin, "dashboard.js") || !strings.Contains(admin, `id="connections"`) {
		t.Fatal("a customer-level workspace shows the Benefits section, or no connections")
	}
	w.get(app+"/benefits", w.sign("Eacme", "")).errorPage(http.StatusForbidden, "user_binding_required", appOrigin)

	sdk := w.doAs("", "GET", "/widgets/employee-dashboard?parent_origin="+appOrigin, nil).page(http.StatusOK, appOrigin)
	for _, want := range []string{`data-sdk="true"`, `data-widget="employee-dashboard"`, "bridge.js", "dashboard.js"} {
		if !strings.Contains(sdk, want) {
			t.Fatalf("the SDK-mode page lacks %s", want)
		}
	}
	customer := w.token(map[string]any{"type": "customer", "id": "Eacme"})
	user := w.token(map[string]any{"type": "user", "id": "Eada", "customer": "Eacme"})
	w.sdk(customer, appOrigin, "GET", "/widget-api/viewer?widget=employee-dashboard", nil).problem(http.StatusForbidden, "user_binding_required")
	w.sdk(customer, appOrigin, "GET", "/widget-api/viewer?widget=connections", nil).want(http.StatusOK)
	w.sdk(user, appOrigin, "GET", "/widget-api/viewer?widget=employee-dashboard", nil).want(http.StatusOK)
	w.sdk(user, appOrigin, "GET", "/widget-api/viewer?widget=nope", nil).problem(http.StatusBadRequest, "widget_unknown")
}
