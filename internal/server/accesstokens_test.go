package server

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
	"github.com/orielhq/oriel/internal/token"
)

// The token endpoints, against catalogue sections E (token endpoint), F
// (token use: the accessToken check) and K (rate limits).

const (
	issuePath  = "/v1/auth/access-tokens"
	revokePath = "/v1/auth/access-tokens/revoke"
)

// tokenEnv is an env with keys, a customer "acme" with users "ada" (viewer)
// and "bob" (admin), and a second vendor, Globex, with its own "acme".
type tokenEnv struct {
	*env
	acme, otherAcme *oriel.Customer
	ada, bob        *oriel.User
	otherSecret     string // Globex's API key
	otherAda        *oriel.User
}

func newTokenEnv(t *testing.T, s *store.SQL, config ...func(*Config)) *tokenEnv {
	t.Helper()
	e := &tokenEnv{env: newEnv(t, s, append([]func(*Config){withKeys(t)}, config...)...)}
	var other *oriel.Vendor
	other, e.otherSecret = e.newVendor("Globex")
	e.acme, e.ada, e.bob = e.customerWithUsers(e.vendor.ID)
	e.otherAcme, e.otherAda, _ = e.customerWithUsers(other.ID)
	return e
}

// customerWithUsers stores customer acme of vendorID, with ada and bob.
func (e *tokenEnv) customerWithUsers(vendorID string) (*oriel.Customer, *oriel.User, *oriel.User) {
	ctx := context.Background()
	c := &oriel.Customer{VendorID: vendorID, ExternalID: "acme", Name: "Acme"}
	must(e.t, e.store.CreateCustomer(ctx, c))
	ada := &oriel.User{VendorID: vendorID, CustomerID: c.ID, ExternalID: "ada", Role: oriel.RoleViewer}
	must(e.t, e.store.CreateUser(ctx, ada))
	bob := &oriel.User{VendorID: vendorID, CustomerID: c.ID, ExternalID: "bob", Role: oriel.RoleAdmin}
	must(e.t, e.store.CreateUser(ctx, bob))
	return c, ada, bob
}

// grant is a token request for entity.
func grant(entity map[string]any) map[string]any {
	return map[string]any{"grant_type": "client_credentials", "bound_entity": entity}
}

// issue asks for a token with the env's key and returns it, failing unless it is issued.
func (e *tokenEnv) issue(entity map[string]any) string {
	e.t.Helper()
	var got accessTokenResponse
	e.do("POST", issuePath, grant(entity)).want(200).into(&got)
	return got.AccessToken
}

// from sends a token endpoint request from a client address.
func (e *tokenEnv) from(addr, secret, path string, body any) *result {
	e.t.Helper()
	data, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", path, strings.NewReader(string(data)))
	req.RemoteAddr = addr
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return &result{t: e.t, req: "POST " + path + " from " + addr, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// oauth checks that r is an RFC 6749 error with status and code, not to be
// cached, and returns its description.
func (r *result) oauth(status int, code string) string {
	r.t.Helper()
	r.want(status)
	var body map[string]string
	r.into(&body)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		r.t.Fatalf("%s: Content-Type %q, want application/json", r.req, ct)
	}
	if keys := slices.Sorted(maps.Keys(body)); !slices.Equal(keys, []string{"error", "error_description"}) || body["error"] != code || body["error_description"] == "" {
		r.t.Fatalf("%s: body %s, want error %s with a description", r.req, r.body, code)
	}
	r.noStore()
	return body["error_description"]
}

// noStore checks the caching headers RFC 6749 §5.1 requires.
func (r *result) noStore() {
	r.t.Helper()
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
		r.t.Fatalf("%s: Cache-Control %q, Pragma %q; want no-store, no-cache", r.req, r.header.Get("Cache-Control"), r.header.Get("Pragma"))
	}
}

