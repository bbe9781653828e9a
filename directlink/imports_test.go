package directlink

import (
	"go/build"
	"strings"
	"testing"
)

// Vendors import this package alone: it must not depend on Oriel's server
// (the root package or anything under internal/).
func TestImportsNoServerCode(t *testing.T) {
	for _, dir := range []string{".", "claims"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/orielhq/oriel") && !strings.HasPrefix(imp, "github.com/orielhq/oriel/directlink") {
				t.Errorf("%s imports %s", dir, imp)
			}
		}
	}
}
