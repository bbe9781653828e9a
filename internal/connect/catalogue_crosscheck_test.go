package connect

import (
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/publicsuffix"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/endpoints"
)

// grantEntry is one provider of testdata/grant-oauth.json, the MIT-licensed
// endpoint table of github.com/simov/grant (see testdata/grant-LICENSE and
// /work/shared/reference/providers/README.md for its origin).
type grantEntry struct {
	AuthorizeURL   string  `json:"authorize_url"`
	AccessURL      string  `json:"access_url"`
	OAuth          int     `json:"oauth"`
	ScopeDelimiter *string `json:"scope_delimiter"`
}

// loadGrantTable reads the cross-check table.
func loadGrantTable(t *testing.T) map[string]grantEntry {
	t.Helper()
	data, err := os.ReadFile("testdata/grant-oauth.json")
	if err != nil {
		t.Fatal(err)
	}
	var table map[string]grantEntry
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	return table
}

// placeholderSentinel stands for any placeholder when URLs of different
// sources are compared: the catalogue's {name}, grant's [name] and the
// argument given to an x/oauth2 endpoint function.
const placeholderSentinel = "PLACEHOLDER"

var grantPlaceholderRE = regexp.MustCompile(`\[[a-z_]+\]`)

// normalizeURL replaces every placeholder in u by placeholderSentinel.
func normalizeURL(u string) string {
	u = placeholderRE.ReplaceAllString(u, placeholderSentinel)
	return grantPlaceholderRE.ReplaceAllString(u, placeholderSentinel)
}

// xOAuth2Endpoints are the golang.org/x/oauth2/endpoints entries the
// catalogue cites, by variable (or function) name; functions are given
// placeholderSentinel where the catalogue has a placeholder.
var xOAuth2Endpoints = map[string]oauth2.Endpoint{
	"Amazon": endpoints.Amazon, "Asana": endpoints.Asana, "AzureAD": endpoints.AzureAD(placeholderSentinel),
	"Bitbucket": endpoints.Bitbucket, "Coinbase": endpoints.Coinbase, "Discord": endpoints.Discord,
	"Dropbox": endpoints.Dropbox, "Endpoint": endpoints.Endpoint /* eBay */, "Facebook": endpoints.Facebook,
	"Fitbit": endpoints.Fitbit, "GitHub": endpoints.GitHub, "GitLab": endpoints.GitLab, "Google": endpoints.Google,
	"Heroku": endpoints.Heroku, "Instagram": endpoints.Instagram, "KaKao": endpoints.KaKao, "Line": endpoints.Line,
	"LinkedIn": endpoints.LinkedIn, "Mailchimp": endpoints.Mailchimp, "Naver": endpoints.Naver,
	"OpenStreetMap": endpoints.OpenStreetMap, "Patreon": endpoints.Patreon, "Pinterest": endpoints.Pinterest,
	"Pipedrive": endpoints.Pipedrive, "Shopify": endpoints.Shopify(placeholderSentinel + ".myshopify.com"),
	"Slack": endpoints.Slack, "Splitwise": endpoints.Splitwise, "Spotify": endpoints.Spotify,
	"StackOverflow": endpoints.StackOverflow, "Strava": endpoints.Strava, "Twitch": endpoints.Twitch,
	"Uber": endpoints.Uber, "X": endpoints.X, "Yahoo": endpoints.Yahoo, "Yandex": endpoints.Yandex, "Zoom": endpoints.Zoom,
}

// crossCheckDifferences compares p with the sources its provenance cites
// and returns what each one says where it differs, keyed as
// Provenance.Differences is. grant's scope delimiter is compared only where
// the table sets one (it leaves most unset).
func crossCheckDifferences(t *testing.T, p *Provider, grant map[string]grantEntry) map[string]string {
	t.Helper()
	got := map[string]string{}
	auth, token := normalizeURL(p.AuthorizationEndpoint), normalizeURL(p.TokenEndpoint)
	if key := p.Provenance.Grant; key != "" {
		g, ok := grant[key]
		if !ok || g.OAuth != 2 {
			t.Fatalf("provenance.grant %q is not an OAuth 2 entry of the cross-check table", key)
		}
		if a := normalizeURL(g.AuthorizeURL); a != auth {
			got["grant.authorization_url"] = a
		}
		if a := normalizeURL(g.AccessURL); a != token {
			got["grant.token_url"] = a
		}
		if d := g.ScopeDelimiter; d != nil && *d != p.ScopeSeparator {
			got["grant.scope_separator"] = *d
		}
	}
	if name := p.Provenance.XOAuth2; name != "" {
		e, ok := xOAuth2Endpoints[name]
		if !ok {
			t.Fatalf("provenance.x_oauth2 %q is not in xOAuth2Endpoints", name)
		}
		if e.AuthURL != auth {
			got["x_oauth2.authorization_url"] = e.AuthURL
		}
		if e.TokenURL != token {
			got["x_oauth2.token_url"] = e.TokenURL
		}
	}
	return got
}

