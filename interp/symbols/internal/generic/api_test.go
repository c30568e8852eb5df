package generic_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"
)

// TestCompleteAPI checks that each interpreted source declares every
// exported function of its standard-library package, so that a newer Go
// adding one is noticed.
func TestCompleteAPI(t *testing.T) {
	imp := importer.ForCompiler(token.NewFileSet(), "source", nil)
	for _, pkg := range []string{"slices", "maps"} {
		std, err := imp.Import(pkg)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(pkg, pkg+".go"), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				ours = append(ours, fd.Name.Name)
			}
		}
		for _, name := range std.Scope().Names() {
			if token.IsExported(name) && !slices.Contains(ours, name) {
				t.Errorf("%s.%s is not declared in %s/%s.go", pkg, name, pkg, pkg)
			}
		}
		for _, name := range ours {
			if std.Scope().Lookup(name) == nil {
				t.Errorf("%s/%s.go declares %s, which the standard package lacks", pkg, pkg, name)
			}
		}
	}
}
