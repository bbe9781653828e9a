package linktoken_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// A token made as the reference docs show in Node.js — jsonwebtoken's
// sign({sub, jti: nanoid()}, privateKey, {algorithm: 'RS256'}) — is
// accepted. jsonwebtoken also signs ES256 (as R‖S), which is checked too.
func TestNodeJSONWebTokenAccepted(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed; install Node.js 20 or later, then run npm ci at the repository root")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, pkg := range []string{"jsonwebtoken", "nanoid"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("node_modules/%s is missing: run npm ci at the repository root (%s)", pkg, root)
		}
	}
	k := keysFor(t)
	for _, key := range []*linktokentest.Key{k.rsa.WithKID(""), k.ec.WithKID("")} {
		t.Run(key.Algorithm, func(t *testing.T) {
			cmd := exec.Command(node, filepath.Join("testdata", "sign.mjs"), key.Algorithm, sub, "https://app.vendor.example")
			cmd.Stdin = bytes.NewReader(key.PrivatePEM(t))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, stderr.String())
			}
			tok, err := open(string(out), []linktoken.Key{key.Key}, time.Now())
			if err != nil {
				t.Fatalf("the jsonwebtoken token was refused: %v", err)
			}
			if tok.VendorID() != vendorID || tok.UserRef() != "usr_ZQu" || len(tok.JTI()) != 21 || tok.Origin() != "https://app.vendor.example" {
				t.Errorf("claims: vendor %s user %s jti length %d origin %s", tok.VendorID(), tok.UserRef(), len(tok.JTI()), tok.Origin())
			}
		})
	}
}
