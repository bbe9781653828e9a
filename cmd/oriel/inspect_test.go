package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/orielhq/oriel/directlink"
)

// `oriel link inspect` prints every check of a link and the first refusal's
// code and fix, and never uses the link up.
func TestLinkInspect(t *testing.T) {
	t.Parallel()
	env := processEnv("ORIEL_DATA_DIR="+t.TempDir(), newKeysEnv(t))
	s := startServe(t, env)
	signer, apiKey := linkVendor(t, s, env)
	inspect := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := cmdLink(context.Background(), append([]string{"inspect"}, args...), func(k string) string {
			return map[string]string{"ORIEL_API_KEY": apiKey}[k]
		}, &out, &out)
		return out.String(), err
	}

	token, err := signer.Token("Eacme", "", "")
	if err != nil {
		t.Fatal(err)
	}
	link, err := directlink.BuildURL(s.url, directlink.KindApp, "/connections", token)
	if err != nil {
		t.Fatal(err)
	}
	out, err := inspect(link)
	if err != nil || !strings.Contains(out, "The link opens") || !strings.Contains(out, "single_use") || !strings.Contains(out, `"alg":"RS256"`) {
		t.Fatalf("valid link: %v\n%s", err, out)
	}
	if code, page := s.open(t, token); code != http.StatusOK {
		t.Fatalf("the inspected link answered %d, want 200 (not used up):\n%.300s", code, page)
	}

	refused, err := signer.Token("Eacme", "", "https://evil.test")
	if err != nil {
		t.Fatal(err)
	}
	out, err = inspect("--json", refused, "--base-url", s.url)
	if err == nil || !strings.Contains(err.Error(), "403 origin_not_allowed") || !strings.Contains(out, `"code": "origin_not_allowed"`) {
		t.Fatalf("refused token: %v\n%s", err, out)
	}
	out, err = inspect("--base-url", s.url, refused)
	if err == nil || !strings.Contains(out, "REFUSED") || !strings.Contains(out, "iframe stays empty") || !strings.Contains(out, "allowed_origins") {
		t.Fatalf("refused token, text: %v\n%s", err, out)
	}
	t.Logf("oriel link inspect of a refused token:\n%s", out)

	if _, err := inspect(refused); err == nil || exitCode(err) != 2 {
		t.Fatalf("a bare token without a base URL: %v, want a usage error", err)
	}
	if _, err := inspect(); err == nil || exitCode(err) != 2 {
		t.Fatalf("no argument: %v, want a usage error", err)
	}
}
