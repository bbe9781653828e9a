// Package auth turns a vendor-signed direct-link token into a widget session,
// and checks that session on later requests. It speaks to the store only; no
// HTTP (the server renders what it returns).
//
// Opening a direct link runs, stopping at the first failure:
//
//	linktoken.Parse          shape, header policy, claim types          (400 / 401)
//	Verify                   the key must belong to the vendor in sub   (401)
//	customer (and user)      with the vendor's origins                  (401 customer_not_found)
//	origin (embedded only)   claim against the allowed origins,         (403)
//	                         and against the referring page, if known
//	   ── from here on the parent origin is known ──
//	CheckTime                iat, exp, nbf                              (401)
//	user                     read with the customer                     (401 user_not_found)
//	Link.Target              what the link opens, for the session       (403, 404 …)
//	Link.Connection          the connection the link opens must be the  (404 connection_not_found)
//	                         customer's
//	RecordJTI                the one write: single use                  (401 jti_replayed)
//	session token            token.Session, SessionTTL
//
// Everything the checks need is read in one query (store.ReadParty): the
// vendor's signing keys by kid and fingerprint, the customer with its
// vendor's origins and appearance, the user, and whether the connection is
// the customer's. Parsed public keys are cached by fingerprint, the SHA-256
// of the key itself, so a cached key is always the very key a row names,
// on every replica; nothing else is cached, so a deleted key, customer,
// user or connection, or a changed origin, holds from the next request on.
// When that query finds no row (no such customer or user), the parts are
// read one by one, in the order of the checks, to tell which is missing.
//
// The parent origin is "known" only once the signature verifies with a key
// of the vendor named in sub and the origin resolves against that vendor's
// (or customer's) allowed origins. Only then may a page be framed by it or
// post a message to it; a Rejection says whether that point was reached.
// Checking time after the origin lets a stale, replayed or otherwise refused
// but authentic link tell its parent page (with an error message) to ask for
// a new one. A White-label SSO link opens at the top level, framed by no one:
// it has no parent origin, and its origin claim is not used.
//
// Inspect runs the same checks, in the same code, without the write: it
// answers "why is this link refused?" and never uses a token up.
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

// Link says how a direct link is opened.
type Link struct {
	// Embedded links are framed by a verified parent origin; White-label
	// SSO links open at the top level, framed by no one.
	Embedded bool
	// Referrer is, for an embedded link, the origin of the page that
	// requested it (from the Referer header of the iframe's navigation), or
	// "" when unknown; when given it must be the parent origin, since a page
	// framed by any other would not be shown anyway (origin_mismatch).
	Referrer string
	// Target, when set, checks what the link opens for the session the
	// token names (such as the binding its page needs); Connection, when
	// set, is the connection the link opens (the id in its URL), which must
	// be one of the customer's, else the link is refused with
	// connection_not_found. Both run after every check of the token and
	// before the jti is spent, so a link to the wrong thing does not use up
	// its token; their refusal comes with the parent origin known.
	Target     func(ctx context.Context, s *Session) error
	Connection string
}

// The checks of opening a link, in the order they run (see the package
// documentation). An Inspection reports them by these names.
const (
	CheckToken     = "token"      // shape, header policy, claim types
	CheckSignature = "signature"  // a signing key of the vendor in sub verifies it
	CheckCustomer  = "customer"   // sub names a customer of the vendor
	CheckOrigin    = "origin"     // embedded only: the parent origin is allowed
	CheckTime      = "time"       // iat, exp, nbf
	CheckUser      = "user"       // sub names a user of the customer, if any
	CheckTarget    = "target"     // Link.Target and Link.Connection, if any
	CheckSingleUse = "single_use" // the jti was not used before
)

// OpenEmbedded opens a link for a page in an iframe, with no target: see Open.
func (d *DirectLinks) OpenEmbedded(ctx context.Context, raw, referrer string) (*Session, error) {
	return d.Open(ctx, raw, Link{Embedded: true, Referrer: referrer})
}

// OpenSSO opens a White-label SSO link, at the top level, with no target:
// see Open.
func (d *DirectLinks) OpenSSO(ctx context.Context, raw string) (*Session, error) {
	return d.Open(ctx, raw, Link{})
}

// Open verifies the token raw, resolves the parent origin of an embedded
// link, checks l.Target and l.Connection, consumes the jti and returns a new session. Every
// failure is a *Rejection.
func (d *DirectLinks) Open(ctx context.Context, raw string, l Link) (*Session, error) {
	return d.open(ctx, raw, l, nil)
}

