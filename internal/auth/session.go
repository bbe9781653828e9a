package auth

import (
	"context"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

var errSessionRevoked = oriel.Errorf(oriel.EUNAUTHORIZED, CodeSessionRevoked, "this session was ended; open a new direct link")

// Session authenticates a session token that Open issued: it must be intact,
// unexpired and not revoked, and its customer and user must still exist. The
// role is read again, so a user whose role changed gets the new one. Every
// failure is a *Rejection without an origin: a page that fails here is
// framed by no one and posts nothing.
func (d *DirectLinks) Session(ctx context.Context, raw string) (*Session, error) {
	c, err := d.Minter.Check(token.Session, raw)
	if err != nil {
		return nil, reject(err, nil, "")
	}
	fail := func(err error) (*Session, error) {
		r := reject(err, nil, "")
		r.VendorID = c.VendorID
		return nil, r
	}
	// One read: the customer and user with the token's revocation. When
	// the customer or user is missing, a revoked session still says so.
	p, err := d.Store.ReadParty(ctx, store.PartyQuery{VendorID: c.VendorID, CustomerRef: c.CustomerID, UserRef: c.UserID, TokenID: c.ID})
	if err != nil {
		switch revoked, rerr := d.Store.TokenRevoked(ctx, c.ID); {
		case rerr != nil:
			return fail(rerr)
		case revoked:
			return fail(errSessionRevoked)
		}
	}
	switch {
	case oriel.ErrorCode(err) == CodeUserNotFound:
		return fail(notFoundAs(err, errUserNotFound))
	case err != nil:
		return fail(notFoundAs(err, errCustomerNotFound))
	case p.TokenRevoked:
		return fail(errSessionRevoked)
	}
	s := &Session{Token: raw, ID: c.ID, ExpiresAt: c.Expiry(), VendorID: c.VendorID, Customer: p.Customer, User: p.User, Role: oriel.RoleAdmin, Origin: c.Origin, Appearance: p.Appearance}
	if s.User != nil {
		s.Role = s.User.Role
	}
	return s, nil
}
