package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The parent origin: the claim must be allowed; without one, the only
// allowed origin is used; the customer's list replaces the vendor's
// (catalogue C18–C24).
func TestOpenOrigins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		acme, globex := sub(w.v1, "Eacme"), sub(w.v1, "Eglobex")
		opened := []struct {
			name, sub, claim, want string
		}{
			{"claim equal to the vendor's origin (C18)", acme, "https://app.v1.test", "https://app.v1.test"},
			{"claim in another spelling (C22)", acme, "HTTPS://APP.V1.test:443", "https://app.v1.test"},
			{"no claim, one allowed origin (C24)", acme, "", "https://app.v1.test"},
			{"claim among the customer's origins", globex, "https://b.c2.test", "https://b.c2.test"},
		}
		for _, tc := range opened {
			t.Run(tc.name, func(t *testing.T) {
				sess := w.mustOpen(w.sign(w.kA, claims{sub: tc.sub, origin: tc.claim}))
				if sess.Origin != tc.want {
					t.Fatalf("origin %q, want %q", sess.Origin, tc.want)
				}
			})
		}

		refusedCases := []struct {
			name, sub, claim string
			kind, code       string
		}{
			{"claim not allowed (C23)", acme, "https://evil.test", oriel.EFORBIDDEN, auth.CodeOriginNotAllowed},
			{"other scheme", acme, "http://app.v1.test", oriel.EFORBIDDEN, auth.CodeOriginNotAllowed},
			{"other port", acme, "https://app.v1.test:8443", oriel.EFORBIDDEN, auth.CodeOriginNotAllowed},
			{"suffix look-alike", acme, "https://app.v1.test.evil.test", oriel.EFORBIDDEN, auth.CodeOriginNotAllowed},
			{"the vendor's origin when the customer has its own", globex, "https://app.v1.test", oriel.EFORBIDDEN, auth.CodeOriginNotAllowed},
			{"no claim, several allowed origins", globex, "", oriel.EFORBIDDEN, auth.CodeOriginRequired},
			{"wildcard (C20)", acme, "*", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"null (C20)", acme, "null", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"path (C20)", acme, "https://app.v1.test/path", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"trailing slash (C20)", acme, "https://app.v1.test/", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"javascript: (C20)", acme, "javascript:alert(1)", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"no scheme (C20)", acme, "app.v1.test", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"wildcard subdomain (C20)", acme, "https://*.v1.test", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"CSP injection (C21)", acme, "https://app.v1.test; script-src *", oriel.EINVALID, linktoken.CodeOriginMalformed},
			{"CR LF (C21)", acme, "https://app.v1.test\r\nX-Evil: 1", oriel.EINVALID, linktoken.CodeOriginMalformed},
		}
		for _, tc := range refusedCases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.open(w.sign(w.kA, claims{sub: tc.sub, origin: tc.claim}))
				r := refused(t, err, tc.kind, tc.code, "")
				if tc.claim != "" && strings.Contains(r.Err.Message, tc.claim) {
					t.Fatalf("the message quotes the claim: %s", r.Err.Message)
				}
			})
		}

		t.Run("none configured", func(t *testing.T) {
			for _, claim := range []string{"", "https://app.v3.test"} {
				_, err := w.open(w.sign(w.kB, claims{sub: sub(w.v2, "Einitech"), origin: claim}))
				r := refused(t, err, oriel.EFORBIDDEN, auth.CodeNoAllowedOrigin, "")
				for _, call := range []string{`PATCH /v1/vendor {"allowed_origins": [`, "PATCH /v1/customers/{customer}"} {
					if !strings.Contains(r.Err.Message, call) {
						t.Fatalf("the message does not name %s: %s", call, r.Err.Message)
					}
				}
			}
		})

		t.Run("stored origins are normalised again, bad ones ignored", func(t *testing.T) {
			// The vendor API normalises what it stores; another writer may not.
			c := w.customer(w.v1, "hand-written", "HTTPS://Hand.Test:443", "https://hand.test", "not an origin")
			sess := w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, c.ID)}))
			if sess.Origin != "https://hand.test" {
				t.Fatalf("origin %q, want https://hand.test", sess.Origin)
			}
		})
	})
}

// The referring page, when the request names one, must be on the parent
// origin (catalogue C19).
func TestOpenReferrer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		acme := sub(w.v1, "Eacme")
		for _, ref := range []string{"https://app.v1.test", "https://APP.v1.test:443"} {
			if _, err := w.links.OpenEmbedded(context.Background(), w.sign(w.kA, claims{sub: acme}), ref); err != nil {
				t.Fatalf("referrer %s: %v", ref, err)
			}
		}
		for _, ref := range []string{"https://evil.test", "http://app.v1.test", "null", "https://app.v1.test.evil.test"} {
			_, err := w.links.OpenEmbedded(context.Background(), w.sign(w.kA, claims{sub: acme}), ref)
			refused(t, err, oriel.EFORBIDDEN, auth.CodeOriginMismatch, "https://app.v1.test")
		}
	})
}
