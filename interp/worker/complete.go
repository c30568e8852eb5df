package worker

import (
	"context"
	"maps"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// packageIndex maps import paths to their exported symbols, and package
// names to import paths, from the symbol tables the interpreter uses.
// It answers completion and inspection without touching the interpreter,
// which must not be used while a cell runs.
type packageIndex struct {
	// byPath holds each path's symbols, yaegi's wrapper types (names
	// beginning with "_") among them. A path that one table alone
	// provides, as most are, shares that table's map: never write to it.
	byPath map[string]map[string]reflect.Value
	byName map[string][]string
	names  map[string]string // import path → package name
}

var (
	indexOnce sync.Once
	index     packageIndex
)

func packages() *packageIndex {
	indexOnce.Do(func() {
		index = packageIndex{byPath: map[string]map[string]reflect.Value{}, byName: map[string][]string{}, names: map[string]string{}}
		merged := map[string]bool{} // paths whose map is the index's own
		for _, x := range symbolTables() {
			for key, syms := range x {
				slash := strings.LastIndexByte(key, '/')
				if slash < 0 {
					continue
				}
				path, name := key[:slash], key[slash+1:]
				m, ok := index.byPath[path]
				switch {
				case !ok:
					// Sharing the table's map, not copying it, saves
					// about 1 MiB of the worker's heap.
					index.byPath[path] = syms
					index.byName[name] = append(index.byName[name], path)
					index.names[path] = name
				case !merged[path]:
					m = maps.Clone(m)
					maps.Copy(m, syms)
					index.byPath[path] = m
					merged[path] = true
				default:
					maps.Copy(m, syms)
				}
			}
		}
		for _, paths := range index.byName {
			sort.Slice(paths, func(a, b int) bool { return len(paths[a]) < len(paths[b]) })
		}
	})
	return &index
}

// pathOf finds the import path for a package name used in a cell: an
// import of an earlier cell first, then the standard library.
func (s *session) pathOf(name string) string {
	path := s.state.Imports()[name]
	if path != "" {
		return path
	}
	if paths := packages().byName[name]; len(paths) > 0 {
		return paths[0]
	}
	return ""
}

func (s *session) complete(req proto.Complete) proto.Completion {
	start, end, expr := gosrc.IdentAt(req.Code, req.Cursor)
	ev := proto.Completion{Start: req.Cursor, End: req.Cursor, Matches: []string{}}
	var matches []string
	if dot := strings.LastIndexByte(expr, '.'); dot >= 0 {
		pkg, prefix := expr[:dot], expr[dot+1:]
		if path := s.pathOf(pkg); path != "" {
			for sym := range packages().byPath[path] {
				if strings.HasPrefix(sym, prefix) && !strings.HasPrefix(sym, "_") {
					matches = append(matches, sym)
				}
			}
		}
		start += dot + 1
	} else {
		seen := map[string]bool{}
		add := func(name string) {
			if strings.HasPrefix(name, expr) && !seen[name] && !strings.HasPrefix(name, "__gk") {
				seen[name] = true
				matches = append(matches, name)
			}
		}
		for _, n := range s.state.Names() {
			add(n.Name)
		}
		for _, k := range gosrc.Keywords() {
			add(k)
		}
		for _, b := range gosrc.Builtins() {
			add(b)
		}
		if expr != "" {
			for name := range packages().byName {
				add(name)
			}
		}
	}
	sort.Strings(matches)
	if matches != nil {
		ev.Matches, ev.Start, ev.End = matches, start, end
	}
	return ev
}

func (s *session) inspect(req proto.Inspect) proto.Inspection {
	_, _, expr := gosrc.IdentAt(req.Code, req.Cursor)
	var ev proto.Inspection
	if expr == "" {
		return ev
	}
	var text string
	if dot := strings.LastIndexByte(expr, '.'); dot >= 0 {
		pkg, sym := expr[:dot], expr[dot+1:]
		if path := s.pathOf(pkg); path != "" {
			if v, ok := packages().byPath[path][sym]; ok && !strings.HasPrefix(sym, "_") {
				text = goDoc(path+"."+sym, describeValue(path, sym, v))
			}
		}
	} else {
		if n, ok := s.state.Lookup(expr); ok {
			text = n.Source
			if n.Cell != "" {
				text += "\n\n// defined in " + n.Cell
			}
		}
		if text == "" {
			if path := s.pathOf(expr); path != "" {
				text = goDoc(path, "package "+expr+` // import "`+path+`"`)
			}
		}
	}
	if text == "" {
		return ev
	}
	ev.Found = true
	ev.Doc = map[string]any{"text/plain": text}
	return ev
}

// describeValue gives the Go signature of an exported symbol, from its
// reflect value.
func describeValue(path, sym string, v reflect.Value) string {
	name := path[strings.LastIndexByte(path, '/')+1:] + "." + sym
	if !v.IsValid() {
		return name
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Func:
		return "func " + name + strings.TrimPrefix(t.String(), "func")
	case v.Kind() == reflect.Ptr && v.IsNil() && t.Elem().Kind() != reflect.Interface:
		return "type " + name + " " + t.Elem().Kind().String()
	case v.Kind() == reflect.Ptr && v.IsNil():
		return "type " + name + " interface"
	default:
		return name + " " + t.String()
	}
}

// goDoc returns `go doc` text for what, when the go command is installed
// and answers quickly; otherwise fallback.
func goDoc(what, fallback string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "doc", what).Output()
	if err != nil || len(out) == 0 {
		return fallback
	}
	return strings.TrimRight(string(out), "\n")
}

// symbolTable answers gosrc.State.Symbols from the symbol tables, so that
// go/types knows the packages that have neither export data nor sources.
func symbolTable(path string) (name string, syms map[string]reflect.Value, ok bool) {
	syms, name, ok = packages().lookup(path)
	return name, syms, ok
}

// lookup finds the exported symbols and the package name of path.
func (x *packageIndex) lookup(path string) (map[string]reflect.Value, string, bool) {
	syms, ok := x.byPath[path]
	if !ok {
		return nil, "", false
	}
	return syms, x.names[path], true
}
