package gosrc

import (
	"context"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// srcImporter gives go/types the standard library's packages. With a go
// command, it reads their export data from Go's build cache: one "go list
// -export -deps" for the packages a cell imports anew (about 0.2 s), whose
// answers it keeps in a file for later workers, which then read export data
// only (milliseconds). Without one, or when that fails, it type-checks
// GOROOT's sources without function bodies (0.3 to 1 s for a package that
// needs the runtime's). It keeps every package it loaded for its own life
// (the worker's). Any other path (gokernel's own packages, modules), and a
// standard package whose sources are missing, comes from the interpreter's
// symbol table when the state has one (reflecttypes.go); else it is an
// error: go/types then lacks facts about it, and what depends on them is
// unknown.
type srcImporter struct {
	mu   sync.Mutex
	ctxt build.Context
	fset *token.FileSet
	pkgs map[string]*types.Package
	errs map[string]error

	// symbols gives the symbol table of a package (see State.Symbols),
	// for the packages that have neither export data nor sources; those
	// built from it are partial.
	symbols func(path string) (name string, syms map[string]reflect.Value, ok bool)
	partial map[string]bool

	gocmd     string            // the go command, or ""
	cacheFile string            // where exports is kept between workers, or ""
	exports   map[string]string // package path → its export data file
	listed    map[string]bool   // paths go list was asked about
	gc        types.Importer    // reads export data through exports
}

func newSrcImporter(gocmd, cacheDir string) *srcImporter {
	ctxt := build.Default
	ctxt.CgoEnabled = false // the pure Go files: no cgo run needed
	if ctxt.GOROOT == "" {
		ctxt.GOROOT = runtime.GOROOT()
	}
	s := &srcImporter{
		ctxt: ctxt, fset: token.NewFileSet(),
		pkgs: map[string]*types.Package{"unsafe": types.Unsafe},
		errs: map[string]error{}, partial: map[string]bool{},
		gocmd: gocmd, exports: map[string]string{}, listed: map[string]bool{},
	}
	s.gc = importer.ForCompiler(s.fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := s.exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(file)
	})
	if gocmd != "" && cacheDir != "" {
		s.cacheFile = filepath.Join(cacheDir, "exports-"+runtime.Version()+".txt")
		if data, err := os.ReadFile(s.cacheFile); err == nil {
			for line := range strings.Lines(string(data)) {
				if path, file, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t"); ok {
					s.exports[path] = file
				}
			}
		}
	}
	return s
}

// prefetch asks the go command once for the export data of those of paths
// (and their dependencies) that it does not know yet.
func (s *srcImporter) prefetch(paths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefetchLocked(paths)
}

// prefetchLocked is prefetch with s.mu held.
func (s *srcImporter) prefetchLocked(paths []string) {
	if s.gocmd == "" {
		return
	}
	var ask []string
	for _, p := range paths {
		if _, done := s.pkgs[p]; done || s.listed[p] || !isStdPath(p) || p == "unsafe" {
			continue
		}
		if file, ok := s.exports[p]; ok {
			if _, err := os.Stat(file); err == nil {
				continue // the build cache may have trimmed it
			}
		}
		ask = append(ask, p)
	}
	if len(ask) == 0 {
		return
	}
	for _, p := range ask {
		s.listed[p] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second) // then the sources
	defer cancel()
	cmd := exec.CommandContext(ctx, s.gocmd, append([]string{"list", "-e", "-export", "-deps", "-f", "{{if .Standard}}{{.ImportPath}}\t{{.Export}}{{end}}"}, ask...)...)
	cmd.Dir = os.TempDir() // outside any module
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return // the sources will do
	}
	for line := range strings.Lines(string(out)) {
		if path, file, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok && file != "" {
			s.exports[path] = file
		}
	}
	if s.cacheFile != "" {
		var b strings.Builder
		for path, file := range s.exports {
			fmt.Fprintf(&b, "%s\t%s\n", path, file)
		}
		_ = os.MkdirAll(filepath.Dir(s.cacheFile), 0o755)
		tmp := s.cacheFile + ".tmp" + strconv.Itoa(os.Getpid())
		if os.WriteFile(tmp, []byte(b.String()), 0o644) == nil {
			_ = os.Rename(tmp, s.cacheFile)
		}
	}
}

// Import implements types.Importer.
func (s *srcImporter) Import(path string) (*types.Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(path, "")
}

// isPartial reports whether the package at path was built from a symbol
// table, which lacks generic functions and unexported names.
func (s *srcImporter) isPartial(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.partial[path]
}

// load imports path, as seen from directory dir (for the standard
// library's vendored packages). s.mu is held.
func (s *srcImporter) load(path, dir string) (*types.Package, error) {
	if p, ok := s.pkgs[path]; ok {
		return p, nil
	}
	if err, ok := s.errs[path]; ok {
		return nil, err
	}
	if _, ok := s.exports[path]; ok && dir == "" {
		if p, err := s.gc.Import(path); err == nil {
			s.pkgs[path] = p
			return p, nil
		}
	}
	p, err := s.check(path, dir)
	if err != nil && dir == "" && s.symbols != nil {
		if name, syms, ok := s.symbols(path); ok {
			s.partial[path] = true
			return s.reflectPackage(path, name, syms)
		}
	}
	if err != nil {
		s.errs[path] = err
		return nil, err
	}
	s.pkgs[path] = p
	if p.Path() != path { // a vendored package, imported under its short path
		s.pkgs[p.Path()] = p
	}
	return p, nil
}

func (s *srcImporter) check(path, dir string) (*types.Package, error) {
	if s.ctxt.GOROOT == "" || path == "C" || build.IsLocalImport(path) {
		return nil, fmt.Errorf("no source for %q", path)
	}
	if dir == "" {
		dir = filepath.Join(s.ctxt.GOROOT, "src")
	}
	bp, err := s.ctxt.Import(path, dir, 0)
	if err != nil {
		return nil, fmt.Errorf("no source for %q: %w", path, err)
	}
	if !bp.Goroot {
		return nil, fmt.Errorf("%q is not in the standard library", path)
	}
	if bp.ImportPath != path {
		if p, ok := s.pkgs[bp.ImportPath]; ok {
			return p, nil
		}
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(s.fset, filepath.Join(bp.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", path, err)
		}
		files = append(files, f)
	}
	conf := types.Config{
		IgnoreFuncBodies: true,
		FakeImportC:      true,
		Importer:         importerFunc(func(p string) (*types.Package, error) { return s.load(p, bp.Dir) }),
		Error:            func(error) {}, // keep what checks: facts that fail are unknown
		Sizes:            types.SizesFor("gc", runtime.GOARCH),
	}
	pkg, err := conf.Check(bp.ImportPath, s.fset, files, nil)
	if pkg == nil {
		return nil, fmt.Errorf("checking %s: %w", path, err)
	}
	pkg.MarkComplete()
	return pkg, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// isStdPath reports whether path looks like a standard library path: no dot
// in its first element.
func isStdPath(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && path != "C"
}
