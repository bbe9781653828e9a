package auth_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// errWrongThing is a Target's refusal in these tests.
var errWrongThing = oriel.Errorf(oriel.ENOTFOUND, "connection_not_found", "no such connection")

// Inspect answers what Open would, check by check, and spends nothing: for
// every refused link its first failed check is Open's refusal, and a link
// inspected first still opens.
func TestInspectAgreesWithOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		acme, now := sub(w.v1, "Eacme"), w.clock.Now()
		wrongTarget := func(context.Context, *auth.Session) error { return errWrongThing }
		used := w.sign(w.kA, claims{sub: acme})
		w.mustOpen(used)
		cases := []struct {
			name  string
			raw   string
			link  auth.Link
			check string // the failed check, "" when the link opens
			code  string
		}{
			{"valid", w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")}), auth.Link{Embedded: true}, "", ""},
			{"valid SSO", w.sign(w.kB, claims{sub: sub(w.v2, "Einitech")}), auth.Link{}, "", ""},
			{"malformed", "not-a-token", auth.Link{Embedded: true}, auth.CheckToken, linktoken.CodeMalformed},
			{"unknown kid", w.sign(w.kA.WithKID("nope"), claims{sub: acme}), auth.Link{Embedded: true}, auth.CheckSignature, linktoken.CodeUnknownKey},
			{"forged", w.sign(w.kB.WithKID(w.kA.KID), claims{sub: acme}), auth.Link{Embedded: true}, auth.CheckSignature, linktoken.CodeSignatureInvalid},
			{"unknown customer", w.sign(w.kA, claims{sub: sub(w.v1, "Enope")}), auth.Link{Embedded: true}, auth.CheckCustomer, auth.CodeCustomerNotFound},
			{"no allowed origin", w.sign(w.kB, claims{sub: sub(w.v2, "Einitech")}), auth.Link{Embedded: true}, auth.CheckOrigin, auth.CodeNoAllowedOrigin},
			{"origin not allowed", w.sign(w.kA, claims{sub: acme, origin: "https://evil.test"}), auth.Link{Embedded: true}, auth.CheckOrigin, auth.CodeOriginNotAllowed},
			{"origin mismatch", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Referrer: "https://evil.test"}, auth.CheckOrigin, auth.CodeOriginMismatch},
			{"too old", w.sign(w.kA, claims{sub: acme, iat: now.Add(-time.Hour)}), auth.Link{Embedded: true}, auth.CheckTime, linktoken.CodeTooOld},
			{"unknown user", w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Enobody")}), auth.Link{Embedded: true}, auth.CheckUser, auth.CodeUserNotFound},
			{"wrong target", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Target: wrongTarget}, auth.CheckTarget, "connection_not_found"},
			{"right connection", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Connection: w.conn1.ID}, "", ""},
			{"another customer's connection", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Connection: w.conn2.ID}, auth.CheckTarget, auth.CodeConnectionNotFound},
			{"another vendor's connection", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Connection: w.conn3.ID}, auth.CheckTarget, auth.CodeConnectionNotFound},
			{"no such connection", w.sign(w.kA, claims{sub: acme}), auth.Link{Embedded: true, Connection: "conn_nope"}, auth.CheckTarget, auth.CodeConnectionNotFound},
			{"used", used, auth.Link{Embedded: true}, auth.CheckSingleUse, auth.CodeJTIReplayed},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := w.links.Inspect(ctx, "", tc.raw, tc.link)
				in2 := w.links.Inspect(ctx, "", tc.raw, tc.link)
				if len(in2.Checks) != len(in.Checks) || (in.Refusal == nil) != (in2.Refusal == nil) {
					t.Fatalf("inspecting twice differs: %+v, then %+v", in.Checks, in2.Checks)
				}
				failed := ""
				for i, c := range in.Checks {
					switch {
					case failed != "" && c.Result != auth.ResultNotRun:
						t.Fatalf("check %d %s after the failed %s: %s", i, c.Name, failed, c.Result)
					case c.Result == auth.ResultFail:
						failed = c.Name
						if c.Code != tc.code || c.Message == "" {
							t.Fatalf("failed %s with %s %q, want %s", c.Name, c.Code, c.Message, tc.code)
						}
					}
				}
				if last := in.Checks[len(in.Checks)-1]; last.Name != auth.CheckSingleUse {
					t.Fatalf("last check %s, want single_use: %+v", last.Name, in.Checks)
				}
				if failed != tc.check {
					t.Fatalf("failed check %q, want %q: %+v", failed, tc.check, in.Checks)
				}
				_, err := w.links.Open(ctx, tc.raw, tc.link)
				if tc.code == "" {
					if err != nil || in.Refusal != nil {
						t.Fatalf("inspected %v, opened %v; want both accepted", in.Refusal, err)
					}
					return
				}
				r := refused(t, err, in.Refusal.Err.Kind, tc.code, in.Refusal.Origin)
				if r.Err.Message != in.Refusal.Err.Message {
					t.Fatalf("open says %q, inspect %q", r.Err.Message, in.Refusal.Err.Message)
				}
			})
		}
	})
}

