package connect

import (
	"context"
	"math/rand/v2"
	"time"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
)

// Refresh timing. A refresh holds the connection's lease in the database
// for leaseTTL, and its provider requests (with retries) end well within it,
// so a lease never expires under a refresh that is still running. Leases
// are reckoned in wall-clock time, which the replicas share, not Engine.Now.
const (
	// RefreshWindow: Credentials refreshes a token that expires within it.
	RefreshWindow = 5 * time.Minute
	leaseTTL      = 45 * time.Second
	refreshBudget = 30 * time.Second // the provider part of one refresh
	leasePoll     = 75 * time.Millisecond
)

// Credentials returns usable credentials of one of the vendor's connected
// connections: API-key or basic fields as stored, or an OAuth2 access token,
// refreshed first when it expires within RefreshWindow. The refresh token
// stays inside Oriel: it is never returned (catalogue I12).
//
// However many callers ask at once, in this process or on other replicas,
// the provider sees one refresh: callers in a process share one refresh
// attempt, and replicas take turns through a lease in the database, the
// losers waiting for and then re-reading the winner's result. A refresh
// token the provider rejects (invalid_grant) puts the connection in error
// and answers CodeReauthorizationRequired. When the provider cannot be
// reached (after bounded retries) the credentials are kept: the current
// access token is returned while it is still valid, and
// CodeProviderUnavailable once it has expired.
func (e *Engine) Credentials(ctx context.Context, vendorID, connectionID string) (*oriel.Credentials, error) {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	return e.usableCredentials(ctx, conn)
}

// usableCredentials is Credentials of conn, just read from the store.
func (e *Engine) usableCredentials(ctx context.Context, conn *oriel.Connection) (*oriel.Credentials, error) {
	cred, err := e.credentialsFor(ctx, conn, RefreshWindow)
	if err != nil && (cred == nil || oriel.ErrorKind(err) != oriel.EUNAVAILABLE) {
		return nil, err
	}
	cred.RefreshToken = ""
	return cred, nil
}

// credentials is Credentials with a refresh window of choice, and the
// refresh token left in.
func (e *Engine) credentials(ctx context.Context, vendorID, connectionID string, window time.Duration) (*oriel.Credentials, error) {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	return e.credentialsFor(ctx, conn, window)
}

// credentialsFor is credentials of conn, just read from the store. When the
// refresh fails but the current access token has not expired yet, it
// returns both the current credentials and the error.
func (e *Engine) credentialsFor(ctx context.Context, conn *oriel.Connection, window time.Duration) (*oriel.Credentials, error) {
	cred, err := e.stored(ctx, conn)
	if err != nil {
		return nil, err
	}
	if !needsRefresh(cred, e.now(), window) {
		return cred, nil
	}
	fresh, err := e.sharedRefresh(ctx, conn, cred, window)
	if err != nil && ctx.Err() == nil && !expiresWithin(cred, e.now(), 0) {
		return clone(cred), err // still usable for a while
	}
	return fresh, err
}

// RefreshRejected replaces the credentials of one of the vendor's
// connections whose access token the provider has just refused (HTTP 401),
// whatever its expiry says, and returns the new ones without their refresh
// token. When the stored access token is no longer rejected, another
// caller has refreshed already, and the stored credentials are returned.
// Concurrent callers share one refresh, as with Credentials. A provider
// that refuses the refresh token, or a connection without one, answers
// CodeReauthorizationRequired and leaves the connection in error.
func (e *Engine) RefreshRejected(ctx context.Context, vendorID, connectionID, rejected string) (*oriel.Credentials, error) {
	conn, cred, err := e.current(ctx, vendorID, connectionID)
	if err != nil {
		return nil, err
	}
	if cred.AccessToken == rejected {
		if cred, err = e.sharedRefresh(ctx, conn, cred, rejectedToken); err != nil {
			return nil, err
		}
	}
	cred.RefreshToken = ""
	return cred, nil
}

// rejectedToken is the refresh window of RefreshRejected: the provider has
// refused the token, so it is refreshed whatever its expiry.
const rejectedToken time.Duration = -1

