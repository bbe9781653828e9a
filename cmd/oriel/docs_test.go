package main

import (
	"flag"
	"os"
	"strings"
	"testing"
)

// TestDocsListEverySetting keeps the settings tables of the README and the
// deployment guide in step with serve's flags and environment variables.
func TestDocsListEverySetting(t *testing.T) {
	f, _ := newServeFlags()
	for _, doc := range []string{"../../README.md", "../../docs/deployment.md"} {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		f.VisitAll(func(fl *flag.Flag) {
			if !strings.Contains(text, "| `--"+fl.Name+"` |") {
				t.Errorf("%s has no settings row for --%s", doc, fl.Name)
			}
			if key := f.envKeys[fl.Name]; key != "" && !strings.Contains(text, "| `"+key+"` |") {
				t.Errorf("%s does not list %s", doc, key)
			}
		})
		if !strings.Contains(text, "| `"+encryptionKeysEnv+"` |") {
			t.Errorf("%s does not list %s", doc, encryptionKeysEnv)
		}
	}
}
