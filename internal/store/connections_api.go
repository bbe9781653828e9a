package store

import (
	"context"
	"time"

	"github.com/orielhq/oriel"
)

// ConnectionStore is the part of the store behind connections, OAuth flows,
// webhooks and appearance. Secrets in it (client secrets, credentials, PKCE
// verifiers, webhook secrets) are sealed with the keyring, each bound to its
// table, row and column.
type ConnectionStore interface {
	// PutIntegration creates or replaces the vendor's integration with i.Key
	// (ID kept on replace), sealing ClientSecret; created tells which.
	PutIntegration(ctx context.Context, i *oriel.Integration) (created bool, err error)
	// Integration returns one integration by key, ClientSecret decrypted.
	Integration(ctx context.Context, vendorID, key string) (*oriel.Integration, error)
	// ListIntegrations returns one page of a vendor's integrations (secrets left empty).
	ListIntegrations(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.Integration, bool, error)
	// DeleteIntegration deletes an integration; one that connections still use is ECONFLICT "integration_in_use".
	DeleteIntegration(ctx context.Context, vendorID, key string) error
	// SetIntegrationLogo stores logo (once per name) and makes it the
	// integration's logo; nil removes the logo. A logo no integration uses
	// any more is deleted.
	SetIntegrationLogo(ctx context.Context, vendorID, key string, logo *oriel.Logo) (*oriel.Integration, error)
	// Logo returns a logo by name, or ENOTFOUND "logo_not_found".
	Logo(ctx context.Context, name string) (*oriel.Logo, error)

	// CreateConnection stores c as disconnected under c.CustomerID (an Oriel
	// id or "E" reference) for the integration named by c.Integration, and
	// records a connection.created event in the same transaction.
	CreateConnection(ctx context.Context, c *oriel.Connection) error
	// Connection returns one of the vendor's connections.
	Connection(ctx context.Context, vendorID, id string) (*oriel.Connection, error)
	// ListConnections returns one page of a vendor's connections; a non-empty
	// customerRef keeps only that customer's (an unknown one is ENOTFOUND).
	ListConnections(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*oriel.Connection, bool, error)
	// DeleteConnection deletes a connection, records connection.deleted, and
	// returns the credentials it held (nil if none) so they can be revoked.
	DeleteConnection(ctx context.Context, vendorID, id string) (*oriel.Credentials, error)
	// ConnectionCredentials returns a connection's decrypted credentials, or
	// ENOTFOUND "credentials_not_found" when it has none.
	ConnectionCredentials(ctx context.Context, vendorID, id string) (*oriel.Credentials, error)
	// SetConnected stores fresh credentials, marks the connection connected,
	// clears last_error, and records connection.connected.
	SetConnected(ctx context.Context, vendorID, id string, cred *oriel.Credentials) (*oriel.Connection, error)
	// SetDisconnected drops the credentials, marks the connection
	// disconnected, and records connection.disconnected.
	SetDisconnected(ctx context.Context, vendorID, id string) (*oriel.Connection, error)
	// SetConnectionError marks the connection error with message (credentials
	// kept) and records connection.error, unless it already was in error.
	SetConnectionError(ctx context.Context, vendorID, id, message string) (*oriel.Connection, error)
	// SaveRefreshedCredentials replaces the credentials after a refresh; no event.
	SaveRefreshedCredentials(ctx context.Context, vendorID, id string, cred *oriel.Credentials) error
	// LockRefresh takes the connection's refresh lease for owner until the
	// given time, when nobody else holds a live one; it reports whether it did.
	// The lease lives in the database, so it holds across replicas.
	LockRefresh(ctx context.Context, connectionID, owner string, until time.Time) (bool, error)
	// UnlockRefresh releases owner's lease.
	UnlockRefresh(ctx context.Context, connectionID, owner string) error
	// ConnectionsToRefresh lists up to limit connected connections, of all
	// vendors, whose token expires before t and that hold a refresh token.
	ConnectionsToRefresh(ctx context.Context, t time.Time, limit int) ([]*oriel.Connection, error)

	// CreateOAuthState stores a pending authorization (CodeVerifier sealed).
	CreateOAuthState(ctx context.Context, st *oriel.OAuthState) error
	// ConsumeOAuthState deletes and returns the pending authorization whose
	// state hashes to stateHash; unknown, used or expired is EINVALID "state_invalid".
	ConsumeOAuthState(ctx context.Context, stateHash []byte, now time.Time) (*oriel.OAuthState, error)

	// CreateWebhookEndpoint stores e (Secret sealed).
	CreateWebhookEndpoint(ctx context.Context, e *oriel.WebhookEndpoint) error
	// ListWebhookEndpoints returns one page of a vendor's endpoints (secrets left empty).
	ListWebhookEndpoints(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.WebhookEndpoint, bool, error)
	// DeleteWebhookEndpoint deletes an endpoint and its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, vendorID, id string) error
	// ListWebhookEvents returns one page of a vendor's events, newest last.
	ListWebhookEvents(ctx context.Context, vendorID string, p oriel.Page) ([]*oriel.WebhookEvent, bool, error)
	// WebhookDeliveries returns the deliveries of one of the vendor's events.
	WebhookDeliveries(ctx context.Context, vendorID, eventID string) ([]*oriel.WebhookDelivery, error)
	// RetryWebhookEvent makes every delivery of the event pending again, due now.
	RetryWebhookEvent(ctx context.Context, vendorID, eventID string) error
	// ClaimWebhookDeliveries leases up to limit due, pending deliveries until
	// leaseUntil and returns them with their event, URL and secret. A claimed
	// delivery is handed to one caller only, across replicas.
	ClaimWebhookDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*oriel.WebhookDelivery, error)
	// FinishWebhookDelivery records an attempt: delivered, or failed with
	// lastError and retried at next (a zero next gives up: status failed).
	FinishWebhookDelivery(ctx context.Context, id string, delivered bool, lastError string, next time.Time) error

	// PutAppearance stores the vendor's widget styling.
	PutAppearance(ctx context.Context, vendorID string, a *oriel.Appearance) error
	// Appearance returns the vendor's styling, or nil when none is set.
	Appearance(ctx context.Context, vendorID string) (*oriel.Appearance, error)
}