// sharedRefresh refreshes conn's credentials stale, which need it within
// window, as the one refresh that this process runs for the connection at
// a time. The refresh runs detached from this caller, whom others may be
// waiting on; waiting for the lease and refreshing bound it instead.
func (e *Engine) sharedRefresh(ctx context.Context, conn *oriel.Connection, stale *oriel.Credentials, window time.Duration) (*oriel.Credentials, error) {
	flight := e.flights.DoChan(conn.VendorID+"\x00"+conn.ID, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*leaseTTL)
		defer cancel()
		return e.refresh(ctx, conn, stale, window)
	})
	select {
	case r := <-flight:
		if r.Err != nil {
			return nil, r.Err
		}
		return clone(r.Val.(*oriel.Credentials)), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// current returns a connected connection and its stored credentials.
func (e *Engine) current(ctx context.Context, vendorID, connectionID string) (*oriel.Connection, *oriel.Credentials, error) {
	conn, err := e.Store.Connection(ctx, vendorID, connectionID)
	if err != nil {
		return nil, nil, err
	}
	cred, err := e.stored(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	return conn, cred, nil
}

// stored returns the stored credentials of conn, which must be connected.
func (e *Engine) stored(ctx context.Context, conn *oriel.Connection) (*oriel.Credentials, error) {
	switch conn.Status {
	case oriel.StatusDisconnected:
		return nil, oriel.Errorf(oriel.ECONFLICT, CodeNotConnected, "the connection is not connected")
	case oriel.StatusError:
		return nil, oriel.Errorf(oriel.ECONFLICT, CodeReauthorizationRequired,
			"the connection must be connected again: %s", conn.LastError)
	}
	return e.Store.ConnectionCredentials(ctx, conn.VendorID, conn.ID)
}

// refresh replaces stale, conn's credentials that expire within window,
// under the connection's lease, and returns the fresh ones, whoever made them.
func (e *Engine) refresh(ctx context.Context, conn *oriel.Connection, stale *oriel.Credentials, window time.Duration) (*oriel.Credentials, error) {
	owner := randomString(16)
	fresh, err := e.lease(ctx, conn, owner, stale, window)
	if fresh != nil || err != nil {
		return fresh, err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := e.Store.UnlockRefresh(ctx, conn.ID, owner); err != nil {
			e.log().Warn("refresh lease not released; it expires on its own", "connection_id", conn.ID, "code", oriel.ErrorCode(err))
		}
	}()
	// Re-read under the lease: another replica may have refreshed between
	// the caller's read and the lease.
	cred, done, err := e.reread(ctx, conn, stale, window)
	if done || err != nil {
		return cred, err
	}
	if cred.RefreshToken == "" && window == rejectedToken {
		return nil, e.requireReauthorization(ctx, conn, "the provider refused the access token and issued no refresh token")
	}
	if cred.RefreshToken == "" { // expired, see needsRefresh
		return nil, e.requireReauthorization(ctx, conn, "the access token expired and the provider issued no refresh token")
	}
	return e.refreshAtProvider(ctx, conn, cred)
}

// lease takes the connection's refresh lease for owner, and then returns
// no credentials and no error. While another holder has the lease, it polls
// and returns that holder's credentials as soon as they are stored.
func (e *Engine) lease(ctx context.Context, conn *oriel.Connection, owner string, stale *oriel.Credentials, window time.Duration) (*oriel.Credentials, error) {
	giveUp := time.Now().Add(leaseTTL)
	for {
		got, err := e.Store.LockRefresh(ctx, conn.ID, owner, time.Now().Add(leaseTTL))
		if got || err != nil {
			return nil, err
		}
		if time.Now().After(giveUp) {
			return nil, oriel.Errorf(oriel.EUNAVAILABLE, CodeRefreshBusy, "the connection is being refreshed; try again shortly")
		}
		if err := sleep(ctx, leasePoll/2+rand.N(leasePoll)); err != nil {
			return nil, err
		}
		cred, done, err := e.reread(ctx, conn, stale, window)
		if done || err != nil {
			return cred, err
		}
	}
}

// reread reads conn's credentials again; done is true when they no longer
// need refreshing or were replaced since stale was read.
func (e *Engine) reread(ctx context.Context, conn *oriel.Connection, stale *oriel.Credentials, window time.Duration) (cred *oriel.Credentials, done bool, err error) {
	_, cred, err = e.current(ctx, conn.VendorID, conn.ID)
	if err != nil {
		return nil, false, err
	}
	now := e.now()
	replaced := cred.AccessToken != stale.AccessToken && !expiresWithin(cred, now, 0)
	return cred, replaced || !needsRefresh(cred, now, window), nil
}

// needsRefresh reports whether cred must be refreshed before use: its token
// expires within window and can be refreshed, or has expired and cannot.
func needsRefresh(cred *oriel.Credentials, now time.Time, window time.Duration) bool {
	if window == rejectedToken {
		return true
	}
	if cred.RefreshToken == "" {
		return expiresWithin(cred, now, 0)
	}
	return expiresWithin(cred, now, window)
}

// refreshAtProvider redeems cred's refresh token, retrying transient
// failures, and stores the result before the caller releases the lease:
// with a rotating provider the new refresh token is the only valid one.
func (e *Engine) refreshAtProvider(ctx context.Context, conn *oriel.Connection, cred *oriel.Credentials) (*oriel.Credentials, error) {
	t, err := e.loadFor(ctx, conn)
	if err != nil {
		return nil, err
	}
	cfg, err := t.oauth2Config(e.RedirectURI())
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(e.oauth2Context(ctx), refreshBudget)
	defer cancel()
	var tok *oauth2.Token
	err = retry(pctx, func() (err error) {
		tok, err = cfg.TokenSource(pctx, &oauth2.Token{RefreshToken: cred.RefreshToken}).Token()
		return err
	})
	switch {
	case isInvalidGrant(err):
		return nil, e.requireReauthorization(ctx, conn, "the provider no longer accepts the connection's refresh token (invalid_grant)")
	case err != nil:
		err = providerError(err, "the token refresh")
		e.log().Warn("token refresh failed; credentials kept", "vendor_id", conn.VendorID, "connection_id", conn.ID, "code", oriel.ErrorCode(err))
		return nil, err
	}
	fresh, _ := e.credentialsFrom(tok, t.provider, cred.Scopes)
	if err := e.Store.SaveRefreshedCredentials(ctx, conn.VendorID, conn.ID, fresh); err != nil {
		return nil, err
	}
	e.log().Info("token refreshed", "vendor_id", conn.VendorID, "connection_id", conn.ID, "rotated", fresh.RefreshToken != cred.RefreshToken)
	return fresh, nil
}

// requireReauthorization puts conn in error with message, which records a
// connection.error event, and returns CodeReauthorizationRequired.
func (e *Engine) requireReauthorization(ctx context.Context, conn *oriel.Connection, message string) error {
	if _, err := e.Store.SetConnectionError(ctx, conn.VendorID, conn.ID, message); err != nil {
		return err
	}
	e.log().Warn("connection needs reauthorization", "vendor_id", conn.VendorID, "connection_id", conn.ID, "code", CodeReauthorizationRequired)
	return oriel.Errorf(oriel.ECONFLICT, CodeReauthorizationRequired, "the connection must be connected again: %s", message)
}
