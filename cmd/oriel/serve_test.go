package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/seal"
)

// parseServe parses serve's flags with env as the environment.
func parseServe(t *testing.T, env map[string]string, args ...string) (*serveConfig, error) {
	t.Helper()
	return parseServeConfig(args, func(k string) string { return env[k] }, io.Discard)
}

func TestServeConfigDefaults(t *testing.T) {
	c, err := parseServe(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":8080" || c.publicURL != "http://localhost:8080" || c.region != "us" || c.apiRate != 100 || c.apiBurst != 1000 ||
		c.tokenRate != 300 || c.tokenBurst != 3000 || c.linkFailures != 30 || len(c.proxies) != 0 || c.clientHeader != "X-Forwarded-For" ||
		c.dev || c.store.url() != filepath.Join("data", "oriel.db") || c.log.format != "text" {
		t.Errorf("defaults: %+v, database %q", c, c.store.url())
	}
}

func TestServeConfigFlagsWinOverEnv(t *testing.T) {
	env := map[string]string{
		"ORIEL_ADDR":                  "127.0.0.1:9000",
		"ORIEL_DATABASE_URL":          "postgres://env@db/oriel",
		"ORIEL_DATA_DIR":              "/env/data",
		"ORIEL_PUBLIC_URL":            "https://env.example.com/",
		"ORIEL_REGION":                "eu",
		"ORIEL_API_RATE":              "100.5",
		"ORIEL_TOKEN_BURST":           "40",
		"ORIEL_TRUSTED_PROXIES":       "10.0.0.0/8, 192.0.2.10",
		"ORIEL_CLIENT_ADDRESS_HEADER": "forwarded",
		"ORIEL_LOG_FORMAT":            "json",
		"ORIEL_LOG_LEVEL":             "debug",
	}
	fromEnv, err := parseServe(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if fromEnv.addr != "127.0.0.1:9000" || fromEnv.store.url() != "postgres://env@db/oriel" || fromEnv.store.dataDir != "/env/data" ||
		fromEnv.publicURL != "https://env.example.com" || fromEnv.region != "eu" || fromEnv.apiRate != 100.5 || fromEnv.tokenBurst != 40 ||
		fmt.Sprint(fromEnv.proxies) != "[10.0.0.0/8 192.0.2.10/32]" || fromEnv.clientHeader != "Forwarded" ||
		fromEnv.log.format != "json" || fromEnv.log.level != slog.LevelDebug {
		t.Errorf("from the environment: %+v", fromEnv)
	}

	fromFlags, err := parseServe(t, env,
		"--addr", ":7000", "--database", "postgresql://flag@db/oriel", "--data-dir", "/flag/data",
		"--public-url", "https://flag.example.com", "--region", "jp", "--api-rate", "5",
		"--trusted-proxies", "2001:db8::/32", "--client-address-header", "X-Forwarded-For",
		"--log-format", "text", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	if fromFlags.addr != ":7000" || fromFlags.store.url() != "postgresql://flag@db/oriel" || fromFlags.store.dataDir != "/flag/data" ||
		fromFlags.publicURL != "https://flag.example.com" || fromFlags.region != "jp" || fromFlags.apiRate != 5 || fromFlags.tokenBurst != 40 ||
		fmt.Sprint(fromFlags.proxies) != "[2001:db8::/32]" || fromFlags.clientHeader != "X-Forwarded-For" ||
		fromFlags.log.format != "text" || fromFlags.log.level != slog.LevelWarn {
		t.Errorf("flags over the environment: %+v", fromFlags)
	}
}

func TestServeConfigRejects(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"env rate limit not a number": {map[string]string{"ORIEL_API_RATE": "lots"}, nil, "environment variable ORIEL_API_RATE"},
		"zero rate limit":             {nil, []string{"--api-rate", "0"}, "--api-rate and --api-burst must be positive"},
		"NaN rate limit":              {nil, []string{"--token-rate", "NaN"}, "--token-rate and --token-burst must be positive"},
		"zero token burst":            {nil, []string{"--token-burst", "0"}, "--token-rate and --token-burst must be positive"},
		"zero link failures":          {nil, []string{"--link-failure-limit", "0"}, "--link-failure-limit"},
		"bad trusted proxy":           {nil, []string{"--trusted-proxies", "10.0.0.0/8,10.0.0.0/33"}, `--trusted-proxies: "10.0.0.0/33"`},
		"trusted proxy name":          {map[string]string{"ORIEL_TRUSTED_PROXIES": "lb.internal"}, nil, "--trusted-proxies"},
		"other client header":         {nil, []string{"--client-address-header", "X-Real-IP"}, "--client-address-header"},
		"relative public URL":         {nil, []string{"--public-url", "oriel.example.com"}, "--public-url must be an absolute"},
		"public URL with credentials": {nil, []string{"--public-url", "https://u:p@oriel.example.com"}, "--public-url"},
		"ftp public URL":              {map[string]string{"ORIEL_PUBLIC_URL": "ftp://x"}, nil, "--public-url"},
		"empty region":                {nil, []string{"--region", ""}, "--region"},
		"bad log level":               {map[string]string{"ORIEL_LOG_LEVEL": "loud"}, nil, "ORIEL_LOG_LEVEL"},
		"bad shutdown timeout":        {nil, []string{"--shutdown-timeout", "-1s"}, "--shutdown-timeout"},
	}
	for name, tc := range cases {
		_, err := parseServe(t, tc.env, tc.args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v (exit %d), want a usage error containing %q", name, err, exitCode(err), tc.want)
		}
	}
}

func TestLoadKeyringRequiresKeys(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	_, err := loadKeyring(func(string) string { return "" }, false, dataDir, discardLogger())
	if !errors.Is(err, errNoEncryptionKeys) {
		t.Fatalf("err = %v, want errNoEncryptionKeys", err)
	}
	for _, want := range []string{"ORIEL_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32)", "--dev"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not show %q: %s", want, err)
		}
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was created without --dev: %v", err)
	}
}

func TestLoadKeyringFromEnvWinsOverDev(t *testing.T) {
	entry, err := seal.NewKeyEntry("prod")
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	env := func(k string) string { return map[string]string{encryptionKeysEnv: entry}[k] }
	k, err := loadKeyring(env, true, dataDir, discardLogger())
	if err != nil || k.CurrentID() != "prod" {
		t.Fatalf("keyring %v, err %v; want the key from the environment", k, err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, seal.DevKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--dev created a key file although %s is set", encryptionKeysEnv)
	}
}

func TestLoadKeyringBadEnvHidesKey(t *testing.T) {
	const material = "c2VjcmV0LWJ1dC1zaG9ydA=="
	env := func(k string) string { return map[string]string{encryptionKeysEnv: "k1:" + material}[k] }
	_, err := loadKeyring(env, false, t.TempDir(), discardLogger())
	if err == nil || !strings.Contains(err.Error(), encryptionKeysEnv) {
		t.Fatalf("err = %v, want one naming %s", err, encryptionKeysEnv)
	}
	if strings.Contains(err.Error(), material) {
		t.Errorf("the error shows the key: %v", err)
	}
}

func TestLoadKeyringDevCreatesThenReuses(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	noEnv := func(string) string { return "" }
	first, err := loadKeyring(noEnv, true, dataDir, logger)
	if err != nil {
		t.Fatal(err)
	}
	second, err := loadKeyring(noEnv, true, dataDir, logger)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := first.Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Open(ct, nil); err != nil {
		t.Errorf("the second start uses another key: %v", err)
	}
	key, _ := os.ReadFile(filepath.Join(dataDir, seal.DevKeyFile))
	_, material, _ := strings.Cut(strings.TrimSpace(string(key)), ":")
	if material == "" || strings.Contains(logs.String(), material) {
		t.Errorf("the logs show the key (or the key file is empty): %s", logs.String())
	}
}

func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"postgres://oriel:hunter2@db:5432/oriel?sslmode=require": "postgres://oriel:xxxxx@db:5432/oriel?sslmode=require",
		"postgresql://db/oriel?password=hunter2&sslmode=disable": "postgresql://db/oriel?password=xxxxx&sslmode=disable",
		"data/oriel.db":        "data/oriel.db",
		"sqlite:/tmp/oriel.db": "sqlite:/tmp/oriel.db",
	}
	for in, want := range cases {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalURL(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:8080":   "http://localhost:8080",
		"[::]:9000":      "http://localhost:9000",
		"[::1]:9000":     "http://[::1]:9000",
	}
	for addr, want := range cases {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := localURL(tcp); got != want {
			t.Errorf("localURL(%s) = %q, want %q", addr, got, want)
		}
	}
}

// discardLogger returns a logger that drops everything.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestServeHTTPShutdownIsBounded checks that a request that never ends makes
// serveHTTP give up after its shutdown timeout with an error, not hang.
func TestServeHTTPShutdownIsBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, ln, h, 200*time.Millisecond, discardLogger()) }()
	go http.Get("http://" + ln.Addr().String() + "/")
	<-started
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "still running") {
			t.Errorf("serveHTTP = %v, want an error about requests still running", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serveHTTP did not return after its shutdown timeout")
	}
}

// TestWebhookAllowPrivate: internal webhook destinations are refused by
// default and allowed by --webhook-allow-private, its environment variable,
// or --dev (which the demo runs with).
func TestWebhookAllowPrivate(t *testing.T) {
	for _, tc := range []struct {
		env   map[string]string
		args  []string
		allow bool
	}{
		{nil, nil, false},
		{nil, []string{"--webhook-allow-private"}, true},
		{map[string]string{"ORIEL_WEBHOOK_ALLOW_PRIVATE": "true"}, nil, true},
		{map[string]string{"ORIEL_WEBHOOK_ALLOW_PRIVATE": "true"}, []string{"--webhook-allow-private=false"}, false},
		{nil, []string{"--dev"}, true},
	} {
		c, err := parseServe(t, tc.env, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.webhookDestinations().AllowPrivate; got != tc.allow {
			t.Errorf("env %v, flags %v: AllowPrivate %v, want %v", tc.env, tc.args, got, tc.allow)
		}
	}
}
