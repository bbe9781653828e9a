package connect

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Provenance records where a catalogue entry's facts come from. The
// provider's own documentation (the entry's docs_url, and its discovery
// document when it publishes one) is always a source and wins where the
// sources disagree; the other two are cross-checks, compared with the entry
// by the catalogue tests.
type Provenance struct {
	// Checked is the day the entry was last checked against its sources, YYYY-MM-DD.
	Checked string `json:"checked"`
	// Discovery is the provider's RFC 8414 or OpenID Connect discovery document.
	Discovery string `json:"discovery_url,omitempty"`
	// Grant is the provider's key in the cross-check table grant-oauth.json
	// (github.com/simov/grant, MIT), when it lists the provider.
	Grant string `json:"grant,omitempty"`
	// XOAuth2 is the variable of golang.org/x/oauth2/endpoints that lists
	// the provider, such as "GitHub".
	XOAuth2 string `json:"x_oauth2,omitempty"`
	// Differences explain each way the entry differs from a cross-check
	// source, keyed "<source>.<field>" (sources "grant" and "x_oauth2";
	// fields authorization_url, token_url and scope_separator): what the
	// source says and why the provider's documentation is followed instead.
	Differences map[string]string `json:"differences,omitempty"`
	// CrossDomain says why the authorization and token URLs are on different
	// registrable domains, when they are.
	CrossDomain string `json:"cross_domain,omitempty"`
}

// differenceKeys are the keys Provenance.Differences may use.
var differenceKeys = []string{
	"grant.authorization_url", "grant.token_url", "grant.scope_separator",
	"x_oauth2.authorization_url", "x_oauth2.token_url",
}

// checkProvenance checks the form of p's provenance; whether the recorded
// differences are real is the catalogue tests' business, since the
// cross-check sources are not part of the binary.
func (p *Provider) checkProvenance() error {
	v := p.Provenance
	if v == nil {
		return errors.New("provenance is required")
	}
	if d, err := time.Parse(time.DateOnly, v.Checked); err != nil || d.Year() < 2020 {
		return errors.New("provenance.checked must be a date, YYYY-MM-DD")
	}
	if v.Discovery != "" {
		if err := checkStaticURL(v.Discovery); err != nil || !strings.Contains(v.Discovery, "/.well-known/") {
			return errors.New("provenance.discovery_url must be an https /.well-known/ URL")
		}
	}
	if (v.Grant != "" || v.XOAuth2 != "") && p.Kind != KindOAuth2 {
		return errors.New("provenance: grant and x_oauth2 cross-check OAuth2 authorization-code entries only")
	}
	for _, k := range slices.Sorted(maps.Keys(v.Differences)) {
		source, _, _ := strings.Cut(k, ".")
		switch {
		case !slices.Contains(differenceKeys, k):
			return fmt.Errorf("provenance.differences: %q is not one of %v", k, differenceKeys)
		case source == "grant" && v.Grant == "", source == "x_oauth2" && v.XOAuth2 == "":
			return fmt.Errorf("provenance.differences: %q names a source the entry does not cite", k)
		case len(v.Differences[k]) < 10 || hasControl(v.Differences[k]):
			return fmt.Errorf("provenance.differences: %q needs an explanation", k)
		}
	}
	if hasControl(v.CrossDomain) {
		return errors.New("provenance.cross_domain must be printable")
	}
	return nil
}
