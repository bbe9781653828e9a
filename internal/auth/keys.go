package auth

import (
	"context"
	"slices"
	"sync"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
)

// vendorKeys returns the signing keys of vendorID, newest first, as Verify
// takes them, read whole (with their PEM) and parsed (or taken from the
// cache). A stored key that no longer parses is passed as nil, which Verify
// skips.
func (d *DirectLinks) vendorKeys(ctx context.Context, vendorID string) ([]linktoken.Key, error) {
	var out []linktoken.Key
	page := oriel.Page{Limit: store.MaxPageLimit}
	for {
		rows, more, err := d.Store.ListSigningKeys(ctx, vendorID, page)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			out = append(out, linktoken.Key{KID: row.KID, PublicKey: d.keys.parse(row)})
		}
		if !more || len(rows) == 0 {
			break
		}
		page.StartingAfter = rows[len(rows)-1].ID
	}
	slices.Reverse(out) // the store lists by id, and ids sort by creation time
	return out, nil
}

// maxCachedKeys bounds the cache; when it is full it starts over.
const maxCachedKeys = 10_000

// keyCache holds parsed public keys by fingerprint, the SHA-256 of the key
// itself (its DER SubjectPublicKeyInfo), so that opening a link does no PEM
// or X.509 work after a key's first use. A key enters it only under the
// fingerprint computed from it, so, keyed by content, it can never serve a
// stale key: a replaced key has another fingerprint, and a deleted one is
// no longer among the vendor's rows, which are read on every open. The zero
// value is ready.
type keyCache struct {
	mu     sync.RWMutex
	parsed map[string]cachedKey
}

// cachedKey is a parsed key and the stored PEM it came from.
type cachedKey struct {
	pem string
	key *keys.PublicKey
}

// parse returns row's key, parsed once. A cached key is used only for the
// very PEM it was parsed from, and a key whose fingerprint is not the row's
// is refused, so a row can never borrow another row's key.
func (c *keyCache) parse(row *oriel.SigningKey) *keys.PublicKey {
	c.mu.RLock()
	hit, ok := c.parsed[row.Fingerprint]
	c.mu.RUnlock()
	if ok && hit.pem == row.PublicKeyPEM {
		return hit.key
	}
	k, err := keys.Parse(row.PublicKeyPEM)
	if err != nil || k.Fingerprint != row.Fingerprint {
		return nil
	}
	c.mu.Lock()
	if c.parsed == nil || len(c.parsed) >= maxCachedKeys {
		c.parsed = make(map[string]cachedKey)
	}
	c.parsed[row.Fingerprint] = cachedKey{pem: row.PublicKeyPEM, key: k}
	c.mu.Unlock()
	return k
}

// known returns the keys refs name, newest first as refs are, when every
// one of them was parsed before; ok is false when one was not (the caller
// then reads the keys whole).
func (c *keyCache) known(refs []store.SigningKeyRef) (out []linktoken.Key, ok bool) {
	out = make([]linktoken.Key, len(refs))
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, ref := range refs {
		hit, ok := c.parsed[ref.Fingerprint]
		if !ok {
			return nil, false
		}
		out[i] = linktoken.Key{KID: ref.KID, PublicKey: hit.key}
	}
	return out, true
}
