package gosrc

import (
	"go/types"
	"reflect"
	"sort"
	"sync"
)

// State is what the kernel knows about the cells that have run: imports,
// declared names with their types and declaration source, and type
// definitions. [Compile] reads it; the worker calls [State.Commit] for each
// unit that ran without error. A State is safe for concurrent use, so
// completion requests may read it while a cell runs.
type State struct {
	// PkgName, when set, gives the name of the package at an import path.
	// The worker can answer from its symbol tables. When it is nil, or
	// returns "", go/types tells the name, or else it is the path's last
	// element.
	PkgName func(path string) string
	// Symbols, when set before the first cell, gives the interpreter's
	// symbol table of the package at an import path, in yaegi's layout
	// (a map from name to reflect.Value, a type as (*T)(nil)), and the
	// package's name. go/types builds from it the packages that have
	// neither export data nor sources, such as gokernel's own.
	Symbols func(path string) (name string, syms map[string]reflect.Value, ok bool)
	// PlainGo, when set and true, leaves go statements as they are written,
	// so that a goroutine's panic is not recovered (see goStmt). The worker
	// sets it while a debugger is attached: yaegi's debugger does not follow
	// goroutines started through the Prelude's wrapper.
	PlainGo func() bool

	mu sync.Mutex
	decls
	tmp int // counter for __gkN temporaries
	// undefined maps the names that a cell declared and then lost,
	// because it failed to compile (see Fail), to that cell.
	undefined map[string]string
	// tobjs are the go/types objects of the names that committed cells
	// declared, where go/types could check them (see typecheck.go).
	tobjs map[string]types.Object
	// GoCommand, when set before the first cell, is the go command that
	// go/types may ask for the standard library's export data in Go's
	// build cache, and CacheDir a directory where the answers are kept for
	// later workers. Without it, go/types reads GOROOT's sources, which
	// takes longer on the first import of a package.
	GoCommand, CacheDir string

	// importer loads the standard library's packages for go/types, once
	// for the state's life; noTypes disables go/types (as when it has no
	// GOROOT sources), for tests of what happens then.
	importer *srcImporter
	noTypes  bool
}

// decls are the declarations of cells, by kind. State holds those of the
// cells that ran; Compile keeps those of the current cell's earlier units
// apart, until they run.
type decls struct {
	imports map[string]string             // package name → path
	globals map[string]*record            // vars, consts, funcs, types
	methods map[string]map[string]*record // receiver type name → method name →
	types   map[string]string             // type name → canonical definition
}

func newDecls() decls {
	return decls{
		imports: map[string]string{},
		globals: map[string]*record{},
		methods: map[string]map[string]*record{},
		types:   map[string]string{},
	}
}

// apply adds the declaration r.
func (d *decls) apply(r *record) {
	switch r.name.Kind {
	case "import":
		d.imports[r.name.Name] = r.path
	case "method":
		m := d.methods[r.recv]
		if m == nil {
			m = map[string]*record{}
			d.methods[r.recv] = m
		}
		m[r.name.Name] = r
	default:
		d.globals[r.name.Name] = r
		if r.name.Kind == "type" {
			d.types[r.name.Name] = r.def
		}
	}
}

// clone copies d, so that the copy can be read without a lock.
func (d *decls) clone() decls {
	c := newDecls()
	for k, v := range d.imports {
		c.imports[k] = v
	}
	for k, v := range d.globals {
		c.globals[k] = v
	}
	for k, m := range d.methods {
		mc := map[string]*record{}
		for mk, mv := range m {
			mc[mk] = mv
		}
		c.methods[k] = mc
	}
	for k, v := range d.types {
		c.types[k] = v
	}
	return c
}

// A Name is one identifier that cells declared, for completion and
// inspection.
type Name struct {
	Name string
	Kind string // "var", "const", "func", "type", "method" or "import"
	// Type is a var's or const's type when it is known, a method's
	// receiver type name, an import's path.
	Type string
	// Signature is a func's or method's signature, such as
	// "func sq(x int) int", or a type's first line.
	Signature string
	// Source is the declaration as written in the cell, with its doc
	// comment; for := it is the whole statement.
	Source string
	Cell   string // the cell that declared it, such as "In[3]"
}

// record is one declaration a unit makes, applied by Commit.
type record struct {
	name Name
	obj  *object
	recv string // for methods: the receiver's type name
	path string // for imports
	def  string // for types: canonical definition
	src  string // for funcs and methods: the unit that declares it alone
}

// NewState returns the state of a fresh interpreter.
func NewState() *State {
	return &State{decls: newDecls(), undefined: map[string]string{}, tobjs: map[string]types.Object{}}
}

