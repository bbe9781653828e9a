package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DevKeyFile is the name of the key file that `oriel serve --dev` keeps in
// its data directory.
const DevKeyFile = "encryption.key"

// NewKeyEntry returns a keyring entry "id:base64key" for a new random key,
// in the ORIEL_ENCRYPTION_KEYS format.
func NewKeyEntry(id string) (string, error) {
	if !validKeyID(id) {
		return "", fmt.Errorf("invalid key id %q: use 1-%d letters, digits, '-' or '_'", id, maxKeyIDLen)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("read random key: %w", err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}

// LoadOrCreateKeyFile returns the keyring stored at path, in the
// ORIEL_ENCRYPTION_KEYS format. When the file does not exist it first creates
// it, with mode 0600, holding one new random key with id "dev"; created
// reports that. It refuses a file that the group or others may access.
// Concurrent callers all end up with the same key.
func LoadOrCreateKeyFile(path string) (k *Keyring, created bool, err error) {
	if _, statErr := os.Stat(path); errors.Is(statErr, fs.ErrNotExist) {
		if created, err = createKeyFile(path); err != nil {
			return nil, false, err
		}
	}
	if k, err = readKeyFile(path); err != nil {
		return nil, false, err
	}
	return k, created, nil
}

// createKeyFile writes a new key to a private temporary file and links it to
// path, so that no reader ever sees a partial file. It reports false when
// another process created path first.
func createKeyFile(path string) (bool, error) {
	entry, err := NewKeyEntry("dev")
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keyfile-*") // mode 0600
	if err != nil {
		return false, fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(entry + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("create key file: %w", err)
	}
	return true, nil
}

// readKeyFile parses the keyring in the file at path, which must be private.
func readKeyFile(path string) (*Keyring, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s has mode %04o: others may read it; run: chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	k, err := ParseKeyring(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}
