package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// touch creates empty files in dir.
func touch(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResetDeletesADemoDirectory(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "demo.json", "northwind-signing-key.pem", "encryption.key", "oriel.db", "oriel.db-wal")
	if err := Reset(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the demo directory is still there: %v", err)
	}
	if err := Reset(dir); err != nil {
		t.Errorf("resetting a missing directory: %v", err)
	}
}

func TestResetRefusesAnyOtherDirectory(t *testing.T) {
	withFile := t.TempDir()
	touch(t, withFile, "demo.json", "notes.txt")
	withDir := t.TempDir()
	touch(t, withDir, "demo.json")
	if err := os.Mkdir(filepath.Join(withDir, "photos"), 0o700); err != nil {
		t.Fatal(err)
	}
	for dir, foreign := range map[string]string{withFile: "notes.txt", withDir: "photos"} {
		if err := Reset(dir); err == nil || !strings.Contains(err.Error(), foreign) {
			t.Errorf("Reset of a directory holding %s: %v", foreign, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "demo.json")); err != nil {
			t.Errorf("Reset deleted files of a directory it refused: %v", err)
		}
	}
}
