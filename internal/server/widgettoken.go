package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/auth"
	"github.com/orielhq/oriel/internal/origin"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
	"github.com/orielhq/oriel/web"
)

// The widget API in SDK mode (docs/protocol.md). A widget page at
// /widgets/… loads with no credential; the browser SDK hands it a bound
// access token by postMessage, and the page sends it as
// "Authorization: Bearer oat_…" together with its parent_origin in
// X-Oriel-Parent-Origin. The token says whose data the request may see; the
// header says which page frames the widget, and must be one of the allowed
// origins of the token's customer (or, when it has none, of its vendor):
// a token leaked to another site is of no use in a widget that site frames.
// The request then acts as a session of that customer with the token's role
// (a customer-bound token is an admin), so the widget API's handlers and
// its row-level checks are the same for both kinds of credential.

// codeWidgetUnknown answers GET /widget-api/viewer?widget= naming no kind.
const codeWidgetUnknown = "widget_unknown"

// parentOriginHeader carries an SDK-mode widget page's parent_origin.
const parentOriginHeader = "X-Oriel-Parent-Origin"

// accessTokenPrefix starts every bound access token (token.Access).
const accessTokenPrefix = "oat_"

var (
	errParentOriginNotAllowed = oriel.Errorf(oriel.EFORBIDDEN, auth.CodeOriginNotAllowed,
		"X-Oriel-Parent-Origin must be exactly one origin (scheme://host[:port]) among the allowed origins of the token's customer "+
			"(or, when the customer has none, of the vendor); add it with PATCH /v1/customers/{customer} or PATCH /v1/vendor {\"allowed_origins\": [...]}")
	// errEntityGone answers a token whose customer was deleted since it
	// was issued, as a token that is no longer valid.
	errEntityGone = oriel.Errorf(oriel.EUNAUTHORIZED, "token_invalid", "the token's customer no longer exists")
	// errUserGone is the same for a token whose user was deleted.
	errUserGone = oriel.Errorf(oriel.EUNAUTHORIZED, "token_invalid", "the token's user no longer exists")
)

// accessSession authenticates a widget API request that presents the bound
// access token raw: the token must pass accessToken and the request's
// parent origin must be one the token's customer allows. It returns the
// session the handlers see; its Origin is that parent origin, its role the
// user's at issue time, at most the token's lifetime ago.
func (s *Server) accessSession(r *http.Request, raw string) (*auth.Session, error) {
	c, party, err := s.accessToken(r.Context(), raw)
	if err != nil {
		return nil, err
	}
	parent, ok := parentOriginOf(r)
	if !ok || !slices.Contains(auth.AllowedOrigins(party), parent) {
		return nil, errParentOriginNotAllowed
	}
	return &auth.Session{ID: c.ID, ExpiresAt: c.Expiry(), VendorID: c.VendorID, Customer: party.Customer, User: party.User, Role: c.Role, Origin: parent, Appearance: party.Appearance}, nil
}

// accessToken authenticates a bound access token ("oat_…") for the widget
// API: it must be intact, of the access kind, unexpired and not revoked,
// and its customer (and user) must still exist. It returns the claims and
// the party they name (whom the request acts for as stored now, as a
// direct-link session does), read with the token's revocation in one
// query. Failures are EUNAUTHORIZED token_invalid (which a session token or
// a direct-link JWT presented here gets too, and a token whose customer or
// user was deleted), token_expired or token_revoked, to be answered with
// WWW-Authenticate: Bearer error="invalid_token".
func (s *Server) accessToken(ctx context.Context, raw string) (*token.Claims, *store.Party, error) {
	if s.tokens.minter == nil {
		return nil, nil, errTokensUnavailable
	}
	c, err := s.tokens.minter.Check(token.Access, raw)
	if err != nil {
		return nil, nil, err
	}
	party, err := s.store.ReadParty(ctx, store.PartyQuery{VendorID: c.VendorID, CustomerRef: c.CustomerID, UserRef: c.UserID, TokenID: c.ID})
	revoked := err == nil && party.TokenRevoked
	if err != nil {
		// A revoked token says so, whether or not its customer or user is gone.
		var rerr error
		if revoked, rerr = s.store.TokenRevoked(ctx, c.ID); rerr != nil {
			return nil, nil, rerr
		}
	}
	switch {
	case revoked:
		return nil, nil, errTokenRevoked
	case oriel.ErrorCode(err) == "user_not_found":
		return nil, nil, errUserGone
	case oriel.ErrorKind(err) == oriel.ENOTFOUND:
		return nil, nil, errEntityGone
	case err != nil:
		return nil, nil, err
	}
	return c, party, nil
}

// parentOriginOf returns r's X-Oriel-Parent-Origin when it is given exactly
// once and is already a normalised origin, as the widget pages send it.
func parentOriginOf(r *http.Request) (string, bool) {
	values := r.Header.Values(parentOriginHeader)
	if len(values) != 1 {
		return "", false
	}
	o, err := origin.Normalize(values[0])
	return o, err == nil && o == values[0]
}

// isAccessToken reports whether a bearer credential is a bound access token
// rather than a widget session.
func isAccessToken(raw string) bool {
	return strings.HasPrefix(raw, accessTokenPrefix)
}

// widgetViewer is the answer of GET /widget-api/viewer: what a widget page
// needs to know about whoever it serves before it shows anything.
type widgetViewer struct {
	Role      oriel.Role `json:"role"`
	CanManage bool       `json:"can_manage"`
	// Appearance is the vendor's, checked; an SDK-mode page applies it
	// under the host page's own override.
	Appearance *oriel.Appearance `json:"appearance"`
}

// widgetViewerOf answers GET /widget-api/viewer[?widget=kind]. A widget
// page names its kind, so that a credential it cannot use (a customer-level
// one on a user-bound widget) is refused before the page shows anything.
func (s *Server) widgetViewerOf(w http.ResponseWriter, r *http.Request) error {
	sess := sessionOf(r)
	if name := r.URL.Query().Get("widget"); name != "" {
		k, ok := s.widgetKindNamed(name)
		if !ok {
			return oriel.Errorf(oriel.EINVALID, codeWidgetUnknown, "widget names no kind of widget; see docs/protocol.md")
		}
		if !bound(k.binding, sess) {
			return errUserBindingRequired
		}
	}
	a := sess.Appearance // read with the session
	if a == nil || web.CheckAppearance(a) != nil {
		a = &defaultAppearance
	}
	return reply(w, http.StatusOK, widgetViewer{Role: sess.Role, CanManage: sess.Role != oriel.RoleViewer, Appearance: a})
}