// E01, E19: a token for a customer or a user, by any kind of id.
func TestIssueAccessToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s)
		for _, tc := range []struct {
			name   string
			entity map[string]any
			want   boundTo
			user   string
			role   oriel.Role
		}{
			{"customer by id", map[string]any{"type": "customer", "id": e.acme.ID}, boundTo{"customer", e.acme.ID, e.acme.ID}, "", oriel.RoleAdmin},
			{"customer by external id", map[string]any{"type": "customer", "id": "Eacme"}, boundTo{"customer", e.acme.ID, e.acme.ID}, "", oriel.RoleAdmin},
			{"user by id alone", map[string]any{"type": "user", "id": e.ada.ID}, boundTo{"user", e.ada.ID, e.acme.ID}, e.ada.ID, oriel.RoleViewer},
			{"user by external ids", map[string]any{"type": "user", "id": "Ebob", "customer": "Eacme"}, boundTo{"user", e.bob.ID, e.acme.ID}, e.bob.ID, oriel.RoleAdmin},
			{"user by ids", map[string]any{"type": "user", "id": e.ada.ID, "customer": e.acme.ID}, boundTo{"user", e.ada.ID, e.acme.ID}, e.ada.ID, oriel.RoleViewer},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("POST", issuePath, grant(tc.entity)).want(200)
				r.noStore()
				obj := r.object()
				matchSchema(t, "AccessToken", obj)
				if _, ok := obj["refresh_token"]; ok {
					t.Error("a refresh token was issued")
				}
				var got accessTokenResponse
				r.into(&got)
				if got.TokenType != "Bearer" || got.ExpiresIn != 900 || got.BoundEntity != tc.want || !strings.HasPrefix(got.AccessToken, "oat_") {
					t.Fatalf("response %+v, want a Bearer oat_ token for 900 s bound to %+v", got, tc.want)
				}
				c, _, err := e.srv.accessToken(context.Background(), got.AccessToken)
				must(t, err)
				if c.VendorID != e.vendor.ID || c.CustomerID != e.acme.ID || c.UserID != tc.user || c.Role != tc.role || c.Origin != "" ||
					c.ExpiresAt-c.IssuedAt != got.ExpiresIn || c.IssuedAt != e.clock.Now().Unix() {
					t.Fatalf("claims %+v, want customer %s, user %q, role %s, 900 s from now", c, e.acme.ID, tc.user, tc.role)
				}
			})
		}
	})
}

func TestAccessTokenTTL(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t), func(c *Config) { c.AccessTokenTTL = 5 * time.Minute })
	var got accessTokenResponse
	e.do("POST", issuePath, grant(map[string]any{"type": "customer", "id": "Eacme"})).want(200).into(&got)
	if got.ExpiresIn != 300 {
		t.Fatalf("expires_in = %d, want 300", got.ExpiresIn)
	}
	for configured, want := range map[time.Duration]time.Duration{
		0: 15 * time.Minute, time.Second: time.Minute, 2 * time.Hour: time.Hour, 90*time.Second + time.Millisecond: 90 * time.Second,
	} {
		if got := newAccessTokens(nil, configured, nil).ttl; got != want {
			t.Errorf("AccessTokenTTL %v: lifetime %v, want %v", configured, got, want)
		}
	}
}

