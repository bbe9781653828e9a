package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/orielhq/oriel/internal/keys"
)

// cmdKeygen writes a new signing key pair for direct-link tokens.
func cmdKeygen(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel keygen", "[--alg RS256|ES256|EdDSA] [--out private.pem] [--pub public.pem]",
		`Creates a key pair for signing direct-link tokens: the private key stays with
you (file mode 0600), the public key is registered with Oriel
(POST /v1/signing-keys). Existing files are never overwritten.`)
	var alg, out, pub string
	f.StringVar(&alg, "alg", keys.RS256, "`algorithm`: RS256 (RSA-2048), ES256 (ECDSA P-256) or EdDSA (Ed25519)")
	f.StringVar(&out, "out", "private.pem", "`file` for the private key, PKCS#8 PEM")
	f.StringVar(&pub, "pub", "public.pem", "`file` for the public key, SPKI PEM")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	if out == pub {
		return f.usageErrorf("--out and --pub name the same file")
	}
	for _, path := range []string{out, pub} {
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s already exists (or cannot be checked); keygen never overwrites a key", path)
		}
	}
	priv, err := generateKey(alg)
	if err != nil {
		return f.usageErrorf("%v", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pubKey, err := keys.FromCrypto(priv.Public())
	if err != nil {
		return err
	}
	if err := writeNewFile(out, 0o600, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})); err != nil {
		return err
	}
	if err := writeNewFile(pub, 0o644, []byte(pubKey.PEM)); err != nil {
		_ = os.Remove(out)
		return err
	}
	fmt.Fprintf(stdout, `Wrote %s (%s private key, mode 0600: keep it secret) and %s (fingerprint %s).
Register the public key with POST /v1/signing-keys {"public_key": "<contents of %s>"},
then sign links with: oriel link --key %s --vendor VENDOR_ID --customer CUSTOMER --app /connections
`, out, pubKey.Algorithm, pub, pubKey.Fingerprint, pub, out)
	return nil
}

// generateKey makes a private key for a JWS algorithm.
func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case keys.RS256:
		return rsa.GenerateKey(rand.Reader, keys.MinRSABits)
	case keys.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case keys.EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	default:
		return nil, fmt.Errorf("--alg must be RS256, ES256 or EdDSA")
	}
}

// writeNewFile creates path with perm and data, failing if it exists.
func writeNewFile(path string, perm os.FileMode, data []byte) error {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := file.Write(data); err != nil {
		file.Close()
		os.Remove(path)
		return err
	}
	if err := file.Sync(); err != nil {
		file.Close()
		os.Remove(path)
		return err
	}
	return file.Close()
}
