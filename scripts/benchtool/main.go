// Command benchtool is the load benchmark behind scripts/bench (make bench):
// it starts the floor — a trivial Go handler that checks a Bearer token and
// writes a JSON body of a given size — and Oriel, on SQLite and then on
// PostgreSQL, drives the same wrk load at each, side by side, and prints the
// ratios that issue 14 sets targets for. Everything listens on loopback.
//
//	scripts/bench [-duration 10s] [-connections 16] [-databases sqlite,postgres]
//
// `benchtool floor` is the floor server itself, started by the benchmark.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		err = serveFloor(ctx, os.Args[2:])
	} else {
		err = runBench(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the benchmark's flags.
type options struct {
	oriel       string
	duration    time.Duration
	warmup      time.Duration
	threads     int
	connections int
	databases   string
	postgresURL string
	linkRate    int
	pruneRows   int
	only        string
	profiles    string
}

func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.oriel, "oriel", "", "the oriel `binary` to run (required)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long wrk loads each target")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before each measured run, not counted")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.IntVar(&o.connections, "connections", 16, "wrk connections (concurrent clients)")
	fs.StringVar(&o.databases, "databases", "sqlite,postgres", "comma-separated databases to run Oriel on")
	fs.StringVar(&o.postgresURL, "postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "`URL` of a PostgreSQL server on loopback; the benchmark creates and drops its own database there")
	fs.IntVar(&o.linkRate, "link-rate", 1000, "direct-link tokens signed per second of the warm-up, and at least per second of -duration (each open spends one)")
	fs.IntVar(&o.pruneRows, "prune-rows", 60000, "expired jti rows to prune during the pruning run (0 skips it)")
	fs.StringVar(&o.only, "only", "", "comma-separated scenarios to run (token, list, list1000, open, prune); empty runs all")
	fs.StringVar(&o.profiles, "profiles", "", "`directory` to save a CPU profile of Oriel for each measured run in (Oriel runs with --debug-addr)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.oriel == "" {
		return nil, fmt.Errorf("-oriel is required")
	}
	return o, nil
}
