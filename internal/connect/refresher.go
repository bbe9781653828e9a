package connect

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/orielhq/oriel"
)

// Refresher defaults.
const (
	DefaultRefreshInterval = 30 * time.Second
	DefaultRefreshAhead    = 10 * time.Minute
	defaultRefreshBatch    = 100
	refreshConcurrency     = 4
)

// Refresher refreshes tokens in the background before they expire, so that
// Credentials rarely has to. Every replica may run one: refreshes go through
// Engine.Credentials' single-flight and lease, so each token is refreshed once.
type Refresher struct {
	Engine *Engine
	// Interval between passes; zero means DefaultRefreshInterval.
	Interval time.Duration
	// Ahead: a pass refreshes tokens expiring within it; zero means
	// DefaultRefreshAhead. It should be shorter than providers' token
	// lifetimes, or every pass refreshes every token.
	Ahead time.Duration
	// BatchSize bounds the connections one pass handles; zero means 100.
	BatchSize int
}

// Run makes a pass every Interval until ctx ends, then returns nil.
func (r *Refresher) Run(ctx context.Context) error {
	interval := r.Interval
	if interval <= 0 {
		interval = DefaultRefreshInterval
	}
	for {
		if _, err := r.RefreshDue(ctx); err != nil && ctx.Err() == nil {
			r.Engine.log().Warn("refresh pass failed", "code", oriel.ErrorCode(err))
		}
		if sleep(ctx, interval) != nil {
			return nil
		}
	}
}

// RefreshDue makes one pass: it refreshes the connected connections whose
// tokens expire within Ahead, a few at a time, and returns how many now
// hold fresh tokens (whoever refreshed them). A connection that fails is
// logged and left for the next pass.
func (r *Refresher) RefreshDue(ctx context.Context) (int, error) {
	e, ahead, batch := r.Engine, r.Ahead, r.BatchSize
	if ahead <= 0 {
		ahead = DefaultRefreshAhead
	}
	if batch <= 0 {
		batch = defaultRefreshBatch
	}
	due, err := e.Store.ConnectionsToRefresh(ctx, e.now().Add(ahead), batch)
	if err != nil {
		return 0, err
	}
	results := make([]bool, len(due))
	var g errgroup.Group
	g.SetLimit(refreshConcurrency)
	for i, c := range due {
		g.Go(func() error {
			_, err := e.credentials(ctx, c.VendorID, c.ID, ahead)
			if err != nil {
				e.log().Warn("background refresh failed", "vendor_id", c.VendorID, "connection_id", c.ID, "code", oriel.ErrorCode(err))
			}
			results[i] = err == nil
			return nil
		})
	}
	g.Wait()
	n := 0
	for _, ok := range results {
		if ok {
			n++
		}
	}
	return n, nil
}
