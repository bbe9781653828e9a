package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
	"github.com/orielhq/oriel/internal/token"
)

// A session token works until it expires, is revoked, or its subject goes.
func TestSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		ctx := context.Background()
		open := func(user string) *auth.Session {
			t.Helper()
			return w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, "Eacme", user)}))
		}

		t.Run("the role is read again", func(t *testing.T) {
			sess := open("Evic")
			role := oriel.RoleMember
			_, err := s.UpdateUser(ctx, w.v1.ID, w.c1.ID, w.viewer.ID, oriel.UserUpdate{Role: &role})
			must(t, err)
			got, err := w.links.Session(ctx, sess.Token)
			must(t, err)
			if got.Role != oriel.RoleMember || got.User.ID != w.viewer.ID {
				t.Fatalf("session %+v, want the viewer now a member", got)
			}
		})
		t.Run("expired", func(t *testing.T) {
			sess := open("Ealice")
			w.clock.Advance(auth.DefaultSessionTTL)
			_, err := w.links.Session(ctx, sess.Token)
			refused(t, err, oriel.EUNAUTHORIZED, "token_expired", "")
		})
		t.Run("revoked", func(t *testing.T) {
			sess := open("Ealice")
			must(t, s.RevokeToken(ctx, sess.ID, sess.ExpiresAt))
			_, err := w.links.Session(ctx, sess.Token)
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeSessionRevoked, "")
		})
		t.Run("user deleted", func(t *testing.T) {
			u := w.user(w.c1, "leaver", oriel.RoleMember)
			sess := open("Eleaver")
			must(t, s.DeleteUser(ctx, w.v1.ID, w.c1.ID, u.ID))
			_, err := w.links.Session(ctx, sess.Token)
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeUserNotFound, "")
		})
		t.Run("customer deleted", func(t *testing.T) {
			c := w.customer(w.v1, "gone")
			sess := w.mustOpen(w.sign(w.kA, claims{sub: sub(w.v1, c.ID)}))
			must(t, s.DeleteCustomer(ctx, w.v1.ID, c.ID))
			_, err := w.links.Session(ctx, sess.Token)
			refused(t, err, oriel.EUNAUTHORIZED, auth.CodeCustomerNotFound, "")
		})
		t.Run("altered, foreign or of another kind", func(t *testing.T) {
			sess := open("Ealice")
			access, err := w.links.Minter.Issue(token.Access, &token.Claims{VendorID: w.v1.ID, CustomerID: w.c1.ID, Role: oriel.RoleAdmin}, time.Minute)
			must(t, err)
			foreign, err := token.NewMinter(testKeyring(t), w.clock.Now).Issue(token.Session, &token.Claims{VendorID: w.v1.ID, CustomerID: w.c1.ID, Role: oriel.RoleAdmin}, time.Minute)
			must(t, err)
			altered := sess.Token[:len(sess.Token)-2] + "AA"
			if altered == sess.Token {
				altered = sess.Token[:len(sess.Token)-2] + "BB"
			}
			for name, raw := range map[string]string{"altered": altered, "access token": access, "other keyring": foreign, "empty": "", "garbage": "ors_x"} {
				t.Run(name, func(t *testing.T) {
					_, err := w.links.Session(ctx, raw)
					refused(t, err, oriel.EUNAUTHORIZED, "token_invalid", "")
				})
			}
		})
	})
}
