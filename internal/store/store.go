// Package store keeps Oriel's state in a SQL database: SQLite for a single
// binary, PostgreSQL for several replicas. One Store interface, one
// database/sql implementation, one conformance suite run against both.
//
// Every method that reads or writes a vendor's objects takes the vendor id and
// scopes the query by it, so one vendor can never see another's data: a
// foreign id answers ENOTFOUND exactly like a missing one.
package store

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
)

// Store is everything Oriel persists.
type Store interface {
	ConnectionStore
	BenefitsStore
	AppointmentStore
	LifeEventStore

	// CreateVendor stores v, assigning ID and timestamps.
	CreateVendor(ctx context.Context, v *oriel.Vendor) error
	// Vendor returns one vendor, or ENOTFOUND.
	Vendor(ctx context.Context, id string) (*oriel.Vendor, error)
	// ListVendors returns one page of vendors ordered by id, and whether more follow.
	ListVendors(ctx context.Context, p oriel.Page) ([]*oriel.Vendor, bool, error)
	// UpdateVendor applies u and returns the result.
	UpdateVendor(ctx context.Context, id string, u oriel.VendorUpdate) (*oriel.Vendor, error)

	// CreateAPIKey stores k (ID and CreatedAt assigned) with the SHA-256 of its secret.
	CreateAPIKey(ctx context.Context, k *oriel.APIKey, secretHash []byte) error
	// APIKeyByHash returns the live key whose secret hashes to secretHash, or EUNAUTHORIZED.
	APIKeyByHash(ctx context.Context, secretHash []byte) (*oriel.APIKey, error)
	// Binding reads a live API key and the customer or user of its vendor
	// that an access-token request binds, in one query; nil when either is
	// missing.
	Binding(ctx context.Context, secretHash []byte, customerRef, userRef string) (*Binding, error)
	// TouchAPIKey records that the key was used at t.
	TouchAPIKey(ctx context.Context, id string, t time.Time) error
	// ListAPIKeys returns one page of a vendor's live keys.
	ListAPIKeys(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.APIKey, bool, error)
	// RevokeAPIKey revokes one of the vendor's keys at once, or answers ENOTFOUND.
	RevokeAPIKey(ctx context.Context, vendorID, id string) error

	// CreateCustomer stores c (ID and timestamps assigned); a duplicate external id is ECONFLICT.
	CreateCustomer(ctx context.Context, c *oriel.Customer) error
	// Customer returns a vendor's customer by Oriel id or "E"-prefixed external id.
	Customer(ctx context.Context, vendorID, ref string) (*oriel.Customer, error)
	// ListCustomers returns one page of a vendor's customers.
	ListCustomers(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.Customer, bool, error)
	// UpdateCustomer applies u to the customer named by ref.
	UpdateCustomer(ctx context.Context, vendorID, ref string, u oriel.CustomerUpdate) (*oriel.Customer, error)
	// DeleteCustomer deletes the customer named by ref and everything it owns.
	DeleteCustomer(ctx context.Context, vendorID, ref string) error

	// CreateUser stores u under its CustomerID (which must be an Oriel id of the vendor's).
	CreateUser(ctx context.Context, u *oriel.User) error
	// User returns a customer's user by Oriel id or "E"-prefixed external id.
	User(ctx context.Context, vendorID, customerRef, userRef string) (*oriel.User, error)
	// ReadParty reads a customer, its vendor's allowed origins and
	// appearance and, when q names one, its user, in one query, with what q
	// asks for beside: a token's revocation, a connection's ownership, the
	// vendor's signing keys.
	ReadParty(ctx context.Context, q PartyQuery) (*Party, error)
	// UserByID returns a vendor's user by its Oriel id alone, whatever its customer.
	UserByID(ctx context.Context, vendorID, id string) (*oriel.User, error)
	// UsersByExternalID returns up to limit of a vendor's users with this
	// external id, whatever their customers.
	UsersByExternalID(ctx context.Context, vendorID, externalID string, limit int) ([]*oriel.User, error)
	// ListUsers returns one page of a customer's users.
	ListUsers(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*oriel.User, bool, error)
	// UpdateUser applies u to the user.
	UpdateUser(ctx context.Context, vendorID, customerRef, userRef string, u oriel.UserUpdate) (*oriel.User, error)
	// DeleteUser deletes the user.
	DeleteUser(ctx context.Context, vendorID, customerRef, userRef string) error

	// CreateSigningKey adds a key (ID and CreatedAt assigned); a duplicate kid
	// or fingerprint for the vendor is ECONFLICT.
	CreateSigningKey(ctx context.Context, k *oriel.SigningKey) error
	// ReplaceSigningKeys makes k the vendor's only key, in one transaction.
	ReplaceSigningKeys(ctx context.Context, k *oriel.SigningKey) error
	// ListSigningKeys returns one page of a vendor's keys.
	ListSigningKeys(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.SigningKey, bool, error)
	// DeleteSigningKey removes one key.
	DeleteSigningKey(ctx context.Context, vendorID, id string) error

	// BeginIdempotent claims (vendorID, key) for a request whose body hashes to
	// requestHash. When the key was used before, it returns the stored response
	// (done is true), or ECONFLICT code "idempotency_in_progress" when the first
	// request is still running, or EUNPROCESSABLE code "idempotency_key_reused"
	// when the first request differed.
	BeginIdempotent(ctx context.Context, vendorID, key string, requestHash []byte) (resp *IdempotentResponse, done bool, err error)
	// FinishIdempotent stores the response of a claimed key.
	FinishIdempotent(ctx context.Context, vendorID, key string, resp IdempotentResponse) error
	// AbandonIdempotent releases a claimed key without a response (the request failed), so a retry runs again.
	AbandonIdempotent(ctx context.Context, vendorID, key string) error

	// RecordJTI records a direct-link token's jti for the vendor until
	// expiresAt; a jti already recorded is EUNAUTHORIZED "jti_replayed".
	RecordJTI(ctx context.Context, vendorID, jti string, expiresAt time.Time) error
	// JTIUsed reports whether a direct-link token's jti is recorded for the
	// vendor, without recording it (for inspecting a link).
	JTIUsed(ctx context.Context, vendorID, jti string) (bool, error)
	// RevokeToken marks an access or session token id revoked until expiresAt.
	RevokeToken(ctx context.Context, tokenID string, expiresAt time.Time) error
	// TokenRevoked reports whether tokenID was revoked.
	TokenRevoked(ctx context.Context, tokenID string) (bool, error)
	// PruneExpired deletes records that expired before t.
	PruneExpired(ctx context.Context, t time.Time) (int64, error)

	// Ready checks that the database answers and its schema is current.
	Ready(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// IdempotentResponse is the response replayed for a retried request.
type IdempotentResponse struct {
	Status int
	Body   []byte
}
