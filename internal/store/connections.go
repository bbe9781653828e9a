package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/orielhq/oriel"
)

var (
	errConnectionNotFound  = oriel.Errorf(oriel.ENOTFOUND, "connection_not_found", "no such connection")
	errCredentialsNotFound = oriel.Errorf(oriel.ENOTFOUND, "credentials_not_found", "this connection holds no credentials; connect it first")
)

// connectionColumns and connectionsFrom select connections with their
// integration's key and provider.
const (
	connectionColumns = `c.id, c.vendor_id, c.customer_id, c.integration_id, i.key, i.display_name, i.logo, i.provider, c.status, c.last_error, c.config, c.token_expires_at, c.connected_at, c.created_at, c.updated_at`
	connectionsFrom   = ` FROM connections c JOIN integrations i ON i.id = c.integration_id`
)

func scanConnection(sc scanner) (*oriel.Connection, error) {
	var c oriel.Connection
	var config string
	var expires, connected *int64
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.VendorID, &c.CustomerID, &c.IntegrationID, &c.Integration, &c.IntegrationName, &c.IntegrationLogo, &c.Provider, &c.Status, &c.LastError,
		&config, &expires, &connected, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	c.Config, err = decodeMap(config)
	c.TokenExpiresAt, c.ConnectedAt = optionalTime(expires), optionalTime(connected)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, err
}

// optionalTime reads a nullable unix-microseconds column.
func optionalTime(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// optionalMicros stores a zero time as NULL.
func optionalMicros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	us := micros(t)
	return &us
}

func connection(ctx context.Context, q queryer, vendorID, id string) (*oriel.Connection, error) {
	row := q.QueryRowContext(ctx, `SELECT `+connectionColumns+connectionsFrom+` WHERE c.vendor_id = $1 AND c.id = $2`, vendorID, id)
	return one(row, scanConnection, errConnectionNotFound)
}

// CreateConnection stores c as disconnected under the customer c.CustomerID
// names (setting it to the Oriel id) for the integration with key
// c.Integration, and records connection.created in the same transaction.
func (s *SQL) CreateConnection(ctx context.Context, c *oriel.Connection) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cus, err := customer(ctx, tx, c.VendorID, c.CustomerID)
		if err != nil {
			return err
		}
		integration, provider, err := integrationID(ctx, tx, c.VendorID, c.Integration)
		if err != nil {
			return err
		}
		t := now()
		c.ID, c.CustomerID, c.IntegrationID, c.Provider = newID("conn"), cus.ID, integration, provider
		c.Status, c.LastError, c.TokenExpiresAt, c.ConnectedAt = oriel.StatusDisconnected, "", nil, nil
		c.CreatedAt, c.UpdatedAt = t, t
		if _, err := tx.ExecContext(ctx, `INSERT INTO connections (id, vendor_id, customer_id, integration_id, status, config, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
			c.ID, c.VendorID, c.CustomerID, c.IntegrationID, c.Status, encodeMap(c.Config), micros(t)); err != nil {
			return err
		}
		return recordConnectionEvent(ctx, tx, c, oriel.EventConnectionCreated)
	})
}

// Connection returns one of the vendor's connections.
func (s *SQL) Connection(ctx context.Context, vendorID, id string) (*oriel.Connection, error) {
	return connection(ctx, s.r, vendorID, id)
}

// ListConnections returns one page of a vendor's connections; a non-empty
// customerRef keeps only that customer's (an unknown one is ENOTFOUND).
func (s *SQL) ListConnections(ctx context.Context, vendorID, customerRef string, p oriel.Page) ([]*oriel.Connection, bool, error) {
	query, args := `SELECT `+connectionColumns+connectionsFrom+` WHERE c.vendor_id = $1`, []any{vendorID}
	if customerRef == "" {
		return list(ctx, s.r, query, "c.id", args, p, scanConnection)
	}
	col, val := refColumn(customerRef)
	query, args = query+` AND c.customer_id = (SELECT id FROM customers WHERE vendor_id = $1 AND `+col+` = $2)`, append(args, val)
	conns, more, err := list(ctx, s.r, query, "c.id", args, p, scanConnection)
	if err == nil && len(conns) == 0 {
		// No connections, or no such customer: only then is it read.
		_, err = customer(ctx, s.r, vendorID, customerRef)
	}
	return conns, more, err
}

// changeConnection runs change on the vendor's connection in a write
// transaction that holds the row's lock, so change sees the current row and
// concurrent changes queue. When change names an event type, the event and
// its deliveries are recorded in the same transaction.
func (s *SQL) changeConnection(ctx context.Context, vendorID, id string, change func(tx *sql.Tx, c *oriel.Connection) (event string, err error)) (*oriel.Connection, error) {
	var c *oriel.Connection
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A no-op update takes the row lock on PostgreSQL (SQLite has one writer).
		res, err := tx.ExecContext(ctx, `UPDATE connections SET updated_at = updated_at WHERE vendor_id = $1 AND id = $2`, vendorID, id)
		if err := mustAffect(res, err, errConnectionNotFound); err != nil {
			return err
		}
		if c, err = connection(ctx, tx, vendorID, id); err != nil {
			return err
		}
		event, err := change(tx, c)
		if err != nil || event == "" {
			return err
		}
		return recordConnectionEvent(ctx, tx, c, event)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteConnection deletes a connection, records connection.deleted, and
// returns the credentials it held (nil if none) so they can be revoked.
// Credentials that no longer decrypt do not keep a connection alive: it is
// deleted and nil returned.
func (s *SQL) DeleteConnection(ctx context.Context, vendorID, id string) (*oriel.Credentials, error) {
	var cred *oriel.Credentials
	_, err := s.changeConnection(ctx, vendorID, id, func(tx *sql.Tx, c *oriel.Connection) (string, error) {
		var sealed sql.NullString
		if err := tx.QueryRowContext(ctx, `DELETE FROM connections WHERE id = $1 RETURNING credentials`, c.ID).Scan(&sealed); err != nil {
			return "", err
		}
		var err error
		if cred, err = s.openCredentials(c.ID, sealed); errors.Is(err, errUnreadable) {
			cred, err = nil, nil
		}
		return oriel.EventConnectionDeleted, err
	})
	return cred, err
}

// ConnectionCredentials returns a connection's decrypted credentials.
func (s *SQL) ConnectionCredentials(ctx context.Context, vendorID, id string) (*oriel.Credentials, error) {
	var sealed sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT credentials FROM connections WHERE vendor_id = $1 AND id = $2`, vendorID, id).Scan(&sealed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errConnectionNotFound
	case err != nil:
		return nil, err
	case !sealed.Valid:
		return nil, errCredentialsNotFound
	}
	return s.openCredentials(id, sealed)
}

