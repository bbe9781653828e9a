package client

import (
	"go/build"
	"strings"
	"testing"
)

// Vendors import this package alone: it must not depend on Oriel's server
// (the root package or anything under internal/).
func TestImportsNoServerCode(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/orielhq/oriel") {
			t.Errorf("client imports %s", imp)
		}
	}
}
