package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// inspect posts body to the inspect endpoint and checks the answer's shape.
func (e *linkEnv) inspect(body map[string]any) linkInspection {
	e.t.Helper()
	r := e.do("POST", "/v1/direct-links/inspect", body).want(http.StatusOK)
	matchSchema(e.t, "DirectLinkInspection", r.object())
	var in linkInspection
	r.into(&in)
	return in
}

// checksOf lists "name:result" of every check.
func checksOf(in linkInspection) string {
	var out []string
	for _, c := range in.Checks {
		out = append(out, c.Name+":"+c.Result)
	}
	return strings.Join(out, " ")
}

// POST /v1/direct-links/inspect answers every check of a link in order, the
// decoded token and the key that verified it, and never spends the jti.
func TestInspectDirectLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newLinkEnv(t, s)
		base := "https://oriel.example.com"
		l := e.sign("Eacme:Eada", "")
		connURL := base + e.conn + "?dl_token=" + url.QueryEscape(l.token)

		in := e.inspect(map[string]any{"url": connURL})
		if !in.Opens || in.Refusal != nil || in.Link.Kind != "connection" || in.Link.ConnectionID != e.connID || !in.Link.Embedded {
			t.Fatalf("valid link: %+v", in)
		}
		if want := "url:pass token:pass signature:pass customer:pass origin:pass time:pass user:pass target:pass single_use:pass"; checksOf(in) != want {
			t.Fatalf("checks %s, want %s", checksOf(in), want)
		}
		var claims, header map[string]any
		must(t, json.Unmarshal(in.Claims, &claims))
		must(t, json.Unmarshal(in.Header, &header))
		if in.MatchedKey == nil || in.MatchedKey.KID != "k1" || claims["jti"] != l.jti || header["alg"] != "RS256" {
			t.Fatalf("key %+v, claims %s, header %s", in.MatchedKey, in.Claims, in.Header)
		}
		e.get(e.conn+"?dl_token={token}", l).page(http.StatusOK, appOrigin) // inspecting did not spend it

		dashboard := e.inspect(map[string]any{"url": base + "/direct_link/embedded/employee-dashboard?dl_token=" + url.QueryEscape(e.sign("Eacme:Eada", "").token)})
		if !dashboard.Opens || dashboard.Link.Kind != "employee-dashboard" || !dashboard.Link.Embedded || !strings.Contains(checksOf(dashboard), "target:pass") {
			t.Fatalf("employee dashboard link: %+v, checks %s", dashboard, checksOf(dashboard))
		}

		in = e.inspect(map[string]any{"url": connURL})
		if in.Opens || in.Refusal == nil || in.Refusal.Check != "single_use" || in.Refusal.Code != "jti_replayed" || in.Refusal.Status != 401 || in.Refusal.ParentOrigin != appOrigin {
			t.Fatalf("used link: %+v", in.Refusal)
		}

		t.Run("refusals", func(t *testing.T) {
			other := linktokentest.NewKey(t, keys.EdDSA, "k1")
			cases := []struct {
				name   string
				body   map[string]any
				checks string
				code   string
				parent string
			}{
				{"wrong connection", map[string]any{"url": missingConnection + "?dl_token=" + e.sign("Eacme", "").token},
					"url:pass token:pass signature:pass customer:pass origin:pass time:pass user:pass target:fail single_use:not_run", "connection_not_found", appOrigin},
				{"customer-level link to the employee dashboard", map[string]any{"url": "/direct_link/embedded/employee-dashboard?dl_token=" + e.sign("Eacme", "").token},
					"url:pass token:pass signature:pass customer:pass origin:pass time:pass user:pass target:fail single_use:not_run", "user_binding_required", appOrigin},
				{"origin not allowed, bare token", map[string]any{"token": e.sign("Eacme", `"origin":"https://evil.test"`).token},
					"token:pass signature:pass customer:pass origin:fail time:not_run user:not_run single_use:not_run", "origin_not_allowed", ""},
				{"wrong key", map[string]any{"token": other.Sign(t, `{"alg":"RS256","kid":"k1"}`, linktokentest.Claims(e.vendor.ID+":Eacme", e.clock.Now()))},
					"token:pass signature:fail customer:not_run origin:not_run time:not_run user:not_run single_use:not_run", "signature_invalid", ""},
				{"another vendor's token", map[string]any{"token": e.key.Sign(t, e.key.Header(), linktokentest.Claims("vnd_other:Eacme", e.clock.Now()))},
					"token:pass signature:fail customer:not_run origin:not_run time:not_run user:not_run single_use:not_run", "link_other_vendor", ""},
				{"SSO link ignores origins", map[string]any{"url": "/direct_link/sso?dl_path=/connections&dl_token=" + e.sign("Eacme:Enobody", `"origin":"https://evil.test"`).token},
					"url:pass token:pass signature:pass customer:pass time:pass user:fail single_use:not_run", "user_not_found", ""},
				{"bad dl_path, token still inspected", map[string]any{"url": "/direct_link/embedded/app?dl_path=/nope&dl_token=" + e.sign("Eacme", "").token},
					"url:fail token:pass signature:pass customer:pass origin:pass time:pass user:pass single_use:pass", "page_not_found", ""},
				{"malformed token", map[string]any{"token": "Bearer abc"},
					"token:fail signature:not_run customer:not_run origin:not_run time:not_run user:not_run single_use:not_run", "token_malformed", ""},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					in := e.inspect(tc.body)
					if checksOf(in) != tc.checks {
						t.Fatalf("checks\n%s, want\n%s", checksOf(in), tc.checks)
					}
					if in.Opens || in.Refusal == nil || in.Refusal.Code != tc.code || in.Refusal.Message == "" || in.Refusal.ParentOrigin != tc.parent {
						t.Fatalf("refusal %+v, want %s (parent %q)", in.Refusal, tc.code, tc.parent)
					}
				})
			}
		})
		t.Run("the wrong key is explained", func(t *testing.T) {
			in := e.inspect(map[string]any{"token": e.key.WithKID("k9").Sign(t, e.key.WithKID("k9").Header(), linktokentest.Claims(e.vendor.ID+":Eacme", e.clock.Now()))})
			if in.MatchedKey != nil || !strings.Contains(in.KeyError, "kid") {
				t.Fatalf("key %+v, key_error %q", in.MatchedKey, in.KeyError)
			}
		})
		t.Run("bad requests", func(t *testing.T) {
			e.do("POST", "/v1/direct-links/inspect", map[string]any{}).problem(422, "link_required")
			e.do("POST", "/v1/direct-links/inspect", map[string]any{"url": "x", "token": "y"}).problem(422, "link_required")
			e.do("POST", "/v1/direct-links/inspect", map[string]any{"url": base + "/connections?dl_token=x"}).problem(422, "link_url_invalid")
			e.doAs("", "POST", "/v1/direct-links/inspect", map[string]any{"token": "x"}).problem(401, "api_key_missing")
		})
	})
}
