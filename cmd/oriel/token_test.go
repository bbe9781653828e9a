package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
)

// signingKey makes a key pair with oriel keygen and returns the private
// key's path and the public key as linktoken.Verify takes it.
func signingKey(t *testing.T, alg, kid string) (string, linktoken.Key) {
	t.Helper()
	priv, pub, _, err := keygen(t, t.TempDir(), "--alg", alg)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := readKeyFile(t, pub)
	pk, err := keys.Parse(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	return priv, linktoken.Key{KID: kid, PublicKey: pk}
}

// verifyToken opens a token the way the server does.
func verifyToken(t *testing.T, raw string, key linktoken.Key) *linktoken.Token {
	t.Helper()
	tok, err := linktoken.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Verify([]linktoken.Key{key}); err != nil {
		t.Fatal(err)
	}
	if err := tok.CheckTime(time.Now(), 0, 0); err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestToken(t *testing.T) {
	priv, key := signingKey(t, keys.ES256, "k1")
	var out bytes.Buffer
	err := cmdToken(context.Background(), []string{"--key", priv, "--customer", "Eacme", "--user", "usr_1", "--origin", "https://app.vendor.example"},
		func(k string) string {
			return map[string]string{"ORIEL_VENDOR_ID": "vnd_1", "ORIEL_SIGNING_KEY_ID": "k1"}[k]
		}, &out, &out)
	if err != nil {
		t.Fatal(err)
	}
	tok := verifyToken(t, strings.TrimSuffix(out.String(), "\n"), key)
	if tok.KID() != "k1" || tok.VendorID() != "vnd_1" || tok.CustomerRef() != "Eacme" || tok.UserRef() != "usr_1" || tok.Origin() != "https://app.vendor.example" {
		t.Errorf("token claims: kid %s sub %s:%s:%s origin %s", tok.KID(), tok.VendorID(), tok.CustomerRef(), tok.UserRef(), tok.Origin())
	}
}

func TestTokenErrors(t *testing.T) {
	priv, _ := signingKey(t, keys.EdDSA, "")
	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--vendor", "vnd_1", "--customer", "c"}, "--key is required", 2},
		{[]string{"--key", priv, "--customer", "c"}, "--vendor is required", 2},
		{[]string{"--key", priv, "--vendor", "vnd_1"}, "--customer is required", 2},
		{[]string{"--key", priv + ".missing", "--vendor", "vnd_1", "--customer", "c"}, "no such file", 1},
		{[]string{"--key", priv, "--vendor", "vnd_1", "--customer", "c:d"}, "customer part", 1},
		{[]string{"--key", priv, "--vendor", "vnd_1", "--customer", "c", "--origin", "*"}, "origin", 1},
		{[]string{"--key", priv, "--vendor", "vnd_1", "--customer", "c", "--kid", "a b"}, "key id", 1},
	} {
		var out bytes.Buffer
		err := cmdToken(context.Background(), c.args, noEnvVars, &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != c.code {
			t.Errorf("%v: error %v (exit %d), want %q (exit %d)", c.args, err, exitCode(err), c.want, c.code)
		}
		if out.Len() != 0 {
			t.Errorf("%v printed %q", c.args, out.String())
		}
	}
}