// Inspect decodes the token and names the key that verified it, or why none
// did, and refuses to look into another vendor's token.
func TestInspectKeysAndClaims(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	in := w.links.Inspect(ctx, w.v1.ID, w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), jti: "j-inspect"}), auth.Link{Embedded: true})
	if in.Refusal != nil || in.MatchedKey == nil || in.MatchedKey.KID != "k1" || in.MatchedKey.Fingerprint != w.kA.Fingerprint || len(in.Keys) != 1 {
		t.Fatalf("inspection %+v, want accepted with key k1", in)
	}
	var c struct{ Sub, JTI string }
	if err := json.Unmarshal(in.Claims, &c); err != nil || c.JTI != "j-inspect" || c.Sub != sub(w.v1, "Eacme") {
		t.Fatalf("claims %s (%v)", in.Claims, err)
	}
	var h struct{ Alg, Kid string }
	if err := json.Unmarshal(in.Header, &h); err != nil || h.Alg != "RS256" || h.Kid != "k1" {
		t.Fatalf("header %s (%v)", in.Header, err)
	}

	in = w.links.Inspect(ctx, w.v1.ID, w.sign(w.kA.WithKID("nope"), claims{sub: sub(w.v1, "Eacme")}), auth.Link{Embedded: true})
	if in.MatchedKey != nil || in.KeyError == "" || len(in.Keys) != 1 {
		t.Fatalf("inspection %+v, want no key and a reason", in)
	}

	in = w.links.Inspect(ctx, w.v1.ID, w.sign(w.kB, claims{sub: sub(w.v2, "Einitech")}), auth.Link{})
	if in.Refusal == nil || in.Refusal.Err.Code != auth.CodeLinkOtherVendor || len(in.Keys) != 0 {
		t.Fatalf("another vendor's token: %+v", in)
	}
}

// A link whose target is refused (a connection of another customer) does not
// use up its token: the vendor fixes the link and the same token opens it
// (issue 9, order of checks).
func TestOpenTargetBeforeSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")})
		var saw *auth.Session
		_, err := w.links.Open(ctx, raw, auth.Link{Embedded: true, Target: func(_ context.Context, s *auth.Session) error {
			saw = s
			return errWrongThing
		}})
		r := refused(t, err, oriel.ENOTFOUND, "connection_not_found", "https://app.v1.test")
		if r.VendorID != w.v1.ID || saw == nil || saw.Customer.ID != w.c1.ID || saw.User == nil || saw.User.ID != w.admin.ID {
			t.Fatalf("target saw %+v, rejection %+v", saw, r)
		}
		sess, err := w.links.Open(ctx, raw, auth.Link{Embedded: true, Target: func(context.Context, *auth.Session) error { return nil }})
		must(t, err)
		if sess.Customer.ID != w.c1.ID {
			t.Fatalf("session %+v", sess)
		}
	})
}

// A link whose connection is refused (a connection of another customer)
// does not use up its token: the vendor fixes the link and the same token
// opens it (issue 9, order of checks).
func TestOpenConnectionBeforeSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")})
		_, err := w.links.Open(ctx, raw, auth.Link{Embedded: true, Connection: w.conn2.ID})
		r := refused(t, err, oriel.ENOTFOUND, auth.CodeConnectionNotFound, "https://app.v1.test")
		if r.VendorID != w.v1.ID {
			t.Fatalf("rejection %+v", r)
		}
		sess, err := w.links.Open(ctx, raw, auth.Link{Embedded: true, Connection: w.conn1.ID})
		must(t, err)
		if sess.Customer.ID != w.c1.ID || sess.User == nil || sess.User.ID != w.admin.ID {
			t.Fatalf("session %+v", sess)
		}
	})
}
