package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/orielhq/oriel/internal/keys"
)

func TestLink(t *testing.T) {
	priv, key := signingKey(t, keys.RS256, "")
	env := map[string]string{
		"ORIEL_REGIONS":    "us=https://us.oriel.example,eu=https://eu.oriel.example",
		"ORIEL_PUBLIC_URL": "https://self.oriel.example",
	}
	for _, c := range []struct {
		args           []string
		wantHost, path string
		wantDLPath     string
	}{
		{[]string{"--connection", "con_1", "--base-url", "https://oriel.example/"}, "oriel.example", "/direct_link/embedded/connections/con_1", ""},
		{[]string{"--app", "/connections", "--region", "eu"}, "eu.oriel.example", "/direct_link/embedded/app", "/connections"},
		{[]string{"--sso", "/connections?x=1", "--user", "Ealice"}, "self.oriel.example", "/direct_link/sso", "/connections?x=1"},
		{[]string{"--employee-dashboard", "--user", "Ealice"}, "self.oriel.example", "/direct_link/embedded/employee-dashboard", ""},
	} {
		var out bytes.Buffer
		args := append([]string{"--key", priv, "--vendor", "vnd_1", "--customer", "Eacme"}, c.args...)
		if err := cmdLink(context.Background(), args, func(k string) string { return env[k] }, &out, &out); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		u, err := url.Parse(strings.TrimSuffix(out.String(), "\n"))
		if err != nil || u.Host != c.wantHost || u.Path != c.path || u.Query().Get("dl_path") != c.wantDLPath {
			t.Errorf("%v: printed %s", c.args, out.String())
			continue
		}
		verifyToken(t, u.Query().Get("dl_token"), key)
	}
}

func TestLinkErrors(t *testing.T) {
	priv, _ := signingKey(t, keys.EdDSA, "")
	base := []string{"--key", priv, "--vendor", "vnd_1", "--customer", "Eacme"}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
		code int
	}{
		{[]string{"--base-url", "https://o.example"}, nil, "exactly one of", 2},
		{[]string{"--app", "/", "--sso", "/", "--base-url", "https://o.example"}, nil, "exactly one of", 2},
		{[]string{"--app", "/", "--employee-dashboard", "--base-url", "https://o.example"}, nil, "exactly one of", 2},
		{[]string{"--employee-dashboard", "--base-url", "https://o.example"}, nil, "give its user", 1},
		{[]string{"--app", "/"}, nil, "--base-url URL or --region NAME", 2},
		{[]string{"--app", "/", "--base-url", "https://o.example", "--region", "us"}, nil, "not both", 2},
		{[]string{"--app", "/", "--region", "jp"}, map[string]string{"ORIEL_REGIONS": "us=https://us.example"}, `"jp" is not configured`, 1},
		{[]string{"--app", "/", "--region", "us"}, map[string]string{"ORIEL_REGIONS": "us"}, "ORIEL_REGIONS", 1},
		{[]string{"--app", "//evil.example", "--base-url", "https://o.example"}, nil, "path", 1},
		{[]string{"--connection", "../x", "--base-url", "https://o.example"}, nil, "connection id", 1},
		{[]string{"--app", "/", "--base-url", "o.example"}, nil, "base URL", 1},
	} {
		var out bytes.Buffer
		err := cmdLink(context.Background(), append(append([]string{}, base...), c.args...), func(k string) string { return c.env[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != c.code {
			t.Errorf("%v: error %v (exit %d), want %q (exit %d)", c.args, err, exitCode(err), c.want, c.code)
		}
	}
}

func readKeyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
