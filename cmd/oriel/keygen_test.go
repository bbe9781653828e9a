package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orielhq/oriel/directlink"
	"github.com/orielhq/oriel/internal/keys"
)

// keygen runs cmdKeygen in dir with args and returns the private and public key paths.
func keygen(t *testing.T, dir string, args ...string) (priv, pub string, stdout string, err error) {
	t.Helper()
	priv, pub = filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")
	var out bytes.Buffer
	err = cmdKeygen(context.Background(), append([]string{"--out", priv, "--pub", pub}, args...), noEnvVars, &out, &out)
	return priv, pub, out.String(), err
}

func noEnvVars(string) string { return "" }

func TestKeygen(t *testing.T) {
	for _, alg := range []string{"", keys.RS256, keys.ES256, keys.EdDSA} {
		t.Run("alg="+alg, func(t *testing.T) {
			var args []string
			want := keys.RS256
			if alg != "" {
				args, want = []string{"--alg", alg}, alg
			}
			priv, pub, stdout, err := keygen(t, t.TempDir(), args...)
			if err != nil {
				t.Fatal(err)
			}
			if info, err := os.Stat(priv); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("private key mode = %v, %v; want 0600", info.Mode().Perm(), err)
			}
			pubPEM, _ := os.ReadFile(pub)
			pk, err := keys.Parse(string(pubPEM))
			if err != nil || pk.Algorithm != want {
				t.Fatalf("public key: %v, algorithm %v", err, pk)
			}
			if want == keys.RS256 && pk.Key.(interface{ Size() int }).Size() != 256 {
				t.Error("RSA key is not 2048 bits")
			}
			privPEM, _ := os.ReadFile(priv)
			signer, err := directlink.NewSigner(privPEM, "vnd_1")
			if err != nil || signer.Algorithm() != want {
				t.Fatalf("private key: %v", err)
			}
			if !strings.Contains(stdout, pk.Fingerprint) || !strings.Contains(stdout, "/v1/signing-keys") {
				t.Errorf("output = %s", stdout)
			}
		})
	}
}

func TestKeygenNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	for _, existing := range []string{"private.pem", "public.pem"} {
		path := filepath.Join(dir, existing)
		if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := keygen(t, dir); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("with %s present: error %v", existing, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "precious" {
			t.Errorf("%s was overwritten", existing)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("keygen left %d files", len(entries))
		}
		os.Remove(path)
	}
}

func TestKeygenUsage(t *testing.T) {
	var out bytes.Buffer
	if err := cmdKeygen(context.Background(), []string{"--help"}, noEnvVars, &out, &out); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	if !strings.Contains(out.String(), "Usage: oriel keygen") || !strings.Contains(out.String(), "--alg") {
		t.Errorf("help = %s", out.String())
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"--alg", "HS256"}, {"--alg", "none"}, {"extra"}, {"--pub", filepath.Join(dir, "private.pem")}} {
		if _, _, _, err := keygen(t, dir, args...); exitCode(err) != 2 {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs left %d files", len(entries))
	}
}
