package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
)

// vendorCommands are the subcommands of `oriel vendor`.
var vendorCommands = []command{
	{"create", "create a vendor and print its first API key (shown once)", cmdVendorCreate},
	{"list", "list the vendors", cmdVendorList},
}

// cmdVendor runs a subcommand of `oriel vendor`.
func cmdVendor(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "oriel vendor", "Manages vendors: the SaaS companies that embed Oriel widgets.",
		vendorCommands, args, env, stdout, stderr)
}

// createdVendor is the output of `oriel vendor create --json`.
type createdVendor struct {
	// Database is where the vendor was created (a PostgreSQL URL without
	// its password, or a SQLite file's absolute path): its API key works only
	// against a server on that database.
	Database string        `json:"database"`
	Vendor   *oriel.Vendor `json:"vendor"`
	APIKey   struct {
		*oriel.APIKey
		Secret string `json:"secret"`
	} `json:"api_key"`
}

// cmdVendorCreate creates a vendor with one API key and prints the key's secret once.
func cmdVendorCreate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel vendor create", "--name NAME [flags]",
		`Creates a vendor and its first API key, and prints the vendor id, the key and
the database it used. The key is shown only this once: Oriel keeps only its
hash. Use the --database (or --data-dir) of the server that will take the key:
by default this is ./data/oriel.db of the current directory.`)
	sf, lf := addStoreFlags(f), addLogFlags(f, slog.LevelWarn)
	var name string
	var asJSON bool
	f.StringVar(&name, "name", "", "the vendor's `name` (required)")
	f.BoolVar(&asJSON, "json", false, "print JSON, for scripts")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	if name = strings.TrimSpace(name); name == "" {
		return f.usageErrorf("--name is required")
	}
	db, err := openStore(ctx, sf, lf, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	var out createdVendor
	out.Database, out.Vendor = sf.describe(), &oriel.Vendor{Name: name}
	if err := db.CreateVendor(ctx, out.Vendor); err != nil {
		return fmt.Errorf("create vendor: %w", err)
	}
	out.APIKey.Secret, out.APIKey.APIKey, err = apikey.Create(ctx, db, out.Vendor.ID, "default")
	if err != nil {
		return fmt.Errorf("vendor %s was created, but its API key was not: %w", out.Vendor.ID, err)
	}
	if asJSON {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "Created vendor %s (%s) in the database %s.\n\nIts API key, shown only this once; store it somewhere safe:\n\n    %s\n\n"+
		"It works only against a server on that database (oriel serve with the same --database or --data-dir).\n",
		out.Vendor.ID, out.Vendor.Name, out.Database, out.APIKey.Secret)
	return nil
}

// cmdVendorList prints every vendor.
func cmdVendorList(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel vendor list", "[flags]", "Lists the vendors, oldest id first.")
	sf, lf := addStoreFlags(f), addLogFlags(f, slog.LevelWarn)
	var asJSON bool
	f.BoolVar(&asJSON, "json", false, "print JSON, for scripts")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	db, err := openStore(ctx, sf, lf, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	vendors := []*oriel.Vendor{}
	for page := (oriel.Page{Limit: 100}); ; {
		batch, more, err := db.ListVendors(ctx, page)
		if err != nil {
			return fmt.Errorf("list vendors: %w", err)
		}
		vendors = append(vendors, batch...)
		if !more || len(batch) == 0 {
			break
		}
		page.StartingAfter = batch[len(batch)-1].ID
	}
	if asJSON {
		return printJSON(stdout, vendors)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED")
	for _, v := range vendors {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.ID, v.Name, v.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
