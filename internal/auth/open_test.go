package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
	"github.com/orielhq/oriel/internal/token"
)

// A valid link opens a session for its subject, with the subject's role
// (catalogue A01, C04).
func TestOpenSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		cases := []struct {
			name string
			sub  string
			user *oriel.User
			role oriel.Role
		}{
			{"external ids", sub(w.v1, "Eacme", "Ealice"), w.admin, oriel.RoleAdmin},
			{"Oriel ids", sub(w.v1, w.c1.ID, w.admin.ID), w.admin, oriel.RoleAdmin},
			{"viewer", sub(w.v1, "Eacme", "Evic"), w.viewer, oriel.RoleViewer},
			{"viewer by Oriel id", sub(w.v1, "Eacme", w.viewer.ID), w.viewer, oriel.RoleViewer},
			{"customer-level session acts as admin (C04)", sub(w.v1, "Eacme"), nil, oriel.RoleAdmin},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sess := w.mustOpen(w.sign(w.kA, claims{sub: tc.sub}))
				if sess.VendorID != w.v1.ID || sess.Customer.ID != w.c1.ID || sess.Role != tc.role || sess.Origin != "https://app.v1.test" {
					t.Fatalf("session %+v, want vendor %s customer %s role %s", sess, w.v1.ID, w.c1.ID, tc.role)
				}
				if (sess.User == nil) != (tc.user == nil) || tc.user != nil && sess.User.ID != tc.user.ID {
					t.Fatalf("session user %+v, want %+v", sess.User, tc.user)
				}
				if !strings.HasPrefix(sess.Token, "ors_") || sess.ID == "" || !sess.ExpiresAt.Equal(w.clock.Now().Add(auth.DefaultSessionTTL)) {
					t.Fatalf("session token %q id %q expires %v", sess.Token, sess.ID, sess.ExpiresAt)
				}
				back, err := w.links.Session(context.Background(), sess.Token)
				must(t, err)
				if back.ID != sess.ID || back.Customer.ID != w.c1.ID || back.Role != tc.role || back.Origin != sess.Origin || (back.User == nil) != (tc.user == nil) {
					t.Fatalf("Session() = %+v, want the opened session %+v", back, sess)
				}
			})
		}
	})
}

// The subject must exist, and the user must belong to the customer.
func TestOpenSubjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		t.Run("unknown customer", func(t *testing.T) {
			_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, "Enope")}))
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeCustomerNotFound, "")
		})
		t.Run("another vendor's customer", func(t *testing.T) {
			_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, w.c3.ID)}))
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeCustomerNotFound, "")
		})
		t.Run("user of another customer", func(t *testing.T) {
			for _, ref := range []string{"Eolga", w.other.ID} {
				_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", ref)}))
				refused(t, err, oriel.EUNAUTHORIZED, auth.CodeUserNotFound, "https://app.v1.test")
			}
		})
		t.Run("unknown user", func(t *testing.T) {
			_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Enobody")}))
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeUserNotFound, "https://app.v1.test")
		})
		t.Run("a refused subject does not use up the jti", func(t *testing.T) {
			jti := "retry-after-create"
			_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Enewbie"), jti: jti}))
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeUserNotFound, "https://app.v1.test")
			w.user(w.c1, "newbie", oriel.RoleMember)
			sess := w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Enewbie"), jti: jti}))
			if sess.Role != oriel.RoleMember {
				t.Fatalf("role %s, want member", sess.Role)
			}
		})
	})
}

// Each jti opens one link per vendor, on every replica, and the replay
// window outlives every token that could still pass its time checks
// (catalogue C11, C12, C13, C15, C16, J11).
func TestOpenReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		t.Run("same token twice (C11)", func(t *testing.T) {
			raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme")})
			w.mustOpen(raw)
			_, err := w.open(raw)
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeJTIReplayed, "https://app.v1.test")
		})
		t.Run("same jti, other vendor (C12)", func(t *testing.T) {
			w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), jti: "shared-jti"}))
			_, err := w.store.UpdateVendor(ctx, w.v2.ID, oriel.VendorUpdate{AllowedOrigins: &[]string{"https://app.v2.test"}})
			must(t, err)
			w.mustOpen(w.sign(w.kB, claims{sub: sub(w.v2, "Einitech"), jti: "shared-jti"}))
		})
		t.Run("same jti, other claims (C13)", func(t *testing.T) {
			w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), jti: "resigned"}))
			_, err := w.open(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice"), jti: "resigned", iat: w.clock.Now().Add(-time.Second)}))
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeJTIReplayed, "https://app.v1.test")
		})
		t.Run("replay after the jti was pruned (C16, J11)", func(t *testing.T) {
			iat := w.clock.Now()
			raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), iat: iat})
			w.mustOpen(raw)
			window := linktoken.ReplayWindow(0, 0)
			// Pruning at the last moment a token of this iat could pass keeps the row.
			if n, err := w.store.PruneExpired(ctx, iat.Add(linktoken.DefaultMaxAge+linktoken.DefaultSkew)); err != nil || n != 0 {
				t.Fatalf("prune before the window ended removed %d rows (%v)", n, err)
			}
			w.clock.Advance(window + time.Second)
			if _, err := w.store.PruneExpired(ctx, w.clock.Now()); err != nil {
				t.Fatal(err)
			}
			_, err := w.open(raw)
			refused(t, err, oriel.EUNAUTHORIZED, linktoken.CodeTooOld, "https://app.v1.test")
		})
	})
}