// SetConnected stores fresh credentials, marks the connection connected,
// clears last_error, and records connection.connected.
func (s *SQL) SetConnected(ctx context.Context, vendorID, id string, cred *oriel.Credentials) (*oriel.Connection, error) {
	return s.changeConnection(ctx, vendorID, id, func(tx *sql.Tx, c *oriel.Connection) (string, error) {
		sealed, refreshable, expires, err := s.credentialColumns(c.ID, cred)
		if err != nil {
			return "", err
		}
		t := now()
		c.Status, c.LastError, c.ConnectedAt, c.UpdatedAt, c.TokenExpiresAt = oriel.StatusConnected, "", &t, t, optionalTime(expires)
		_, err = tx.ExecContext(ctx, `UPDATE connections SET status = $1, last_error = '', credentials = $2, refreshable = $3, token_expires_at = $4,
			connected_at = $5, updated_at = $5 WHERE id = $6`, c.Status, sealed, refreshable, expires, micros(t), c.ID)
		return oriel.EventConnectionConnected, err
	})
}

// SetDisconnected drops the credentials, marks the connection disconnected,
// and records connection.disconnected.
func (s *SQL) SetDisconnected(ctx context.Context, vendorID, id string) (*oriel.Connection, error) {
	return s.changeConnection(ctx, vendorID, id, func(tx *sql.Tx, c *oriel.Connection) (string, error) {
		t := now()
		c.Status, c.LastError, c.ConnectedAt, c.TokenExpiresAt, c.UpdatedAt = oriel.StatusDisconnected, "", nil, nil, t
		_, err := tx.ExecContext(ctx, `UPDATE connections SET status = $1, last_error = '', credentials = NULL, refreshable = 0, token_expires_at = NULL,
			connected_at = NULL, updated_at = $2 WHERE id = $3`, c.Status, micros(t), c.ID)
		return oriel.EventConnectionDisconnected, err
	})
}

