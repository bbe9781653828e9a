package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/orielhq/oriel/internal/seal"
)

// encryptionKeysEnv holds the keyring. Keys are never taken from a flag,
// where they would show in the process list.
const encryptionKeysEnv = "ORIEL_ENCRYPTION_KEYS"

// errNoEncryptionKeys says how to make a key; serve refuses to start without one.
var errNoEncryptionKeys = errors.New(`no encryption keys: Oriel encrypts stored credentials and will not start without a key.
Make one and start again:

    export ` + encryptionKeysEnv + `=k1:$(openssl rand -base64 32)

Keep it secret and keep it safe: without it the stored credentials cannot be read.
For local development only, run with --dev instead to keep a key in the data directory.`)

// loadKeyring returns the encryption keyring from ORIEL_ENCRYPTION_KEYS.
// When that is unset and dev is true, it uses the key file in dataDir,
// creating it on first use; otherwise it fails with errNoEncryptionKeys.
func loadKeyring(env func(string) string, dev bool, dataDir string, logger *slog.Logger) (*seal.Keyring, error) {
	if spec := env(encryptionKeysEnv); spec != "" {
		k, err := seal.ParseKeyring(spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", encryptionKeysEnv, err)
		}
		return k, nil
	}
	if !dev {
		return nil, errNoEncryptionKeys
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dataDir, seal.DevKeyFile)
	k, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Warn("created a development encryption key; set "+encryptionKeysEnv+" in production", "path", path)
	} else {
		logger.Info("using the development encryption key", "path", path)
	}
	return k, nil
}