// 50 concurrent uses of one fresh token: exactly one opens (catalogue C15).
func TestOpenConcurrentReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")})
		const n = 50
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = w.open(raw)
			})
		}
		close(start)
		wg.Wait()
		opened := 0
		for _, err := range errs {
			if err == nil {
				opened++
				continue
			}
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeJTIReplayed, "https://app.v1.test")
		}
		if opened != 1 {
			t.Fatalf("%d of %d concurrent uses opened a session, want exactly 1", opened, n)
		}
	})
}

// The key that verifies must be one of the vendor in sub's current keys
// (catalogue B10, B12, B13, B14, C26).
func TestOpenKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		acme := sub(w.v1, "Eacme")
		cases := []struct {
			name string
			raw  string
			code string
		}{
			{"unknown kid (B10)", w.sign(w.kA.WithKID("nope"), claims{sub: acme}), linktoken.CodeUnknownKey},
			{"other vendor's key, its own kid (B12)", w.sign(w.kB, claims{sub: acme}), linktoken.CodeUnknownKey},
			{"other vendor's key, no kid (B12)", w.sign(w.kB.WithKID(""), claims{sub: acme}), linktoken.CodeSignatureInvalid},
			{"other vendor's key under our kid (B13)", w.sign(w.kB.WithKID(w.kA.KID), claims{sub: acme}), linktoken.CodeSignatureInvalid},
			{"our key under the other vendor's kid (B13)", w.sign(w.kA.WithKID(w.kB.KID), claims{sub: acme}), linktoken.CodeUnknownKey},
			{"unknown vendor (C26)", w.sign(w.kA, claims{sub: "vnd_nope:Eacme"}), linktoken.CodeUnknownKey},
			{"algorithm of no registered key", w.sign(w.kEC, claims{sub: acme}), linktoken.CodeUnknownKey},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.open(tc.raw)
				refused(t, err, oriel.EUNAUTHORIZED, tc.code, "")
			})
		}

		t.Run("rotation: two active keys, then the old one deleted (B14)", func(t *testing.T) {
			rowC := w.register(w.v1, w.kC)
			for _, k := range []*struct {
				name string
				raw  string
			}{
				{"old key with kid", w.sign(w.kA, claims{sub: acme})},
				{"new key with kid", w.sign(w.kC, claims{sub: acme})},
				{"old key without kid", w.sign(w.kA.WithKID(""), claims{sub: acme})},
				{"new key without kid", w.sign(w.kC.WithKID(""), claims{sub: acme})},
			} {
				if _, err := w.open(k.raw); err != nil {
					t.Fatalf("%s during the overlap: %v", k.name, err)
				}
			}
			keysOfV1, _, err := w.store.ListSigningKeys(ctx, w.v1.ID, oriel.Page{})
			must(t, err)
			for _, row := range keysOfV1 {
				if row.ID != rowC.ID {
					must(t, w.store.DeleteSigningKey(ctx, w.v1.ID, row.ID))
				}
			}
			_, err = w.open(w.sign(w.kA, claims{sub: acme}))
			refused(t, err, oriel.EUNAUTHORIZED, linktoken.CodeUnknownKey, "")
			_, err = w.open(w.sign(w.kA.WithKID(""), claims{sub: acme}))
			refused(t, err, oriel.EUNAUTHORIZED, linktoken.CodeSignatureInvalid, "")
			w.mustOpen(w.sign(w.kC, claims{sub: acme}))
		})
	})
}

