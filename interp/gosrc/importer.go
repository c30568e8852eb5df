package gosrc

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// srcImporter gives go/types the standard library's packages, type-checked
// from the sources in GOROOT without their function bodies. It keeps every
// package it loaded for its own life (the worker's), so that only the first
// import of a package costs time. Any other path (gokernel's own packages,
// modules, "C") is an error: go/types then lacks facts about it, and what
// depends on them is unknown.
type srcImporter struct {
	mu   sync.Mutex
	ctxt build.Context
	fset *token.FileSet
	pkgs map[string]*types.Package
	errs map[string]error
}

func newSrcImporter() *srcImporter {
	ctxt := build.Default
	ctxt.CgoEnabled = false // the pure Go files: no cgo run needed
	if ctxt.GOROOT == "" {
		ctxt.GOROOT = runtime.GOROOT()
	}
	return &srcImporter{
		ctxt: ctxt, fset: token.NewFileSet(),
		pkgs: map[string]*types.Package{"unsafe": types.Unsafe},
		errs: map[string]error{},
	}
}

// Import implements types.Importer.
func (s *srcImporter) Import(path string) (*types.Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(path, "")
}

// known reports whether path was imported already, without loading it.
func (s *srcImporter) known(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.pkgs[path]
	return ok
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
	p, err := s.check(path, dir)
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
