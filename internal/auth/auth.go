// Package auth turns a vendor-signed direct-link token into a widget session,
// and checks that session on later requests. It speaks to the store only; no
// HTTP (the server renders what it returns).
//
// Opening a direct link runs, stopping at the first failure:
//
//	linktoken.Parse          shape, header policy, claim types          (400 / 401)
//	vendor's signing keys    one read; parsed keys come from a cache
//	Verify                   the key must belong to the vendor in sub   (401)
//	customer (and user)      one read, with the vendor's origins        (401 customer_not_found)
//	origin (embedded only)   claim against the allowed origins,         (403)
//	                         and against the referring page, if known
//	   ── from here on the parent origin is known ──
//	CheckTime                iat, exp, nbf                              (401)
//	user                     read above, scoped to the customer         (401 user_not_found)
//	RecordJTI                the one write: single use                  (401 jti_replayed)
//	session token            token.Session, SessionTTL
//
// The parent origin is "known" only once the signature verifies with a key
// of the vendor named in sub and the origin resolves against that vendor's
// (or customer's) allowed origins. Only then may a page be framed by it or
// post a message to it; a Rejection says whether that point was reached.
// Checking time after the origin lets a stale, replayed or otherwise refused
// but authentic link tell its parent page (with an error message) to ask for
// a new one. A White-label SSO link opens at the top level, framed by no one:
// it has no parent origin, and its origin claim is not used.
package auth

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

// DefaultSessionTTL is how long a widget session lasts when
// DirectLinks.SessionTTL is zero.
const DefaultSessionTTL = 30 * time.Minute

// DirectLinks opens direct links. Set the exported fields, then use it from
// any number of goroutines; do not copy it after first use.
type DirectLinks struct {
	Store  store.Store
	Minter *token.Minter
	// MaxAge and Skew bound a token's iat; zero selects linktoken's defaults.
	MaxAge, Skew time.Duration
	// SessionTTL is the lifetime of the session a link opens; zero selects
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// Now is the clock; nil selects time.Now.
	Now func() time.Time

	keys keyCache
}

// Session is a signed-in widget session: whom it speaks for and the one
// origin that may frame its pages.
type Session struct {
	// Token is the opaque session token the page holds in memory (or the SSO
	// cookie holds); it never appears in logs.
	Token     string
	ID        string // the token id, the handle for revocation
	ExpiresAt time.Time
	VendorID  string
	Customer  *oriel.Customer
	User      *oriel.User // nil for a customer-level session
	// Role is the user's role; a customer-level session acts as admin.
	Role oriel.Role
	// Origin is the verified parent origin of an embedded session: the
	// pages' CSP frame-ancestors and the only targetOrigin of their
	// messages. It is "" for an SSO session, which is never framed.
	Origin string
	// Appearance is the vendor's widget styling, read with the customer
	// (nil when the vendor set none).
	Appearance *oriel.Appearance
}

// OpenEmbedded opens a link for a page in an iframe: it verifies the token,
// resolves the parent origin, consumes the jti and returns a new session.
// referrer is the origin of the page that requested the link (from the
// Referer header of the iframe's navigation) or "" when unknown; when given
// it must be the parent origin, since a page framed by any other would not
// be shown anyway (origin_mismatch). Every failure is a *Rejection.
func (d *DirectLinks) OpenEmbedded(ctx context.Context, raw, referrer string) (*Session, error) {
	return d.open(ctx, raw, true, referrer)
}

// OpenSSO opens a White-label SSO link, at the top level: as OpenEmbedded,
// without a parent origin. Every failure is a *Rejection.
func (d *DirectLinks) OpenSSO(ctx context.Context, raw string) (*Session, error) {
	return d.open(ctx, raw, false, "")
}

func (d *DirectLinks) open(ctx context.Context, raw string, embedded bool, referrer string) (*Session, error) {
	tok, err := linktoken.Parse(raw)
	if err != nil {
		return nil, reject(err, nil, "")
	}
	candidates, err := d.vendorKeys(ctx, tok.VendorID())
	if err != nil {
		return nil, reject(err, tok, "")
	}
	if _, err := tok.Verify(candidates); err != nil {
		return nil, reject(err, tok, "")
	}
	// One read: the customer, its vendor's origins and the user. A missing
	// user is reported in its turn, below, once the parent origin is known.
	party, err := d.Store.Party(ctx, tok.VendorID(), tok.CustomerRef(), tok.UserRef())
	var userErr error
	if oriel.ErrorCode(err) == CodeUserNotFound {
		userErr = err
		party, err = d.Store.Party(ctx, tok.VendorID(), tok.CustomerRef(), "")
	}
	if err != nil {
		return nil, reject(notFoundAs(err, errCustomerNotFound), tok, "")
	}
	parent := ""
	if embedded {
		if parent, err = parentOrigin(tok.Origin(), party); err != nil {
			return nil, reject(err, tok, "")
		}
		if referrer != "" && !sameOrigin(referrer, parent) {
			return nil, reject(errOriginMismatch, tok, parent)
		}
	}

	// An embedded link's parent origin is known: every rejection below carries it.
	if err := tok.CheckTime(d.now(), d.MaxAge, d.Skew); err != nil {
		return nil, reject(err, tok, parent)
	}
	if userErr != nil {
		return nil, reject(notFoundAs(userErr, errUserNotFound), tok, parent)
	}
	s := &Session{VendorID: tok.VendorID(), Customer: party.Customer, User: party.User, Role: oriel.RoleAdmin, Origin: parent, Appearance: party.Appearance}
	if s.User != nil {
		s.Role = s.User.Role
	}
	expires := tok.IssuedAt().Add(linktoken.ReplayWindow(d.MaxAge, d.Skew))
	if err := d.Store.RecordJTI(ctx, tok.VendorID(), tok.JTI(), expires); err != nil {
		return nil, reject(err, tok, parent)
	}
	if err := d.issue(s); err != nil {
		return nil, reject(err, tok, parent)
	}
	return s, nil
}

// issue mints s's session token.
func (d *DirectLinks) issue(s *Session) error {
	c := &token.Claims{VendorID: s.VendorID, CustomerID: s.Customer.ID, Role: s.Role, Origin: s.Origin}
	if s.User != nil {
		c.UserID = s.User.ID
	}
	ttl := d.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	raw, err := d.Minter.Issue(token.Session, c, ttl)
	if err != nil {
		return err
	}
	s.Token, s.ID, s.ExpiresAt = raw, c.ID, c.Expiry()
	return nil
}

func (d *DirectLinks) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}
