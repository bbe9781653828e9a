package server

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/token"
)

// Bound access tokens. A vendor's backend trades its API key for a
// short-lived token bound to one of its customers or users
// (POST /v1/auth/access-tokens) and hands it to the browser SDK, which passes
// it to the widgets; the widget API accepts it (accessToken) for that
// entity's data only. A token is its claims sealed with the server's keyring
// (package token): issuing one reads the entity once and writes nothing, and
// checking one (widgettoken.go) opens it and looks its id up in the
// revocation list, in the same query that reads its customer and user, so a
// revocation (POST /v1/auth/access-tokens/revoke) holds on every replica
// from the next request on. Tokens are never stored.

// Bounds of Config.AccessTokenTTL.
const (
	DefaultAccessTokenTTL = 15 * time.Minute
	MinAccessTokenTTL     = time.Minute
	MaxAccessTokenTTL     = time.Hour
)

// The grant and the entity types the token endpoint takes.
const (
	grantClientCredentials = "client_credentials"
	entityCustomer         = "customer"
	entityUser             = "user"
	// entityEmployer and entityEmployee are the benefits words for the
	// same entities: an employer is a customer, an employee a user.
	entityEmployer = "employer"
	entityEmployee = "employee"
)

// codeTokenRevoked is the widget API's answer to a revoked access token.
const codeTokenRevoked = "token_revoked"

var (
	errTokensUnavailable = oriel.Errorf(oriel.EUNAVAILABLE, codeTemporarilyUnavailable, "the server has no encryption keys, so it cannot issue or check access tokens")
	errTokenRevoked      = oriel.Errorf(oriel.EUNAUTHORIZED, codeTokenRevoked, "this access token was revoked; fetch a new one")
	// errInvalidTarget is the same for an entity that does not exist and
	// one of another vendor, so that neither can be told from the other.
	errInvalidTarget = oriel.Errorf(oriel.EINVALID, codeInvalidTarget, "bound_entity names no customer or user of yours")
)

// accessTokens is the server's state for bound access tokens.
type accessTokens struct {
	minter   *token.Minter // nil without Config.Keys
	ttl      time.Duration // whole seconds
	failures *limiter      // failed client authentications per address (oauthclient.go)
}

// newAccessTokens returns the state for a server with keys (which may be
// nil) and the configured lifetime ttl (0 for the default).
func newAccessTokens(keys *seal.Keyring, ttl time.Duration, now func() time.Time) *accessTokens {
	t := &accessTokens{ttl: DefaultAccessTokenTTL, failures: newLimiter(PerMinute(authFailuresPerMinute))}
	if ttl != 0 {
		t.ttl = min(max(ttl, MinAccessTokenTTL), MaxAccessTokenTTL).Truncate(time.Second)
	}
	if keys != nil {
		t.minter = token.NewMinter(keys, now)
	}
	return t
}

// accessTokenRequest is the body of POST /v1/auth/access-tokens.
type accessTokenRequest struct {
	GrantType   string       `json:"grant_type"`
	BoundEntity *boundEntity `json:"bound_entity"`
}

func (in *accessTokenRequest) validate() error {
	switch in.GrantType {
	case grantClientCredentials:
	case "":
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, `grant_type is required: send "client_credentials"`)
	default:
		return oriel.Errorf(oriel.EINVALID, codeUnsupportedGrantType, `the only grant_type is "client_credentials"`)
	}
	if in.BoundEntity == nil {
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, `bound_entity is required: {"type": "customer" or "user", "id": …}`)
	}
	return in.BoundEntity.validate()
}

// boundEntity names whom a token speaks for: a customer by Oriel id or
// "E" + external id; or a user by Oriel id alone, or by either kind of id
// together with its customer's. An external id is unique per customer only,
// so a user named by external id alone must be the vendor's only user with
// that external id. "employer" and "employee" are accepted for "customer"
// and "user".
type boundEntity struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Customer string `json:"customer"`
}

