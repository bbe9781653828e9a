// Command oauthserver runs package oauthdev's local OAuth 2.0 authorization
// server on loopback for the browser tests (test/browser/harness.mjs): it
// registers one client whose only redirect URI is -redirect-uri, prints
// {"url", "issuer", "client_id", "client_secret"} as one JSON line, and
// serves until its standard input closes. It is a test program: Oriel itself
// never routes the development server.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/orielhq/oriel/internal/oauthdev"
)

// clientID is the browser tests' OAuth client.
const clientID = "oriel-browser-test"

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "oauthserver:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("oauthserver", flag.ContinueOnError)
	redirectURI := flags.String("redirect-uri", "", "the client's redirect URI, e.g. http://oriel.test:8080/oauth/callback")
	name := flags.String("client-name", "Browser Test Vendor", "the client's name on the consent page")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *redirectURI == "" {
		return errors.New("-redirect-uri is required")
	}
	srv := oauthdev.New(oauthdev.Options{ProviderName: "Demo CRM"})
	baseURL, stop, err := srv.Start(context.Background())
	if err != nil {
		return err
	}
	defer stop()
	secret := rand.Text()
	if err := srv.RegisterClient(oauthdev.Client{ID: clientID, Secret: secret, Name: *name, RedirectURIs: []string{*redirectURI}}); err != nil {
		return err
	}
	if err := json.NewEncoder(stdout).Encode(map[string]string{
		"url": baseURL, "issuer": srv.Issuer(), "client_id": clientID, "client_secret": secret,
	}); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, stdin) // serve until the harness closes our stdin
	return err
}