// SetConnectionError marks the connection error with message, keeping its
// credentials, and records connection.error when it was not in error already.
func (s *SQL) SetConnectionError(ctx context.Context, vendorID, id, message string) (*oriel.Connection, error) {
	return s.changeConnection(ctx, vendorID, id, func(tx *sql.Tx, c *oriel.Connection) (string, error) {
		event := ""
		if c.Status != oriel.StatusError {
			event = oriel.EventConnectionError
		}
		t := now()
		c.Status, c.LastError, c.UpdatedAt = oriel.StatusError, message, t
		_, err := tx.ExecContext(ctx, `UPDATE connections SET status = $1, last_error = $2, updated_at = $3 WHERE id = $4`, c.Status, message, micros(t), c.ID)
		return event, err
	})
}

// SaveRefreshedCredentials replaces the credentials after a refresh, without
// an event. A connection that lost its credentials meanwhile (disconnected
// during the refresh) keeps none: that is ENOTFOUND "credentials_not_found".
func (s *SQL) SaveRefreshedCredentials(ctx context.Context, vendorID, id string, cred *oriel.Credentials) error {
	_, err := s.changeConnection(ctx, vendorID, id, func(tx *sql.Tx, c *oriel.Connection) (string, error) {
		sealed, refreshable, expires, err := s.credentialColumns(c.ID, cred)
		if err != nil {
			return "", err
		}
		res, err := tx.ExecContext(ctx, `UPDATE connections SET credentials = $1, refreshable = $2, token_expires_at = $3, updated_at = $4
			WHERE id = $5 AND credentials IS NOT NULL`, sealed, refreshable, expires, micros(now()), c.ID)
		return "", mustAffect(res, err, errCredentialsNotFound)
	})
	return err
}

// credentialColumns returns what a connection row stores about cred: the
// sealed JSON, whether it can be refreshed, and when its access token expires.
func (s *SQL) credentialColumns(connectionID string, cred *oriel.Credentials) (sealed sql.NullString, refreshable int, expires *int64, err error) {
	if cred == nil {
		return sql.NullString{}, 0, nil, nil
	}
	plain, err := json.Marshal(cred)
	if err != nil {
		return sql.NullString{}, 0, nil, err
	}
	if cred.RefreshToken != "" {
		refreshable = 1
	}
	sealed, err = s.sealValue(connectionCredentials, connectionID, plain)
	return sealed, refreshable, optionalMicros(cred.Expiry), err
}

// openCredentials decrypts a connection's sealed credentials (nil for NULL).
func (s *SQL) openCredentials(connectionID string, sealed sql.NullString) (*oriel.Credentials, error) {
	plain, err := s.openValue(connectionCredentials, connectionID, sealed)
	if err != nil || plain == nil {
		return nil, err
	}
	var cred oriel.Credentials
	if err := json.Unmarshal(plain, &cred); err != nil {
		return nil, errUnreadable
	}
	return &cred, nil
}

// LockRefresh takes the connection's refresh lease for owner until the given
// time, when nobody else holds a live one. The conditional update decides,
// so among concurrent callers on any replicas exactly one wins; an owner may
// extend its own lease, and anyone may take over an expired one.
func (s *SQL) LockRefresh(ctx context.Context, connectionID, owner string, until time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE connections SET refresh_owner = $1, refresh_locked_until = $2
		WHERE id = $3 AND (refresh_owner IS NULL OR refresh_owner = $1 OR refresh_locked_until <= $4)`,
		owner, micros(until), connectionID, micros(now()))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, err
	}
	var exists int
	err = s.r.QueryRowContext(ctx, `SELECT 1 FROM connections WHERE id = $1`, connectionID).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return false, errConnectionNotFound
	}
	return false, err
}

// UnlockRefresh releases owner's lease; a lease owner no longer holds is left alone.
func (s *SQL) UnlockRefresh(ctx context.Context, connectionID, owner string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE connections SET refresh_owner = NULL, refresh_locked_until = NULL WHERE id = $1 AND refresh_owner = $2`,
		connectionID, owner)
	return err
}

// ConnectionsToRefresh lists up to limit connected connections, of all
// vendors, whose token expires before t and that hold a refresh token,
// soonest expiry first.
func (s *SQL) ConnectionsToRefresh(ctx context.Context, t time.Time, limit int) ([]*oriel.Connection, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+connectionColumns+connectionsFrom+`
		WHERE c.status = 'connected' AND c.refreshable = 1 AND c.token_expires_at < $1 ORDER BY c.token_expires_at, c.id`+limitClause(limit),
		micros(t))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*oriel.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