func (b *boundEntity) validate() error {
	switch b.Type {
	case entityEmployer:
		b.Type = entityCustomer
	case entityEmployee:
		b.Type = entityUser
	}
	switch b.Type {
	case entityCustomer:
		if b.Customer != "" {
			return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, "bound_entity.customer is for a user only; a customer is named by bound_entity.id")
		}
	case entityUser:
	default:
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, `bound_entity.type must be "customer" (or "employer") or "user" (or "employee")`)
	}
	if err := checkRef("bound_entity.id", b.ID); err != nil {
		return err
	}
	if b.Customer != "" {
		return checkRef("bound_entity.customer", b.Customer)
	}
	return nil
}

// checkRef accepts an Oriel id or "E" + an external id: 1–256 characters
// without control characters.
func checkRef(field, ref string) error {
	if ref == "" || utf8.RuneCountInString(ref) > len(oriel.ExternalPrefix)+maxTextLen || hasControl(ref) {
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, `%s must be an Oriel id or "E" + your external id: 1–%d characters without control characters`, field, len(oriel.ExternalPrefix)+maxTextLen)
	}
	return nil
}

// accessTokenResponse answers POST /v1/auth/access-tokens (RFC 6749 §5.1).
type accessTokenResponse struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   int64   `json:"expires_in"` // seconds
	BoundEntity boundTo `json:"bound_entity"`
}

// boundTo is the entity a token was issued for, by Oriel ids.
type boundTo struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
}

// accessTokensPath is the token endpoint's path.
const accessTokensPath = "/v1/auth/access-tokens"

// prebound is what prebind read for a token request: its body, and the API
// key read together with the entity the body binds.
type prebound struct {
	in      accessTokenRequest
	binding *store.Binding
}

// prebind authenticates a token request (for oauthClient) and looks its
// bound entity up in the same query (store.Binding), keeping both for
// issueAccessToken. It returns nil, having read nothing, when the body does
// not decode or no token can be issued, and nil after its one read when the
// key or the entity is missing: then the request is authenticated as usual
// and the handler refuses it in the usual order.
func (s *Server) prebind(r *http.Request) *oriel.APIKey {
	var in accessTokenRequest
	if s.tokens.minter == nil || decode(r, &in) != nil {
		return nil
	}
	secretHash, err := presentedKey(r)
	if err != nil {
		return nil
	}
	b := in.BoundEntity
	customerRef, userRef := b.ID, ""
	if b.Type == entityUser {
		customerRef, userRef = b.Customer, b.ID
	}
	binding, err := s.store.Binding(r.Context(), secretHash, customerRef, userRef)
	if err != nil || binding == nil {
		return nil
	}
	stateOf(r).prebound = &prebound{in: in, binding: binding}
	s.touch(r.Context(), binding.Key)
	return binding.Key
}

// issueAccessToken issues a token bound to one of the caller's customers
// (with the admin role) or users (with the user's role).
func (s *Server) issueAccessToken(w http.ResponseWriter, r *http.Request) error {
	var claims *token.Claims
	var bound boundTo
	var err error
	if pre := stateOf(r).prebound; pre != nil {
		claims, bound, err = boundFrom(vendorOf(r), pre.in.BoundEntity, pre.binding)
	} else {
		var in accessTokenRequest
		if err := decode(r, &in); err != nil {
			return err
		}
		if s.tokens.minter == nil {
			return errTokensUnavailable
		}
		claims, bound, err = s.bind(r.Context(), vendorOf(r), in.BoundEntity)
	}
	if err != nil {
		return err
	}
	raw, err := s.tokens.minter.Issue(token.Access, claims, s.tokens.ttl)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, accessTokenResponse{
		AccessToken: raw,
		TokenType:   "Bearer",
		ExpiresIn:   claims.ExpiresAt - claims.IssuedAt,
		BoundEntity: bound,
	})
}

