package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
)

// emitters are the packages whose errors reach this server's responses. A
// package added to the request path belongs here, so its codes get documented.
var emitters = []string{".", "../store", "../keys", "../origin", "../apikey", "../linktoken", "../auth", "../token", "../connect", "../proxy", "../webhook", "../appointment", "../../web", "../../benefits"}

// TestErrorCodesDocumented keeps the error references honest, using the
// codes found in the source (every oriel.Errorf call, direct or through a
// wrapper): every code the emitters can answer is in a table of some
// docs/*.md with its status, and every code docs/errors.md lists is still
// emitted somewhere in the module.
func TestErrorCodesDocumented(t *testing.T) {
	emitted := scanErrorCodes(t, emitters, true)
	if len(emitted) < 20 {
		t.Fatalf("only %d codes found: the scanner is broken", len(emitted))
	}
	docs, _ := filepath.Glob("../../docs/*.md")
	documented := documentedCodes(t, docs...)
	for code, statuses := range emitted {
		for _, status := range statuses {
			if !slices.Contains(documented[code], status) {
				t.Errorf("code %s (status %d) is emitted but documented in no docs/*.md table", code, status)
			}
		}
	}
	anywhere := scanErrorCodes(t, modulePackages(t), false)
	for code := range documentedCodes(t, "../../docs/errors.md") {
		if _, ok := anywhere[code]; !ok {
			t.Errorf("docs/errors.md documents %s, which no code emits", code)
		}
	}
}

// documentedCodes reads the table rows "| `code` | status[, status] | …" of
// the given documents.
func documentedCodes(t *testing.T, paths ...string) map[string][]int {
	row := regexp.MustCompile("^\\|\\s*`([a-z0-9_]+)`\\s*\\|\\s*([0-9][0-9, ]*)\\|")
	codes := map[string][]int{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			m := row.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if seen[m[1]] {
				t.Errorf("%s lists %s twice", path, m[1])
			}
			seen[m[1]] = true
			for _, s := range strings.Split(m[2], ",") {
				n, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil {
					t.Fatalf("%s: bad status in %q", path, line)
				}
				codes[m[1]] = append(codes[m[1]], n)
			}
		}
	}
	return codes
}

// modulePackages lists every directory of the module that holds Go files.
func modulePackages(t *testing.T) []string {
	var dirs []string
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != "../.." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// codeScan resolves the constants of the scanned packages.
type codeScan struct {
	fset   *token.FileSet
	strict bool
	global map[string]string // "pkg.Name" → value, the oriel.E* kinds included
}

type scannedPackage struct {
	name   string
	files  []*ast.File
	consts map[string]string // Name → value
}

// scanErrorCodes parses the packages in dirs and returns every code an
// oriel.Errorf call can produce, with the statuses of its kinds. When strict,
// a call whose kind or code it cannot evaluate fails the test.
func scanErrorCodes(t *testing.T, dirs []string, strict bool) map[string][]int {
	sc := codeScan{fset: token.NewFileSet(), strict: strict, global: map[string]string{
		"oriel.EINVALID": oriel.EINVALID, "oriel.EUNAUTHORIZED": oriel.EUNAUTHORIZED, "oriel.EFORBIDDEN": oriel.EFORBIDDEN,
		"oriel.ENOTFOUND": oriel.ENOTFOUND, "oriel.ECONFLICT": oriel.ECONFLICT, "oriel.EUNPROCESSABLE": oriel.EUNPROCESSABLE,
		"oriel.ETOOLARGE": oriel.ETOOLARGE, "oriel.ERATELIMITED": oriel.ERATELIMITED, "oriel.EUNAVAILABLE": oriel.EUNAVAILABLE,
		"oriel.EINTERNAL": oriel.EINTERNAL,
	}}
	var pkgs []*scannedPackage
	for _, dir := range dirs {
		if p := sc.parse(t, dir); p != nil {
			pkgs = append(pkgs, p)
		}
	}
	codes := map[string][]int{}
	for _, p := range pkgs {
		sc.collect(t, p, codes)
	}
	return codes
}

// parse reads a directory's non-test Go files and its string constants.
func (sc codeScan) parse(t *testing.T, dir string) *scannedPackage {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	p := &scannedPackage{consts: map[string]string{}}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(sc.fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		p.name = f.Name.Name
		p.files = append(p.files, f)
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				spec := spec.(*ast.ValueSpec)
				for i, name := range spec.Names {
					if i < len(spec.Values) {
						if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							p.consts[name.Name] = v
							sc.global[p.name+"."+name.Name] = v
						}
					}
				}
			}
		}
	}
	if p.files == nil {
		return nil
	}
	return p
}

// collect adds the codes of p's oriel.Errorf calls to codes. A function that
// passes one of its parameters as the code is a wrapper: its callers' codes
// count instead.
func (sc codeScan) collect(t *testing.T, p *scannedPackage, codes map[string][]int) {
	type wrapper struct {
		codeArg int
		kind    ast.Expr
	}
	wrappers := map[string]wrapper{}
	inWrapper := map[*ast.CallExpr]bool{}
	for _, f := range p.files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			params := paramIndex(fn)
			ast.Inspect(fn, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && isErrorf(call, p.name) {
					if id, ok := call.Args[1].(*ast.Ident); ok {
						if i, ok := params[id.Name]; ok {
							wrappers[fn.Name.Name] = wrapper{i, call.Args[0]}
							inWrapper[call] = true
						}
					}
				}
				return true
			})
		}
	}
	add := func(pos token.Pos, kindExpr, codeExpr ast.Expr) {
		kind, code := sc.evaluate(kindExpr, p), sc.evaluate(codeExpr, p)
		status, ok := statusOfKind[kind]
		if (code == "" || !ok) && sc.strict {
			t.Errorf("%s: cannot tell the kind and code of this error; use a constant or literal", sc.fset.Position(pos))
		}
		if code != "" && ok && !slices.Contains(codes[code], status) {
			codes[code] = append(codes[code], status)
		}
	}
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" && isIdent(sel.X, "oriel") {
					t.Errorf("%s: build errors with oriel.Errorf so that this test sees their codes", sc.fset.Position(n.Pos()))
				}
			case *ast.CallExpr:
				if isErrorf(n, p.name) && !inWrapper[n] {
					add(n.Pos(), n.Args[0], n.Args[1])
				} else if id, ok := n.Fun.(*ast.Ident); ok {
					if w, ok := wrappers[id.Name]; ok && w.codeArg < len(n.Args) {
						add(n.Pos(), w.kind, n.Args[w.codeArg])
					}
				}
			}
			return true
		})
	}
}

// evaluate returns the value of a kind or code expression: a string
// literal, or a constant of p or of a scanned package.
func (sc codeScan) evaluate(e ast.Expr, p *scannedPackage) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, _ := strconv.Unquote(e.Value)
		return s
	case *ast.Ident:
		return p.consts[e.Name]
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return sc.global[x.Name+"."+e.Sel.Name]
		}
	}
	return ""
}

// isErrorf reports whether call is oriel.Errorf (plain Errorf inside package oriel).
func isErrorf(call *ast.CallExpr, pkg string) bool {
	if len(call.Args) < 2 {
		return false
	}
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		return fun.Sel.Name == "Errorf" && isIdent(fun.X, "oriel")
	case *ast.Ident:
		return fun.Name == "Errorf" && pkg == "oriel"
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// paramIndex maps a function's parameter names to their positions.
func paramIndex(fn *ast.FuncDecl) map[string]int {
	index := map[string]int{}
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			index[name.Name] = i
			i++
		}
	}
	return index
}