// open runs the checks in order and stops at the first failure. With an
// Inspection it records each check in it, and instead of spending the jti
// only reads whether it was spent: it then returns no session.
func (d *DirectLinks) open(ctx context.Context, raw string, l Link, in *Inspection) (*Session, error) {
	tok, err := linktoken.Parse(raw)
	if err := in.record(CheckToken, err); err != nil {
		return nil, reject(err, nil, "")
	}
	q := store.PartyQuery{VendorID: tok.VendorID(), CustomerRef: tok.CustomerRef(), UserRef: tok.UserRef(), ConnectionID: l.Connection}
	party := d.readAll(ctx, tok, q, in)
	if err := in.record(CheckSignature, d.verify(ctx, tok, in, party)); err != nil {
		return nil, reject(err, tok, "")
	}
	// The customer, its vendor's origins and the user, when readAll could
	// not read them. A missing user is reported in its turn, below, once the
	// parent origin is known.
	var partyErr, userErr error
	if party == nil {
		party, partyErr = d.Store.ReadParty(ctx, q)
		if oriel.ErrorCode(partyErr) == CodeUserNotFound {
			userErr = partyErr
			q.UserRef = ""
			party, partyErr = d.Store.ReadParty(ctx, q)
		}
	}
	if err := in.record(CheckCustomer, notFoundAs(partyErr, errCustomerNotFound)); err != nil {
		return nil, reject(err, tok, "")
	}
	parent := ""
	if l.Embedded {
		parent, err = parentOrigin(tok.Origin(), party)
		if err == nil && l.Referrer != "" && !sameOrigin(l.Referrer, parent) {
			return nil, reject(in.record(CheckOrigin, errOriginMismatch), tok, parent)
		}
		if err := in.record(CheckOrigin, err); err != nil {
			return nil, reject(err, tok, "")
		}
	}

	// An embedded link's parent origin is known: every rejection below carries it.
	if err := in.record(CheckTime, tok.CheckTime(d.now(), d.MaxAge, d.Skew)); err != nil {
		return nil, reject(err, tok, parent)
	}
	s := &Session{VendorID: tok.VendorID(), Customer: party.Customer, User: party.User, Role: oriel.RoleAdmin, Origin: parent, Appearance: party.Appearance}
	if err := in.record(CheckUser, notFoundAs(userErr, errUserNotFound)); err != nil {
		return nil, reject(err, tok, parent)
	}
	if s.User != nil {
		s.Role = s.User.Role
	}
	if l.Target != nil || l.Connection != "" {
		if err := in.record(CheckTarget, l.check(ctx, s, party)); err != nil {
			return nil, reject(err, tok, parent)
		}
	}
	if in != nil {
		return nil, in.singleUse(ctx, d.Store, tok, parent)
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

// readAll reads, in one query, everything opening tok needs: the vendor's
// signing keys and the party q names. It returns nil when that query finds
// no row (the customer or the user is missing) or fails, or when in is an
// inspection by another vendor, which may read nothing of tok's vendor:
// then the checks read what they need one by one.
func (d *DirectLinks) readAll(ctx context.Context, tok *linktoken.Token, q store.PartyQuery, in *Inspection) *store.Party {
	if in.allows(tok) != nil {
		return nil
	}
	q.SigningKeys = true
	p, err := d.Store.ReadParty(ctx, q)
	if err != nil {
		return nil
	}
	return p
}

// verify checks tok's signature with the signing keys of the vendor in its
// sub (noting them in a non-nil in): those read with party when it is not
// nil and every one of them was parsed before, else read again whole.
func (d *DirectLinks) verify(ctx context.Context, tok *linktoken.Token, in *Inspection, party *store.Party) error {
	if err := in.allows(tok); err != nil {
		return err
	}
	var candidates []linktoken.Key
	known := false
	if party != nil {
		candidates, known = d.keys.known(party.SigningKeys)
	}
	if !known {
		var err error
		if candidates, err = d.vendorKeys(ctx, tok.VendorID()); err != nil {
			return err
		}
	}
	key, err := tok.Verify(candidates)
	in.noteKeys(candidates, key, err)
	return err
}

// check runs l.Target for s, then checks that party's customer owns
// l.Connection.
func (l Link) check(ctx context.Context, s *Session, party *store.Party) error {
	if l.Target != nil {
		if err := l.Target(ctx, s); err != nil {
			return err
		}
	}
	if l.Connection != "" && !party.OwnsConnection {
		return errConnectionNotFound
	}
	return nil
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