// bind looks the entity up among vendorID's customers and users and returns
// the claims of a token for it. An entity that does not exist and one of
// another vendor are both errInvalidTarget.
func (s *Server) bind(ctx context.Context, vendorID string, b *boundEntity) (*token.Claims, boundTo, error) {
	if b.Type == entityCustomer {
		c, err := s.store.Customer(ctx, vendorID, b.ID)
		if err != nil {
			return nil, boundTo{}, targetError(err)
		}
		return customerClaims(vendorID, c)
	}
	u, err := s.boundUser(ctx, vendorID, b)
	if err != nil {
		return nil, boundTo{}, err
	}
	return userClaims(vendorID, u)
}

// boundFrom is bind for an entity that prebind read with the API key.
func boundFrom(vendorID string, b *boundEntity, found *store.Binding) (*token.Claims, boundTo, error) {
	if b.Type == entityCustomer {
		return customerClaims(vendorID, found.Customer)
	}
	if len(found.Users) > 1 {
		return nil, boundTo{}, errAmbiguousExternalID
	}
	return userClaims(vendorID, found.Users[0])
}

// customerClaims are the claims of a token bound to customer c.
func customerClaims(vendorID string, c *oriel.Customer) (*token.Claims, boundTo, error) {
	return &token.Claims{VendorID: vendorID, CustomerID: c.ID, Role: oriel.RoleAdmin}, boundTo{entityCustomer, c.ID, c.ID}, nil
}

// userClaims are the claims of a token bound to user u, with u's role.
func userClaims(vendorID string, u *oriel.User) (*token.Claims, boundTo, error) {
	return &token.Claims{VendorID: vendorID, CustomerID: u.CustomerID, UserID: u.ID, Role: u.Role}, boundTo{entityUser, u.ID, u.CustomerID}, nil
}

// errAmbiguousExternalID refuses a user named by an external id that
// several of the vendor's customers use.
var errAmbiguousExternalID = oriel.Errorf(oriel.EINVALID, codeInvalidRequest,
	`several of your customers have a user with this external id; name the customer too: {"type": "user", "id": "E<user>", "customer": "E<customer>" or "cus_…"}`)

// boundUser finds the user b names.
func (s *Server) boundUser(ctx context.Context, vendorID string, b *boundEntity) (*oriel.User, error) {
	id, external := oriel.SplitRef(b.ID)
	switch {
	case b.Customer != "":
		u, err := s.store.User(ctx, vendorID, b.Customer, b.ID)
		return u, targetError(err)
	case !external:
		u, err := s.store.UserByID(ctx, vendorID, b.ID)
		return u, targetError(err)
	}
	users, err := s.store.UsersByExternalID(ctx, vendorID, id, 2)
	switch {
	case err != nil:
		return nil, err
	case len(users) == 0:
		return nil, errInvalidTarget
	case len(users) > 1:
		return nil, errAmbiguousExternalID
	}
	return users[0], nil
}

// targetError turns a store's "not found" into errInvalidTarget.
func targetError(err error) error {
	if oriel.ErrorKind(err) == oriel.ENOTFOUND {
		return errInvalidTarget
	}
	return err
}

// revokeRequest is the body of POST /v1/auth/access-tokens/revoke
// (RFC 7009 §2.1).
type revokeRequest struct {
	Token string `json:"token"`
	// TokenTypeHint is accepted, as RFC 7009 allows clients to send it, and
	// ignored: the endpoint revokes access tokens only.
	TokenTypeHint string `json:"token_type_hint"`
}

func (in *revokeRequest) validate() error {
	if in.Token == "" {
		return oriel.Errorf(oriel.EINVALID, codeInvalidRequest, "token is required: the access token to revoke")
	}
	return nil
}

// revokeAccessToken revokes one of the caller's access tokens until it
// expires. As RFC 7009 §2.2 requires, a token that is malformed, expired,
// unknown or another vendor's answers 200 as well, and is left alone.
func (s *Server) revokeAccessToken(w http.ResponseWriter, r *http.Request) error {
	var in revokeRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	if s.tokens.minter == nil {
		return errTokensUnavailable
	}
	c, err := s.tokens.minter.Check(token.Access, in.Token)
	if err == nil && c.VendorID == vendorOf(r) {
		if err := s.store.RevokeToken(r.Context(), c.ID, c.Expiry()); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
