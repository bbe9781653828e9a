package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// runOriel runs the CLI in process with the given environment.
func runOriel(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"oriel"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRunHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		stdout, _, err := runOriel(t, nil, args...)
		if err != nil {
			t.Fatalf("oriel %v: %v", args, err)
		}
		for _, c := range commands {
			if !strings.Contains(stdout, "  "+c.name+" ") || !strings.Contains(stdout, c.summary) {
				t.Errorf("oriel %v does not list %q: %s", args, c.name, stdout)
			}
		}
	}
}

func TestRunNoCommand(t *testing.T) {
	_, stderr, err := runOriel(t, nil)
	if exitCode(err) != 2 {
		t.Errorf("exit code %d, want 2 (err %v)", exitCode(err), err)
	}
	if !strings.Contains(stderr, "Usage: oriel <command>") {
		t.Errorf("no usage on stderr: %q", stderr)
	}
}

func TestRunUnknownCommand(t *testing.T) {
	_, _, err := runOriel(t, nil, "frobnicate")
	if exitCode(err) != 2 {
		t.Errorf("exit code %d, want 2 (err %v)", exitCode(err), err)
	}
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(err.Error(), "oriel help") {
		t.Errorf("error %v does not name the command and hint at 'oriel help'", err)
	}
}

// TestEveryCommandHasHelp runs each command of every table with --help, and
// through `help NAME`: usage on stdout, exit code 0, nothing else done.
func TestEveryCommandHasHelp(t *testing.T) {
	groups := map[string][]command{"": commands, "vendor": vendorCommands, "keys": keysCommands}
	for group, cmds := range groups {
		for _, c := range cmds {
			name := strings.TrimSpace(group + " " + c.name)
			prefix := strings.Fields(group)
			for _, args := range [][]string{
				append(append(prefix, c.name), "--help"),
				append(append(prefix, "help"), c.name),
			} {
				stdout, stderr, err := runOriel(t, nil, args...)
				if exitCode(err) != 0 {
					t.Errorf("oriel %v: exit code %d (err %v)", args, exitCode(err), err)
				}
				if !strings.Contains(stdout+stderr, "oriel "+name) || !strings.Contains(stdout+stderr, "Usage") {
					t.Errorf("oriel %v printed no usage of %q: %q %q", args, name, stdout, stderr)
				}
			}
		}
	}
}

func TestVendorGroupHelp(t *testing.T) {
	stdout, _, err := runOriel(t, nil, "vendor", "--help")
	if err != nil || !strings.Contains(stdout, "create") || !strings.Contains(stdout, "list") {
		t.Errorf("oriel vendor --help: %v, %q", err, stdout)
	}
	_, _, err = runOriel(t, nil, "vendor", "delete")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "oriel vendor help") {
		t.Errorf("oriel vendor delete: exit %d, %v", exitCode(err), err)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--no-such-flag"},
		{"serve", "extra-argument"},
		{"serve", "--api-rate", "many"},
		{"serve", "--trusted-proxies", "everyone"},
		{"migrate", "--log-format", "xml"},
		{"vendor", "create"}, // no --name
		{"vendor", "create", "--name", "  "},
	} {
		_, _, err := runOriel(t, nil, args...)
		if exitCode(err) != 2 {
			t.Errorf("oriel %v: exit code %d, want 2 (err %v)", args, exitCode(err), err)
		}
	}
}

func TestServeHelpShowsDefaultsAndEnv(t *testing.T) {
	stdout, _, err := runOriel(t, nil, "serve", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{
		"--addr address", "default :8080; env ORIEL_ADDR",
		"env ORIEL_DATABASE_URL", "default ./data; env ORIEL_DATA_DIR",
		"default http://localhost:8080; env ORIEL_PUBLIC_URL",
		"default us; env ORIEL_REGION", "default 100; env ORIEL_API_RATE", "default 3000; env ORIEL_TOKEN_BURST",
		"--trusted-proxies CIDRs", "env ORIEL_TRUSTED_PROXIES",
		"ORIEL_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32)", "--dev\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, stdout)
		}
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{usageErrorf("bad"), 2},
		{errors.New("failed"), 1},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// `oriel help` describes what Oriel has, and no widget it does not have
// (issue 13: it mentioned dashboards).
func TestRunHelpDescribesWhatExists(t *testing.T) {
	stdout, _, err := runOriel(t, nil, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"connection widget", "direct links", "bound access tokens", "link inspect"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("oriel help lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "dashboard") {
		t.Errorf("oriel help mentions dashboards, which Oriel does not have:\n%s", stdout)
	}
}

// `oriel vendor create` says which database it used, so that a key made in
// another directory's ./data is not a mystery (issue 13).
func TestVendorCreatePrintsItsDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	stdout, _, err := runOriel(t, nil, "vendor", "create", "--name", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "data", "oriel.db")
	if !strings.Contains(stdout, "in the database "+want+".") || !strings.Contains(stdout, "--data-dir") {
		t.Errorf("vendor create does not name %s:\n%s", want, stdout)
	}
	stdout, _, err = runOriel(t, map[string]string{"ORIEL_DATA_DIR": filepath.Join(dir, "other")}, "vendor", "create", "--name", "Acme", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Database string }
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Database != filepath.Join(dir, "other", "oriel.db") {
		t.Errorf("--json database %q (%v)", out.Database, err)
	}
}