// Commit records what unit u declared. Call it after u ran without error,
// so that later cells see its names and do not import its packages again.
func (s *State) Commit(u Unit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range u.records {
		s.apply(r)
		delete(s.undefined, r.name.Name)
		if r.name.Kind == "import" || r.name.Kind == "method" {
			continue
		}
		if obj := u.facts.object(r.name.Name); obj != nil {
			s.tobjs[r.name.Name] = obj
		} else {
			delete(s.tobjs, r.name.Name)
		}
	}
}

// Fail undoes what the cell of plan declared, when its unit k failed to
// compile in the interpreter (the units before k ran and were committed),
// so that a cell that fails to compile defines nothing:
//
//   - a func, var or const that the cell declared anew is undefined for
//     later cells ([Compile] refuses them with "undefined: NAME") until a
//     cell declares it again;
//   - a func or method that it redeclared gets its earlier definition
//     back: Fail returns the units that the worker must evaluate for that
//     (they declare functions only, and run nothing);
//   - a var or const that a unit that ran redeclared gets its earlier
//     declaration back (its value is what that unit left); one that the
//     failed unit redeclared is undefined, as a new one, since the
//     interpreter made it anew (with a zero value) before it failed.
//
// Types stay as the interpreter left them, since it cannot forget nor
// redefine them; imports that ran stay.
func (s *State) Fail(plan *Plan, k int) (restore []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i <= k && i < len(plan.Units); i++ {
		for _, r := range plan.Units[i].records {
			kind := r.name.Kind
			if kind == "import" || kind == "type" {
				continue
			}
			delete(s.tobjs, r.name.Name) // what go/types knew is stale
			old, existed := plan.before[r.key()]
			switch {
			case existed && i == k && (kind == "var" || kind == "const"):
				// The interpreter made the variable anew before it
				// failed: its old value is lost.
				delete(s.globals, r.name.Name)
				s.undefined[r.name.Name] = plan.Cell
			case existed:
				s.apply(old)
				if old.src != "" {
					restore = append(restore, old.src)
				}
			case kind == "method":
				delete(s.methods[r.recv], r.name.Name)
			default:
				delete(s.globals, r.name.Name)
				s.undefined[r.name.Name] = plan.Cell
			}
		}
	}
	return restore
}

// key identifies what r declares: its name, or for a method "T.M".
func (r *record) key() string {
	if r.name.Kind == "method" {
		return r.recv + "." + r.name.Name
	}
	return r.name.Name
}

// Names lists every name that committed cells declared, sorted by name
// (methods by receiver, then name).
func (s *State) Names() []Name {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Name
	for name, path := range s.imports {
		if name == "_" || name == "." {
			continue
		}
		out = append(out, Name{Name: name, Kind: "import", Type: path, Source: importSource(name, path)})
	}
	for _, r := range s.globals {
		out = append(out, r.name)
	}
	for _, m := range s.methods {
		for _, r := range m {
			out = append(out, r.name)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind == "method" || b.Kind == "method" {
			if a.Kind != b.Kind {
				return b.Kind == "method"
			}
			if a.Type != b.Type {
				return a.Type < b.Type
			}
		}
		return a.Name < b.Name
	})
	return out
}

// Lookup finds a name that committed cells declared. A method is found as
// "T.M".
func (s *State) Lookup(name string) (Name, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.globals[name]; ok {
		return r.name, true
	}
	if path, ok := s.imports[name]; ok {
		return Name{Name: name, Kind: "import", Type: path, Source: importSource(name, path)}, true
	}
	for recv, m := range s.methods {
		for mname, r := range m {
			if recv+"."+mname == name {
				return r.name, true
			}
		}
	}
	return Name{}, false
}

// Imports maps the package names that cells imported to their paths.
func (s *State) Imports() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.imports))
	for k, v := range s.imports {
		out[k] = v
	}
	return out
}

func importSource(name, path string) string {
	return "import " + name + " \"" + path + "\""
}

// snapshot copies what Compile needs, so that Compile holds the lock only
// briefly.
type snapshot struct {
	decls
	pkgName   func(string) string
	undefined map[string]string
}

func (s *State) snapshot() *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	undef := make(map[string]string, len(s.undefined))
	for k, v := range s.undefined {
		undef[k] = v
	}
	return &snapshot{decls: s.decls.clone(), pkgName: s.PkgName, undefined: undef}
}

// typesImporter is the state's importer for go/types, or nil.
func (s *State) typesImporter() *srcImporter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.importer == nil && !s.noTypes {
		s.importer = newSrcImporter(s.GoCommand, s.CacheDir)
		s.importer.symbols = s.Symbols
	}
	return s.importer
}

// typeObject is the go/types object of a name that committed cells
// declared, or nil.
func (s *State) typeObject(name string) types.Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tobjs[name]
}

// nextTemp reserves n temporary names, unique for the life of the state.
func (s *State) nextTemp() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tmp++
	return s.tmp
}
