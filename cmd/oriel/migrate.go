package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

// cmdMigrate applies the database migrations and exits. Serve does the same
// at start; this lets a deployment migrate before it rolls out new replicas.
func cmdMigrate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel migrate", "[flags]",
		`Applies the pending database migrations and exits. On PostgreSQL it holds an
advisory lock meanwhile, so it is safe to run while replicas start.`)
	sf, lf := addStoreFlags(f), addLogFlags(f, slog.LevelInfo)
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	db, err := openStore(ctx, sf, lf, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		return fmt.Errorf("database not ready after migrating: %w", err)
	}
	fmt.Fprintf(stdout, "Database %s is up to date.\n", redactURL(sf.url()))
	return nil
}
