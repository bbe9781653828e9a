package auth

import (
	"slices"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/origin"
	"github.com/orielhq/oriel/internal/store"
)

var (
	errOriginNotAllowed = oriel.Errorf(oriel.EFORBIDDEN, CodeOriginNotAllowed,
		"the token's origin is not one of the allowed origins of this customer (or, when the customer has none, of the vendor); "+
			"add it with PATCH /v1/customers/{customer} or PATCH /v1/vendor {\"allowed_origins\": [...]}, or fix the origin claim")
	errNoAllowedOrigin = oriel.Errorf(oriel.EFORBIDDEN, CodeNoAllowedOrigin,
		"no allowed origin is configured, so Oriel cannot know which page may frame the widget; "+
			"set the origins of your app with PATCH /v1/vendor {\"allowed_origins\": [\"https://app.example.com\"]}, "+
			"or for one customer with PATCH /v1/customers/{customer} {\"allowed_origins\": [...]}")
	errOriginMismatch = oriel.Errorf(oriel.EFORBIDDEN, CodeOriginMismatch,
		"the page that opened the link is not on the origin the link is for; frame the widget from that origin, or set the origin claim to the origin of the framing page")
)

// parentOrigin chooses the origin that may frame the session's pages. The
// allowed origins are the customer's when it has any, else the vendor's.
// An origin claim must equal one of them; without a claim, the only allowed
// origin is chosen, and several are ambiguous (origin_required).
//
// Stored origins are normalised again here, whatever wrote them, because the
// result goes into a CSP header; an entry that does not normalise is ignored.
func parentOrigin(claim string, p *store.Party) (string, error) {
	allowed := AllowedOrigins(p)
	switch {
	case len(allowed) == 0:
		return "", errNoAllowedOrigin
	case claim != "":
		if !slices.Contains(allowed, claim) {
			return "", errOriginNotAllowed
		}
		return claim, nil
	case len(allowed) == 1:
		return allowed[0], nil
	default:
		return "", oriel.Errorf(oriel.EFORBIDDEN, CodeOriginRequired,
			"%d origins are allowed, so the token must say which one frames the widget: set the origin claim to the origin of the page (scheme://host[:port])", len(allowed))
	}
}

// sameOrigin reports whether the origin s, in any spelling, is parent.
func sameOrigin(s, parent string) bool {
	o, err := origin.Normalize(s)
	return err == nil && o == parent
}

// AllowedOrigins returns the normalised origins that may frame the widgets
// of p's customer: the customer's when it has any, else its vendor's. Stored
// entries that do not normalise are left out.
func AllowedOrigins(p *store.Party) []string {
	stored := p.Customer.AllowedOrigins
	if len(stored) == 0 {
		stored = p.VendorOrigins
	}
	allowed := make([]string, 0, len(stored))
	for _, entry := range stored {
		if o, err := origin.Normalize(entry); err == nil && !slices.Contains(allowed, o) {
			allowed = append(allowed, o)
		}
	}
	return allowed
}
