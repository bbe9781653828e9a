package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/orielhq/oriel/directlink"
)

// signerFlags are the flags `oriel token` and `oriel link` share: who signs
// and for whom.
type signerFlags struct {
	key, vendor, kid       string
	customer, user, origin string
}

// addSignerFlags registers the signer flags on f.
func addSignerFlags(f *commandFlags) *signerFlags {
	s := &signerFlags{}
	f.StringVar(&s.key, "key", "", "private key `file` (PEM: PKCS#8, PKCS#1 or SEC 1), as oriel keygen writes (required)")
	f.StringVar(&s.vendor, "vendor", "", "your vendor `id` (required)")
	f.StringVar(&s.kid, "kid", "", "the `kid` of the registered key, to put in the header")
	f.StringVar(&s.customer, "customer", "", "the customer: an Oriel `id` or E + its external id (required)")
	f.StringVar(&s.user, "user", "", "the user: an Oriel `id` or E + external id; leave out for a customer-level session")
	f.StringVar(&s.origin, "origin", "", "the `origin` of the page that frames the widget, scheme://host[:port]")
	f.bindEnv("key", "ORIEL_SIGNING_KEY_FILE")
	f.bindEnv("vendor", "ORIEL_VENDOR_ID")
	f.bindEnv("kid", "ORIEL_SIGNING_KEY_ID")
	return s
}

// signer checks the required flags and reads the key.
func (s *signerFlags) signer(f *commandFlags) (*directlink.Signer, error) {
	for _, required := range []struct{ name, value string }{{"--key", s.key}, {"--vendor", s.vendor}, {"--customer", s.customer}} {
		if required.value == "" {
			return nil, f.usageErrorf("%s is required", required.name)
		}
	}
	pem, err := os.ReadFile(s.key)
	if err != nil {
		return nil, err
	}
	var opts []directlink.Option
	if s.kid != "" {
		opts = append(opts, directlink.WithKeyID(s.kid))
	}
	return directlink.NewSigner(pem, s.vendor, opts...)
}

// cmdToken prints a signed direct-link token.
func cmdToken(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel token", "--key FILE --vendor ID --customer REF [flags]",
		`Prints a direct-link token (a JWT with sub, iat = now and a random jti),
signed with your private key. Use it once, within five minutes.`)
	s := addSignerFlags(f)
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	signer, err := s.signer(f)
	if err != nil {
		return err
	}
	token, err := signer.Token(s.customer, s.user, s.origin)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}
