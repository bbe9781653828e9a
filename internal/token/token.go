// Package token issues and checks Oriel's own short-lived bearer tokens: the
// session a widget page holds after a direct link is verified, and the bound
// access tokens a vendor's backend trades its API key for.
//
// A token is its claims encrypted and authenticated with AES-256-GCM under
// the server's keyring, so it is opaque to callers, needs no database write to
// issue and no database read to authenticate, and survives restarts and
// spreads across replicas with the keyring. Revocation is by token id: the
// caller checks the id against the store's revocation list.
package token

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
)

// Kind separates token uses: a token of one kind never passes as another.
type Kind string

// The token kinds, which are also the tokens' visible prefixes.
const (
	Session Kind = "ors" // a widget session from a verified direct link
	Access  Kind = "oat" // a bound access token issued to a vendor's backend
)

// MaxLen bounds a token before any work is done on it.
const MaxLen = 2048

// Claims say whom a token speaks for.
type Claims struct {
	ID         string     `json:"i"`
	VendorID   string     `json:"v"`
	CustomerID string     `json:"c"`
	UserID     string     `json:"u,omitempty"`
	Role       oriel.Role `json:"r"`
	// Origin is the verified parent origin for sessions; empty for access tokens.
	Origin    string `json:"o,omitempty"`
	IssuedAt  int64  `json:"t"`
	ExpiresAt int64  `json:"e"`
}

// Expiry returns when the token stops working.
func (c *Claims) Expiry() time.Time { return time.Unix(c.ExpiresAt, 0) }

var (
	errInvalid = oriel.Errorf(oriel.EUNAUTHORIZED, "token_invalid", "the token is malformed, altered, of the wrong kind or from another deployment")
	errExpired = oriel.Errorf(oriel.EUNAUTHORIZED, "token_expired", "the token has expired; fetch a new one")
)

// Minter issues and checks tokens with one keyring.
type Minter struct {
	keys *seal.Keyring
	now  func() time.Time
}

// NewMinter returns a Minter; now may be nil for time.Now.
func NewMinter(keys *seal.Keyring, now func() time.Time) *Minter {
	if now == nil {
		now = time.Now
	}
	return &Minter{keys: keys, now: now}
}

// Issue fills c's ID, IssuedAt and ExpiresAt (now + ttl) and returns the token.
func (m *Minter) Issue(kind Kind, c *Claims, ttl time.Duration) (string, error) {
	t := m.now()
	c.ID = "tok_" + rand.Text()
	c.IssuedAt, c.ExpiresAt = t.Unix(), t.Add(ttl).Unix()
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	sealed, err := m.keys.Seal(payload, aad(kind))
	if err != nil {
		return "", err
	}
	// Bearer tokens may not hold ':' (RFC 6750 b64token); the sealed form's
	// separators become '.', which neither key ids nor base64url use.
	return string(kind) + "_" + strings.ReplaceAll(sealed, ":", "."), nil
}

// Check authenticates a token of the given kind and returns its claims. It
// does not consult revocations; the caller checks Claims.ID against them.
func (m *Minter) Check(kind Kind, raw string) (*Claims, error) {
	body, ok := strings.CutPrefix(raw, string(kind)+"_")
	if !ok || len(raw) > MaxLen || strings.Contains(body, ":") {
		return nil, errInvalid
	}
	payload, err := m.keys.Open(strings.ReplaceAll(body, ".", ":"), aad(kind))
	if err != nil {
		return nil, errInvalid
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, errInvalid
	}
	if m.now().Unix() >= c.ExpiresAt {
		return nil, errExpired
	}
	return &c, nil
}

func aad(kind Kind) []byte { return []byte("oriel-token/" + string(kind)) }
