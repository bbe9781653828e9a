package connect

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// providersDoc is the generated list of the catalogue.
const providersDoc = "../../docs/providers.md"

// kindNames say how each kind authenticates, for people.
var kindNames = map[Kind]string{
	KindOAuth2: "OAuth 2.0", KindClientCredentials: "OAuth 2.0 client credentials", KindAPIKey: "API key", KindBasic: "Basic",
}

// renderProvidersDoc writes docs/providers.md from the catalogue.
func renderProvidersDoc(t *testing.T) string {
	t.Helper()
	grant := loadGrantTable(t)
	ps := Catalogue()
	var b strings.Builder
	b.WriteString("# Providers\n\n")
	b.WriteString("<!-- Generated from internal/connect/providers.json by TestProvidersDocIsCurrent; " +
		"run `ORIEL_UPDATE_DOCS=1 go test ./internal/connect -run TestProvidersDocIsCurrent` after changing the catalogue. -->\n\n")
	kinds := map[Kind]int{}
	for _, p := range ps {
		kinds[p.Kind]++
	}
	fmt.Fprintf(&b, "Oriel's catalogue holds %d providers: %d OAuth 2.0 (authorization code, with PKCE where the provider verifies it), "+
		"%d OAuth 2.0 client credentials, %d API key and %d basic. `GET /v1/providers` (docs/api.md) serves the same list "+
		"with every field; an integration names a provider by its key.\n\n",
		len(ps), kinds[KindOAuth2], kinds[KindClientCredentials], kinds[KindAPIKey], kinds[KindBasic])
	b.WriteString("Every entry records its provenance: the provider's own documentation (linked below) and, for OAuth 2.0, " +
		"its discovery document where it publishes one, the MIT-licensed [grant](https://github.com/simov/grant) endpoint table " +
		"and `golang.org/x/oauth2/endpoints` as cross-checks, and the date it was checked. Where the sources disagree the " +
		"provider's documentation wins and the entry says why (`provenance.differences`); the catalogue tests fail on any " +
		"difference left unexplained. **Cross-check** below: *agrees* when every cited source lists the same endpoints, " +
		"*differs* when an explained difference remains, — when no cross-check source lists the provider.\n\n")
	b.WriteString("Settings in braces (`{subdomain}`) are per-connection values, each limited by a pattern or a list so that " +
		"it cannot take a URL off the provider's hosts.\n")
	for _, cat := range Categories() {
		var in []*Provider
		for _, p := range ps {
			if p.Category == cat {
				in = append(in, p)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n| Provider | Key | Kind | Settings | Cross-check | Checked |\n|---|---|---|---|---|---|\n", cat, len(in))
		for _, p := range in {
			var settings []string
			for _, f := range p.ConnectionConfig {
				settings = append(settings, "`{"+f.Name+"}`")
			}
			check := "—"
			if p.Provenance.Grant != "" || p.Provenance.XOAuth2 != "" {
				check = "agrees"
				if len(crossCheckDifferences(t, p, grant)) > 0 {
					check = "differs"
				}
			}
			fmt.Fprintf(&b, "| [%s](%s) | `%s` | %s | %s | %s | %s |\n", strings.ReplaceAll(p.DisplayName, "|", "\\|"), p.DocsURL, p.Key,
				kindNames[p.Kind], strings.Join(settings, " "), check, p.Provenance.Checked)
		}
	}
	return b.String()
}

// TestProvidersDocIsCurrent keeps docs/providers.md equal to what the
// catalogue generates; ORIEL_UPDATE_DOCS=1 rewrites it.
func TestProvidersDocIsCurrent(t *testing.T) {
	want := renderProvidersDoc(t)
	if os.Getenv("ORIEL_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(providersDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(providersDoc)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale: run ORIEL_UPDATE_DOCS=1 go test ./internal/connect -run TestProvidersDocIsCurrent", providersDoc)
	}
	for _, p := range Catalogue() {
		if !strings.Contains(string(got), "`"+p.Key+"`") {
			t.Errorf("%s does not list %s", providersDoc, p.Key)
		}
	}
	if !slices.IsSorted(Categories()) {
		t.Error("categories are not sorted")
	}
}