// E02–E04, E06, E16, E05 (two credentials): client authentication.
func TestAccessTokenClientAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s)
		body := grant(map[string]any{"type": "customer", "id": "Eacme"})
		wantChallenge := func(r *result) {
			t.Helper()
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="oriel"` {
				t.Fatalf("%s: WWW-Authenticate %q", r.req, got)
			}
		}
		for _, path := range []string{issuePath, revokePath} {
			r := e.doAs("", "POST", path, body)
			r.oauth(401, "invalid_client")
			wantChallenge(r)
			r = e.doAs("", "POST", path, body, "Authorization", "Basic "+e.secret)
			r.oauth(401, "invalid_client")
			wantChallenge(r)
		}

		// A wrong key and a revoked one are indistinguishable.
		revoked, k, err := apikey.Create(context.Background(), s, e.vendor.ID, "old")
		must(t, err)
		must(t, s.RevokeAPIKey(context.Background(), e.vendor.ID, k.ID))
		wrong := "sk_" + strings.Repeat("a", len(e.secret)-3)
		a, b := e.doAs(wrong, "POST", issuePath, body), e.doAs(revoked, "POST", issuePath, body)
		a.oauth(401, "invalid_client")
		b.oauth(401, "invalid_client")
		a.header.Del("X-Request-Id")
		b.header.Del("X-Request-Id")
		if string(a.body) != string(b.body) || !maps.EqualFunc(a.header, b.header, slices.Equal) {
			t.Fatalf("wrong key %s %v and revoked key %s %v answer differently", a.body, a.header, b.body, b.header)
		}

		e.do("POST", issuePath, body, "Authorization", "Bearer "+e.secret).oauth(400, "invalid_request") // two credentials

		// Rotation: both keys work, then only the new one.
		fresh, _, err := apikey.Create(context.Background(), s, e.vendor.ID, "new")
		must(t, err)
		e.doAs(fresh, "POST", issuePath, body).want(200)
		e.do("POST", issuePath, body).want(200)
		must(t, s.RevokeAPIKey(context.Background(), e.vendor.ID, e.key.ID))
		e.do("POST", issuePath, body).oauth(401, "invalid_client")
		e.doAs(fresh, "POST", issuePath, body).want(200)
	})
}

// E05, E07–E10, E12–E14 and malformed bodies: invalid_request and
// unsupported_grant_type, before any entity is looked up.
func TestAccessTokenRequestErrors(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t))
	acme := `"bound_entity":{"type":"customer","id":"Eacme"}`
	for body, code := range map[string]string{
		``:     "invalid_request",
		`[]`:   "invalid_request",
		`null`: "invalid_request",
		`{`:    "invalid_request",
		`grant_type=client_credentials&resource=urn:entity:customer:Eacme`: "invalid_request", // E14: a form body
		`{` + acme + `}`:                                                                                                 "invalid_request", // E07
		`{"grant_type":"",` + acme + `}`:                                                                                 "invalid_request",
		`{"grant_type":42,` + acme + `}`:                                                                                 "invalid_request",
		`{"grant_type":"password",` + acme + `}`:                                                                         "unsupported_grant_type", // E08
		`{"grant_type":"authorization_code",` + acme + `}`:                                                               "unsupported_grant_type",
		`{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer",` + acme + `}`:                                      "unsupported_grant_type",
		`{"grant_type":"CLIENT_CREDENTIALS",` + acme + `}`:                                                               "unsupported_grant_type",
		`{"grant_type":"refresh_token",` + acme + `}`:                                                                    "unsupported_grant_type",
		`{"grant_type":"client_credentials","grant_type":"client_credentials",` + acme + `}`:                             "invalid_request", // E09
		`{"grant_type":"password","grant_type":"client_credentials",` + acme + `}`:                                       "invalid_request",
		`{"grant_type":"client_credentials","GRANT_TYPE":"password",` + acme + `}`:                                       "invalid_request",
		`{"grant_type":"client_credentials",` + acme + `,` + acme + `}`:                                                  "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"a","id":"b"}}`:                       "invalid_request",
		`{"grant_type":"client_credentials"}`:                                                                            "invalid_request", // E10
		`{"grant_type":"client_credentials","bound_entity":null}`:                                                        "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":"Eacme"}`:                                                     "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":["customer","Eacme"]}`:                                        "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{}}`:                                                          "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"id":"Eacme"}}`:                                              "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"staff","id":"Eacme"}}`:                               "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer"}}`:                                         "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":""}}`:                                 "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":42}}`:                                 "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"E\nacme"}}`:                          "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"` + strings.Repeat("x", 257) + `"}}`: "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"Eacme","customer":"Eacme"}}`:         "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"employer","id":"Eacme","customer":"Eacme"}}`:         "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"employee","id":"","customer":"Eacme"}}`:              "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"user","id":"Eada","customer":"E\u0000"}}`:            "invalid_request",
		`{"grant_type":"client_credentials","bound_entity":{"type":"customer","id":"Eacme","role":"admin"}}`:             "invalid_request",
		`{"grant_type":"client_credentials",` + acme + `,"scope":"admin"}`:                                               "invalid_request", // E12: no scopes
		`{"grant_type":"client_credentials",` + acme + `,"client_secret":"x"}`:                                           "invalid_request", // E05
		`{"grant_type":"client_credentials",` + acme + `} {}`:                                                            "invalid_request",
		`{"grant_type":"client_credentials",` + acme + `,"padding":"` + strings.Repeat("a", maxBodyBytes) + `"}`:         "invalid_request",
	} {
		r := e.do("POST", issuePath, body)
		r.req += " " + truncate(body, 100)
		if desc := r.oauth(400, code); strings.Contains(desc, e.secret) {
			t.Fatalf("%s: the description quotes the API key", r.req)
		}
	}
	// E14: a body declared as a form (or anything but JSON) is refused with
	// 415, in OAuth's shape, before it is read.
	for _, path := range []string{issuePath, revokePath} {
		for _, contentType := range []string{"application/x-www-form-urlencoded", "text/plain", ""} {
			r := e.do("POST", path, `grant_type=client_credentials&resource=urn:entity:customer:Eacme`, "Content-Type", contentType)
			r.req += " as " + contentType
			r.oauth(415, "invalid_request")
		}
	}
	// E13: other methods.
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		for _, path := range []string{issuePath, revokePath} {
			if r := e.do(method, path, nil); r.status != 405 || r.header.Get("Allow") != "POST" {
				t.Errorf("%s %s: status %d, Allow %q; want 405 and POST", method, path, r.status, r.header.Get("Allow"))
			}
		}
	}
	for _, body := range []string{`{}`, `{"token":""}`, `{"token":42}`, `{"token":"x","token":"y"}`, `{"token":"x","extra":1}`} {
		e.do("POST", revokePath, body).oauth(400, "invalid_request")
	}
}

// E11: an entity that does not exist and one of another vendor answer the same.
func TestAccessTokenInvalidTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s)
		other := &oriel.Customer{VendorID: e.vendor.ID, ExternalID: "globex", Name: "Globex"}
		must(t, s.CreateCustomer(context.Background(), other))
		var first *result
		for name, entity := range map[string]map[string]any{
			"unknown customer":                 {"type": "customer", "id": "cus_nope"},
			"unknown external customer":        {"type": "customer", "id": "Enope"},
			"another vendor's customer":        {"type": "customer", "id": e.otherAcme.ID},
			"a user id as a customer":          {"type": "customer", "id": e.ada.ID},
			"unknown user":                     {"type": "user", "id": "usr_nope"},
			"another vendor's user":            {"type": "user", "id": e.otherAda.ID},
			"another vendor's user, customer":  {"type": "user", "id": e.otherAda.ID, "customer": e.otherAcme.ID},
			"a user of another customer":       {"type": "user", "id": "Eada", "customer": "Eglobex"},
			"a user id of another customer":    {"type": "user", "id": e.ada.ID, "customer": other.ID},
			"a user by external id, no prefix": {"type": "user", "id": "ada", "customer": "Eacme"},
			"a customer id as a user":          {"type": "user", "id": e.acme.ID},
		} {
			r := e.do("POST", issuePath, grant(entity))
			r.req += " (" + name + ")"
			r.oauth(400, "invalid_target")
			if first == nil {
				first = r
			} else if string(r.body) != string(first.body) {
				t.Errorf("%s: body %s differs from %s", r.req, r.body, first.body)
			}
		}
	})
}

// E18: neither the API key nor a token reaches the logs or an error body.
func TestAccessTokensNotLogged(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t))
	raw := e.issue(map[string]any{"type": "user", "id": "Eada", "customer": "Eacme"})
	e.do("POST", revokePath, map[string]any{"token": raw}).want(200)
	bodies := string(e.doAs(raw, "POST", issuePath, grant(map[string]any{"type": "customer", "id": "Eacme"})).body) +
		string(e.do("POST", issuePath, `{"grant_type":"`+raw+`"}`).body) +
		string(e.do("POST", revokePath, map[string]any{"token": raw, "surprise": raw}).body)
	for _, secret := range []string{e.secret, raw, raw[len(raw)-20:]} {
		if strings.Contains(e.logs.String(), secret) || strings.Contains(bodies, secret) {
			t.Fatalf("a secret was logged or echoed: logs %s; bodies %s", e.logs, bodies)
		}
	}
	if !strings.Contains(e.logs.String(), `"code":"invalid_client"`) || !strings.Contains(e.logs.String(), `"route":"`+issuePath+`"`) {
		t.Fatalf("the failures are not logged with their codes: %s", e.logs)
	}
}

// E20: tokens are distinct, and so are their ids.
func TestAccessTokensDistinct(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t), func(c *Config) { c.TokenRate = PerMinute(2000) })
	tokens, ids := map[string]bool{}, map[string]bool{}
	for range 1000 {
		raw := e.issue(map[string]any{"type": "customer", "id": "Eacme"})
		c, _, err := e.srv.accessToken(context.Background(), raw)
		must(t, err)
		tokens[raw], ids[c.ID] = true, true
	}
	if len(tokens) != 1000 || len(ids) != 1000 {
		t.Fatalf("%d distinct tokens and %d distinct ids of 1000", len(tokens), len(ids))
	}
}

// F06, F09: what the widget API's check refuses.
func TestAccessTokenCheck(t *testing.T) {
	e := newTokenEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	raw := e.issue(map[string]any{"type": "customer", "id": "Eacme"})
	session, err := e.srv.tokens.minter.Issue(token.Session, &token.Claims{VendorID: e.vendor.ID, CustomerID: e.acme.ID, Role: oriel.RoleAdmin}, time.Hour)
	must(t, err)
	elsewhere := newTokenEnv(t, storetest.SQLite(t)) // another deployment: another keyring
	foreign := elsewhere.issue(map[string]any{"type": "customer", "id": "Eacme"})
	jwt := linkKey(t).Token(t, e.vendor.ID+":Eacme", e.clock.Now())

	flip := func(i int) string {
		b := []byte(raw)
		b[i] ^= 0x01
		return string(b)
	}
	for name, bad := range map[string]string{
		"empty":                   "",
		"prefix only":             "oat_",
		"flipped byte, start":     flip(len("oat_") + 1),
		"flipped byte, middle":    flip(len(raw) / 2),
		"flipped byte, end":       flip(len(raw) - 1),
		"truncated":               raw[:len(raw)-4],
		"a session token":         session,
		"an access token as ors_": "ors_" + strings.TrimPrefix(raw, "oat_"),
		"a session as oat_":       "oat_" + strings.TrimPrefix(session, "ors_"),
		"a direct-link JWT":       jwt,
		"Bearer-prefixed":         "Bearer " + raw,
		"another deployment's":    foreign,
		"too long":                raw + strings.Repeat("A", token.MaxLen),
	} {
		if _, _, err := e.srv.accessToken(ctx, bad); oriel.ErrorCode(err) != "token_invalid" || oriel.ErrorKind(err) != oriel.EUNAUTHORIZED {
			t.Errorf("%s: error %v, want 401 token_invalid", name, err)
		}
	}
	if _, _, err := e.srv.accessToken(ctx, raw); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(15*time.Minute - time.Second)
	if _, _, err := e.srv.accessToken(ctx, raw); err != nil {
		t.Fatalf("a token refused before its expiry: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, _, err := e.srv.accessToken(ctx, raw); oriel.ErrorCode(err) != "token_expired" {
		t.Fatalf("expired token: error %v, want token_expired", err)
	}

	keyless := newTokenEnv(t, storetest.SQLite(t), func(c *Config) { c.Keys = nil })
	if _, _, err := keyless.srv.accessToken(ctx, raw); oriel.ErrorCode(err) != "temporarily_unavailable" {
		t.Fatalf("without keys: error %v", err)
	}
	keyless.do("POST", issuePath, grant(map[string]any{"type": "customer", "id": "Eacme"})).oauth(503, "temporarily_unavailable")
	keyless.do("POST", revokePath, map[string]any{"token": raw}).oauth(503, "temporarily_unavailable")
}

// RFC 7009 and F14: a revoked token stops working; anything else is left alone.
func TestRevokeAccessToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s)
		ctx := context.Background()
		customer := map[string]any{"type": "customer", "id": "Eacme"}
		raw, kept := e.issue(customer), e.issue(customer)
		session, err := e.srv.tokens.minter.Issue(token.Session, &token.Claims{VendorID: e.vendor.ID, CustomerID: e.acme.ID}, time.Hour)
		must(t, err)

		// Another vendor's key cannot revoke it, and is not told so.
		e.doAs(e.otherSecret, "POST", revokePath, map[string]any{"token": raw}).want(200)
		if _, _, err := e.srv.accessToken(ctx, raw); err != nil {
			t.Fatalf("another vendor revoked the token: %v", err)
		}
		for _, token := range []string{"garbage", "oat_x", session, raw + "x"} {
			r := e.do("POST", revokePath, map[string]any{"token": token, "token_type_hint": "access_token"}).want(200)
			r.noStore()
			if len(r.body) != 0 {
				t.Fatalf("revoke answered a body: %s", r.body)
			}
		}
		if revoked, err := s.TokenRevoked(ctx, mustClaims(t, e.srv, session).ID); err != nil || revoked {
			t.Fatalf("a session token was revoked through the access token endpoint (%v)", err)
		}

		e.do("POST", revokePath, map[string]any{"token": raw}).want(200)
		e.do("POST", revokePath, map[string]any{"token": raw}).want(200) // twice is fine
		if _, _, err := e.srv.accessToken(ctx, raw); oriel.ErrorCode(err) != codeTokenRevoked || oriel.ErrorKind(err) != oriel.EUNAUTHORIZED {
			t.Fatalf("revoked token: error %v, want 401 token_revoked", err)
		}
		if _, _, err := e.srv.accessToken(ctx, kept); err != nil {
			t.Fatalf("revoking one token revoked another: %v", err)
		}
		e.clock.Advance(time.Hour)
		e.do("POST", revokePath, map[string]any{"token": kept}).want(200) // expired: nothing to do
	})
}

// mustClaims opens a session token's claims.
func mustClaims(t *testing.T, s *Server, session string) *token.Claims {
	t.Helper()
	c, err := s.tokens.minter.Check(token.Session, session)
	must(t, err)
	return c
}

// A revocation on one replica holds on another at once: the revocation
// list is in the shared database, and nothing is cached.
func TestRevocationAcrossReplicas(t *testing.T) {
	url := storetest.PostgresURL(t)
	open := func() *store.SQL {
		s, err := store.Open(context.Background(), url, nil)
		must(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	keys := withKeys(t) // every replica has the same keyring
	a := newTokenEnv(t, open(), keys)
	cfg := Config{Store: open(), Now: a.clock.Now}
	keys(&cfg)
	b := &env{t: t, srv: New(cfg), secret: a.secret}
	ctx := context.Background()

	viaB, viaA := a.issue(map[string]any{"type": "customer", "id": "Eacme"}), a.issue(map[string]any{"type": "user", "id": a.ada.ID})
	for _, raw := range []string{viaA, viaB} {
		if _, _, err := b.srv.accessToken(ctx, raw); err != nil {
			t.Fatalf("replica B refuses replica A's token: %v", err)
		}
	}
	b.do("POST", revokePath, map[string]any{"token": viaB}).want(200)
	if _, _, err := a.srv.accessToken(ctx, viaB); oriel.ErrorCode(err) != codeTokenRevoked {
		t.Fatalf("replica A after a revocation on B: error %v, want token_revoked", err)
	}
	a.do("POST", revokePath, map[string]any{"token": viaA}).want(200)
	if _, _, err := b.srv.accessToken(ctx, viaA); oriel.ErrorCode(err) != codeTokenRevoked {
		t.Fatalf("replica B after a revocation on A: error %v, want token_revoked", err)
	}
}

// K01, K02: failed authentications are limited per address, before the
// key is looked at; other addresses are unaffected.
func TestAccessTokenAuthFailureLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s)
		body := grant(map[string]any{"type": "customer", "id": "Eacme"})
		const attacker, victim = "198.51.100.7:4000", "203.0.113.9:5000"
		for range authFailuresPerMinute {
			e.from(attacker, "sk_wrong", issuePath, body).oauth(401, "invalid_client")
		}
		for _, secret := range []string{"sk_wrong", e.secret} { // locked out, even with the right key
			r := e.from(attacker, secret, issuePath, body)
			r.oauth(429, "rate_limited")
			if got := r.header.Get("Retry-After"); got != "6" {
				t.Fatalf("Retry-After = %q, want 6 (one attempt every 6 s at 10 a minute)", got)
			}
		}
		e.from(attacker, e.secret, revokePath, map[string]any{"token": "x"}).oauth(429, "rate_limited")
		e.from(victim, e.secret, issuePath, body).want(200)
		e.from(victim, e.otherSecret, revokePath, map[string]any{"token": "x"}).want(200)
		e.from("[2001:db8:1:2::1]:443", e.secret, issuePath, body).want(200)

		e.clock.Advance(6 * time.Second)
		e.from(attacker, e.secret, issuePath, body).want(200) // successes cost nothing
		e.from(attacker, e.secret, issuePath, body).want(200)
		e.from(attacker, "sk_wrong", issuePath, body).oauth(401, "invalid_client")
		e.from(attacker, e.secret, issuePath, body).oauth(429, "rate_limited")
	})
}

// K03: issuance counts against the API key's token-endpoint limit, which
// is apart from its limit on the rest of the API: a key that used up one
// still has the other.
func TestAccessTokenIssuanceRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		e := newTokenEnv(t, s, func(c *Config) { c.TokenRate = PerMinute(3); c.APIRate = PerMinute(2) })
		body := grant(map[string]any{"type": "customer", "id": "Eacme"})
		for range 3 {
			e.do("POST", issuePath, body).want(200)
		}
		r := e.do("POST", issuePath, body)
		r.oauth(429, "rate_limited")
		if got := r.header.Get("Retry-After"); got != "20" {
			t.Fatalf("Retry-After = %q, want 20", got)
		}
		e.doAs(e.otherSecret, "POST", issuePath, body).want(200) // another vendor's key has its own budget (and its own acme)
		e.do("GET", "/v1/vendor", nil).want(200)                 // the rest of the API has its own limit
		e.do("GET", "/v1/vendor", nil).want(200)
		e.do("GET", "/v1/vendor", nil).problem(429, "rate_limited")
		e.clock.Advance(20 * time.Second)
		e.do("POST", issuePath, body).want(200)
	})
}

// An internal failure answers server_error with the request id, and logs
// the cause.
func TestAccessTokenServerError(t *testing.T) {
	s := storetest.SQLite(t)
	e := newTokenEnv(t, s)
	must(t, s.Close())
	r := e.do("POST", issuePath, grant(map[string]any{"type": "customer", "id": "Eacme"}))
	if desc := r.oauth(500, "server_error"); !strings.Contains(desc, r.header.Get("X-Request-Id")) {
		t.Fatalf("description %q does not quote the request id", desc)
	}
	if !strings.Contains(e.logs.String(), `"msg":"request failed"`) {
		t.Fatalf("the cause is not logged: %s", e.logs)
	}
}

func TestLimiterWait(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(PerMinute(10))
	if l.wait("k", start) != 0 || len(l.buckets) != 0 {
		t.Fatal("wait on an unknown key: not 0, or the key is now tracked")
	}
	for range 10 {
		l.take("k", start)
	}
	if got := l.wait("k", start); got != 6*time.Second {
		t.Fatalf("wait = %v, want 6s", got)
	}
	if got := l.wait("k", start.Add(6*time.Second)); got != 0 {
		t.Fatalf("wait after a refill = %v, want 0", got)
	}
}

// K05: a flood of distinct keys, none idle, keeps the limiter bounded.
func TestLimiterStaysBounded(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLimiter(PerMinute(10))
	for i := range 3 * maxTracked {
		l.take("addr"+strconv.Itoa(i), start)
	}
	if len(l.buckets) > maxTracked {
		t.Fatalf("%d buckets kept; want at most %d", len(l.buckets), maxTracked)
	}
}
