package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/webhook"
)

// defaultPruneInterval is how often expired jtis, revocations, idempotency
// keys and OAuth states are deleted, unless --prune-interval says otherwise.
const defaultPruneInterval = time.Minute

// startWorkers starts the background jobs every replica runs: webhook
// delivery by webhooks (a delivery a crashed replica held is sent again once
// its lease runs out), token refresh before expiry, pruning of expired
// records, and the enrollment_window.closed events of windows that passed.
// Replicas share the work through the database (leases and SKIP LOCKED), so
// each job is done once whatever the number of replicas. The returned
// function waits until every job has stopped after ctx ends.
func startWorkers(ctx context.Context, db *store.SQL, engine *connect.Engine, webhooks *webhook.Dispatcher, pruneInterval time.Duration, logger *slog.Logger) (wait func()) {
	jobs := map[string]func(context.Context) error{
		"webhook dispatcher": webhooks.Run,
		"token refresher":    (&connect.Refresher{Engine: engine}).Run,
		"pruner":             func(ctx context.Context) error { return prune(ctx, db, pruneInterval, logger) },
		"window closer":      func(ctx context.Context) error { return closeWindows(ctx, db, pruneInterval, logger) },
	}
	var wg sync.WaitGroup
	for name, run := range jobs {
		wg.Go(func() {
			if err := run(ctx); err != nil {
				logger.Error("background job stopped", "job", name, "err", err)
			}
		})
	}
	return wg.Wait
}

// prune deletes expired records every interval until ctx ends.
func prune(ctx context.Context, db *store.SQL, interval time.Duration, logger *slog.Logger) error {
	return every(ctx, interval, func() {
		if n, err := db.PruneExpired(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.Warn("pruning expired records failed", "err", err)
		} else if n > 0 {
			logger.Debug("pruned expired records", "rows", n)
		}
	})
}

// closeWindows records enrollment_window.closed for every window that has
// passed, every interval until ctx ends; the store's guarded update makes
// each recorded once, whatever the number of replicas.
func closeWindows(ctx context.Context, db *store.SQL, interval time.Duration, logger *slog.Logger) error {
	return every(ctx, interval, func() {
		if n, err := db.RecordClosedWindows(ctx, oriel.DateOf(time.Now().UTC())); err != nil && ctx.Err() == nil {
			logger.Warn("recording closed enrollment windows failed", "err", err)
		} else if n > 0 {
			logger.Info("enrollment windows closed", "windows", n)
		}
	})
}

// every runs fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