// Time is checked after the signature and the origin, so a stale but
// authentic link can still tell its parent page; a forged one cannot.
func TestOpenTimeAndOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		acme := sub(w.v1, "Eacme")
		now := w.clock.Now()
		cases := []struct {
			name, raw, code, parent string
		}{
			{"too old", w.sign(w.kA, claims{sub: acme, iat: now.Add(-linktoken.DefaultMaxAge - time.Second)}), linktoken.CodeTooOld, "https://app.v1.test"},
			{"in the future", w.sign(w.kA, claims{sub: acme, iat: now.Add(linktoken.DefaultSkew + time.Second)}), linktoken.CodeIATInFuture, "https://app.v1.test"},
			{"too old and forged (C09)", w.sign(w.kB.WithKID(w.kA.KID), claims{sub: acme, iat: now.Add(-time.Hour)}), linktoken.CodeSignatureInvalid, ""},
			{"too old, unknown customer", w.sign(w.kA, claims{sub: sub(w.v1, "Enope"), iat: now.Add(-time.Hour)}), auth.CodeCustomerNotFound, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.open(tc.raw)
				refused(t, err, oriel.EUNAUTHORIZED, tc.code, tc.parent)
			})
		}
		t.Run("malformed", func(t *testing.T) {
			_, err := w.open("not-a-token")
			r := refused(t, err, oriel.EINVALID, linktoken.CodeMalformed, "")
			if r.VendorID != "" || r.JTIHash != "" {
				t.Fatalf("a token that did not parse has facts: %+v", r)
			}
		})
	})
}

// With the database down nothing is accepted, and the answer is 503
// (catalogue C17, J13).
func TestOpenDatabaseDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		sess := w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")}))
		raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", "Ealice")})
		must(t, s.Close())
		_, err := w.open(raw)
		r := refused(t, err, oriel.EUNAVAILABLE, auth.CodeUnavailable, "")
		if r.Cause == nil {
			t.Fatal("the 503 does not carry its cause for the logs")
		}
		_, err = w.links.Session(context.Background(), sess.Token)
		refused(t, err, oriel.EUNAVAILABLE, auth.CodeUnavailable, "")
	})
}

// A rejection's log fields identify the token without revealing it.
func TestRejectionLogAttrs(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	jti := "jti-ZQ-secret"
	raw := w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), jti: jti})
	w.mustOpen(raw)
	_, err := w.open(raw)
	r := refused(t, err, oriel.EUNAUTHORIZED, auth.CodeJTIReplayed, "https://app.v1.test")
	got := map[string]string{}
	for _, a := range r.LogAttrs() {
		got[a.Key] = a.Value.String()
	}
	want := map[string]string{"code": auth.CodeJTIReplayed, "vendor_id": w.v1.ID, "kid": "k1", "jti_sha256": auth.HashJTI(jti)}
	if len(got) != len(want) {
		t.Fatalf("log attrs %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("log attrs %v, want %v", got, want)
		}
	}
	for _, v := range got {
		if strings.Contains(v, jti) || strings.Contains(v, "eyJ") || strings.Contains(v, raw) {
			t.Fatalf("log attrs %v reveal the token or its jti", got)
		}
	}
	if len(auth.HashJTI(jti)) != 16 {
		t.Fatalf("HashJTI = %q, want 16 hex digits", auth.HashJTI(jti))
	}
}

// The session token is a token.Session: another kind does not pass.
func TestOpenIssuesSessionKind(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	sess := w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme")}))
	if _, err := w.links.Minter.Check(token.Access, sess.Token); err == nil {
		t.Fatal("a session token passed as an access token")
	}
}

// An SSO link is not framed: it needs no allowed origin and ignores the
// origin claim, but every other check holds.
func TestOpenSSO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		for name, raw := range map[string]string{
			"vendor without origins":            w.sign(w.kB, claims{sub: sub(w.v2, "Einitech")}),
			"several origins, no claim":         w.sign(w.kA, claims{sub: sub(w.v1, "Eglobex", "Eolga")}),
			"origin claim of no allowed origin": w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), origin: "https://elsewhere.test"}),
		} {
			t.Run(name, func(t *testing.T) {
				sess, err := w.links.OpenSSO(ctx, raw)
				must(t, err)
				if sess.Origin != "" {
					t.Fatalf("SSO session has origin %q", sess.Origin)
				}
				back, err := w.links.Session(ctx, sess.Token)
				must(t, err)
				if back.Origin != "" || back.ID != sess.ID {
					t.Fatalf("Session() = %+v", back)
				}
				_, err = w.links.OpenSSO(ctx, raw)
				refused(t, err, oriel.EUNAUTHORIZED, auth.CodeJTIReplayed, "")
			})
		}
		_, err := w.links.OpenSSO(ctx, w.sign(w.kA, claims{sub: sub(w.v1, "Eacme"), iat: w.clock.Now().Add(-time.Hour)}))
		refused(t, err, oriel.EUNAUTHORIZED, linktoken.CodeTooOld, "")
	})
}
