// Command expiredtoken prints a bound access token that expired an hour
// ago, for a customer of a vendor, sealed with the keys of an
// `oriel serve --dev` data directory. The browser tests hand it to a widget
// to see the server refuse it as token_expired: no token from the real
// endpoint expires within a test's time (the shortest lifetime is a
// minute), and the server's clock is not for tests to move. The token is
// made exactly as the server makes its own, only at an earlier time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/token"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "expiredtoken:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	f := flag.NewFlagSet("expiredtoken", flag.ContinueOnError)
	dataDir := f.String("data-dir", "", "the data directory of `oriel serve --dev`")
	vendor := f.String("vendor", "", "the vendor id")
	customer := f.String("customer", "", "the customer id")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *vendor == "" || *customer == "" {
		return errors.New("--data-dir, --vendor and --customer are required")
	}
	path := filepath.Join(*dataDir, seal.DevKeyFile)
	if _, err := os.Stat(path); err != nil {
		return err // never create a key file: it must be the server's
	}
	keys, _, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return err
	}
	anHourAgo := func() time.Time { return time.Now().Add(-time.Hour) }
	raw, err := token.NewMinter(keys, anHourAgo).Issue(token.Access,
		&token.Claims{VendorID: *vendor, CustomerID: *customer, Role: oriel.RoleAdmin}, time.Minute)
	if err != nil {
		return err
	}
	fmt.Println(raw)
	return nil
}
