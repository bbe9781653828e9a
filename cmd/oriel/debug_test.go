package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/store"
)

func TestDebugAddressIsLoopbackByDefault(t *testing.T) {
	for in, want := range map[string]string{
		":6060":          "127.0.0.1:6060",
		"127.0.0.1:0":    "127.0.0.1:0",
		"[::1]:6060":     "[::1]:6060",
		"0.0.0.0:6060":   "0.0.0.0:6060",
		"localhost:6060": "localhost:6060",
	} {
		if got := debugAddress(in); got != want {
			t.Errorf("debugAddress(%q) = %q, want %q", in, got, want)
		}
	}
	c, err := parseServe(t, nil)
	if err != nil || c.debugAddr != "" {
		t.Errorf("--debug-addr defaults to %q (%v), want off", c.debugAddr, err)
	}
}

// TestDebugServerServesPprof starts the profiler's server and reads its index
// and a heap profile, then stops it with its context.
func TestDebugServerServesPprof(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := startDebugServer(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/debug/pprof/": "goroutine", "/debug/pprof/heap?debug=1": "heap profile"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, no %q in the body", path, resp.StatusCode, want)
		}
	}
	cancel()
	for i := 0; ; i++ {
		_, err := http.Get("http://" + addr + "/debug/pprof/")
		if err != nil {
			break
		}
		if i == 100 {
			t.Fatal("the debug server still answers after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServePoolFlags(t *testing.T) {
	c, err := parseServe(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.pool != (store.PoolLimits{MaxOpen: store.DefaultMaxOpenConns, MaxIdleTime: store.DefaultConnMaxIdleTime}) {
		t.Errorf("default pool limits %+v", c.pool)
	}
	c, err = parseServe(t, map[string]string{"ORIEL_DB_MAX_OPEN_CONNS": "40", "ORIEL_DB_MAX_IDLE_CONNS": "30"}, "--db-max-idle-conns", "20", "--db-conn-max-idle-time", "1m")
	if err != nil {
		t.Fatal(err)
	}
	if c.pool != (store.PoolLimits{MaxOpen: 40, MaxIdle: 20, MaxIdleTime: time.Minute}) {
		t.Errorf("pool limits from flags and environment: %+v", c.pool)
	}
	for _, args := range [][]string{
		{"--db-max-open-conns", "0"},
		{"--db-max-open-conns", "5", "--db-max-idle-conns", "6"},
		{"--db-max-idle-conns", "-1"},
		{"--db-conn-max-idle-time", "10ms"},
		{"--prune-interval", "100ms"},
	} {
		if _, err := parseServe(t, nil, args...); err == nil {
			t.Errorf("%v is accepted", args)
		}
	}
}
