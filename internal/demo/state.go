package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/apikey"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
)

// The files the demo keeps in its data directory, besides Oriel's database
// (oriel.db and its -wal and -shm files).
const (
	stateFile      = "demo.json"
	signingKeyFile = "northwind-signing-key.pem"
	databasePrefix = "oriel.db"
)

// state is what the demo remembers between runs: what Oriel shows only
// once (the API key) and the Demo CRM's client secret, which Oriel stores
// encrypted in the integration and the CRM, in memory, learns anew on
// every run. The file is readable by its owner only.
type state struct {
	VendorID        string `json:"vendor_id"`
	APIKey          string `json:"api_key"`
	CRMClientSecret string `json:"crm_client_secret"`
}

// vendorName is the partner app's vendor at Oriel.
const vendorName = "Northwind"

// loadOrCreateState reads the state of a previous run from dir, checking
// that the database still holds its vendor, or creates the vendor and its
// API key in db and records them.
func loadOrCreateState(ctx context.Context, db store.Store, dir string) (*state, bool, error) {
	path := filepath.Join(dir, stateFile)
	b, err := os.ReadFile(path)
	if err == nil {
		var st state
		if err := json.Unmarshal(b, &st); err != nil || st.VendorID == "" || st.APIKey == "" || st.CRMClientSecret == "" {
			return nil, false, fmt.Errorf("%s is damaged; start over with --reset", path)
		}
		if _, err := db.Vendor(ctx, st.VendorID); oriel.ErrorKind(err) == oriel.ENOTFOUND {
			return nil, false, fmt.Errorf("the database in %s has lost the demo's vendor %s; start over with --reset", dir, st.VendorID)
		} else if err != nil {
			return nil, false, err
		}
		return &st, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	v := &oriel.Vendor{Name: vendorName}
	if err := db.CreateVendor(ctx, v); err != nil {
		return nil, false, fmt.Errorf("create the demo's vendor: %w", err)
	}
	secret, _, err := apikey.Create(ctx, db, v.ID, "Northwind backend")
	if err != nil {
		return nil, false, fmt.Errorf("create the demo's API key: %w", err)
	}
	st := &state{VendorID: v.ID, APIKey: secret, CRMClientSecret: "dcs_" + rand.Text()}
	b, err = json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// Reset deletes the demo's data directory, so that the next run starts
// over. To never delete anything else, it refuses a directory holding any
// file the demo does not make. A missing directory is already reset.
func Reset(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !isDemoFile(e) {
			return fmt.Errorf("refusing to reset %s: it holds %s, which the demo did not make; is it the right --data-dir?", dir, e.Name())
		}
	}
	return os.RemoveAll(dir)
}

// isDemoFile reports whether e is one of the files the demo makes.
func isDemoFile(e fs.DirEntry) bool {
	switch name := e.Name(); {
	case e.IsDir():
		return false
	case name == stateFile, name == signingKeyFile, name == seal.DevKeyFile:
		return true
	default:
		return strings.HasPrefix(name, databasePrefix)
	}
}
