package symbols

import (
	_ "embed" // for the interpreted generic sources
	"fmt"
	"go/parser"

	"github.com/traefik/yaegi/interp"
)

var (
	//go:embed internal/generic/slices/slices.go
	slicesSource string
	//go:embed internal/generic/maps/maps.go
	mapsSource string
)

// genericSources maps a file name, unique among the interpreter's sources,
// to interpreted Go source. yaegi keys a file's imports by its base name, so
// a name other than yaegi's default "_.go" keeps these imports from clashing
// with those of yaegi's own generic sources in the same package.
var genericSources = []struct{ name, src string }{
	{"gokernel_slices.go", slicesSource},
	{"gokernel_maps.go", mapsSource},
}

// LoadGeneric compiles into i the generic functions of the standard
// slices and maps packages that yaegi's partial source copies lack:
// slices.Sort, SortFunc, SortStableFunc, IsSorted, IsSortedFunc, Min,
// MinFunc, Max, MaxFunc, BinarySearch, BinarySearchFunc, Repeat, All,
// Values, Backward, AppendSeq, Collect, Sorted, SortedFunc,
// SortedStableFunc and Chunk, and maps.All, Keys, Values, Insert and
// Collect.
//
// Call it once, after i.Use(stdlib.Symbols), which compiles yaegi's own
// partial slices, maps and cmp. A second call fails, since the functions
// would be declared twice.
//
// The functions take []E and map[K]V where the standard library takes
// S ~[]E and M ~map[K]V, because yaegi cannot infer type arguments through
// such constraints; iterators are plain func types, because yaegi cannot
// instantiate iter.Seq. See the package documentation for what works.
func LoadGeneric(i *interp.Interpreter) error {
	for _, s := range genericSources {
		f, err := parser.ParseFile(i.FileSet(), s.name, s.src, parser.DeclarationErrors)
		if err != nil {
			return fmt.Errorf("parsing %s: %w", s.name, err)
		}
		prog, err := i.CompileAST(f)
		if err != nil {
			return fmt.Errorf("compiling %s: %w", s.name, err)
		}
		// Without Execute, calls to the non-generic functions of the
		// source silently return zero values.
		if _, err := i.Execute(prog); err != nil {
			return fmt.Errorf("running %s: %w", s.name, err)
		}
	}
	return nil
}