// TestCatalogueAgreesWithCrossCheckSources diffs every OAuth2 entry that
// cites the grant table or x/oauth2 against them: each difference must be
// explained in the entry's provenance (the provider's docs win), and each
// explanation must still match a real difference.
func TestCatalogueAgreesWithCrossCheckSources(t *testing.T) {
	grant := loadGrantTable(t)
	confirmed, cited := 0, 0
	for _, p := range Catalogue() {
		if p.Kind != KindOAuth2 || p.Generic {
			continue
		}
		t.Run(p.Key, func(t *testing.T) {
			if g, listed := grant[p.Key]; listed && g.OAuth == 2 && p.Provenance.Grant == "" {
				t.Errorf("the cross-check table lists %q; cite it in provenance.grant", p.Key)
			}
			if p.Provenance.Grant == "" && p.Provenance.XOAuth2 == "" {
				return
			}
			cited++
			got := crossCheckDifferences(t, p, grant)
			for _, k := range slices.Sorted(maps.Keys(got)) {
				if p.Provenance.Differences[k] == "" {
					t.Errorf("%s says %q; explain it in provenance.differences[%q] or fix the entry", k, got[k], k)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(p.Provenance.Differences)) {
				if _, ok := got[k]; !ok {
					t.Errorf("provenance.differences[%q] explains a difference that no longer exists", k)
				}
			}
			if len(got) == 0 {
				confirmed++
			}
		})
	}
	t.Logf("%d OAuth2 entries cite a cross-check source; %d agree with every source they cite", cited, confirmed)
	if cited < 60 {
		t.Errorf("only %d entries are cross-checked", cited)
	}
}

// TestCatalogueEndpointDomains checks that an entry's authorization and token
// URLs share a registrable domain (public suffix list), unless its provenance
// says why not — and that it says so only when they differ.
func TestCatalogueEndpointDomains(t *testing.T) {
	for _, p := range Catalogue() {
		if p.Kind != KindOAuth2 || p.Generic {
			continue
		}
		domain := func(u string) string {
			t.Helper()
			host, _, _ := strings.Cut(strings.TrimPrefix(placeholderRE.ReplaceAllString(u, "placeholder.example.com"), "https://"), "/")
			d, err := publicsuffix.EffectiveTLDPlusOne(host)
			if err != nil {
				t.Fatalf("%s: %s: %v", p.Key, u, err)
			}
			return d
		}
		a, tok := domain(p.AuthorizationEndpoint), domain(p.TokenEndpoint)
		switch why := p.Provenance.CrossDomain; {
		case a != tok && why == "":
			t.Errorf("%s: authorization on %s but tokens on %s; record why in provenance.cross_domain", p.Key, a, tok)
		case a == tok && why != "":
			t.Errorf("%s: provenance.cross_domain is set but both URLs are on %s", p.Key, a)
		}
		if p.RevocationEndpoint != "" && domain(p.RevocationEndpoint) != tok && domain(p.RevocationEndpoint) != a {
			t.Errorf("%s: revocation URL on another domain than its token URL", p.Key)
		}
	}
}

// TestCatalogueCoverage checks the catalogue's size and spread: at least 250
// entries, every kind, and each category vendors ask for first.
func TestCatalogueCoverage(t *testing.T) {
	ps := Catalogue()
	kinds, cats := map[Kind]int{}, map[string]int{}
	for _, p := range ps {
		kinds[p.Kind]++
		cats[p.Category]++
		if d, err := time.Parse(time.DateOnly, p.Provenance.Checked); err != nil || d.After(time.Now()) {
			t.Errorf("%s: checked %q is not a past date", p.Key, p.Provenance.Checked)
		}
	}
	t.Logf("%d entries; kinds %v; categories %v", len(ps), kinds, cats)
	if len(ps) < 250 {
		t.Errorf("catalogue has %d entries, want at least 250", len(ps))
	}
	for _, k := range []Kind{KindOAuth2, KindClientCredentials, KindAPIKey, KindBasic} {
		if kinds[k] < 2 {
			t.Errorf("only %d %s entries", kinds[k], k)
		}
	}
	for _, c := range []string{"crm", "marketing", "support", "communication", "productivity", "storage", "dev-tools",
		"accounting", "payments", "hr", "e-commerce", "analytics", "ai"} {
		if cats[c] < 5 {
			t.Errorf("category %s has %d entries, want at least 5", c, cats[c])
		}
	}
}
