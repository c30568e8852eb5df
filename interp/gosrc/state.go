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
	// decls are what the committed cells declared. Commit and Fail
	// replace them (and undefined) with new tables under mu, and never
	// change the old ones, which snapshots may still read.
	decls decls
	tmp   int // counter for __gkN temporaries
	// undefined maps the names that a cell declared and then lost,
	// because it failed to compile (see Fail), to that cell.
	undefined table[string]
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
// apart, until they run. Like its tables, a decls is never changed once
// made: with makes a new one. So Compile reads the State's without a lock
// and without copying them.
type decls struct {
	imports table[string]  // package name → path
	globals table[*record] // vars, consts, funcs, types
	methods table[*record] // "T.M" (see record.key) → method M of type T
	types   table[string]  // type name → canonical definition
}

// imp is the path of the package imported under name.
func (d decls) imp(name string) (string, bool) { return d.imports.get(name) }

// global is the var, const, func or type declared as name.
func (d decls) global(name string) (*record, bool) { return d.globals.get(name) }

// method is the method name of the type named recv.
func (d decls) method(recv, name string) (*record, bool) { return d.methods.get(methodKey(recv, name)) }

// typ is the canonical definition of the type named name.
func (d decls) typ(name string) (string, bool) { return d.types.get(name) }

// declare returns d with the declarations rs added, in order.
func (d decls) declare(rs []*record) decls {
	var ch declChanges
	for _, r := range rs {
		ch.add(r)
	}
	return d.with(&ch)
}

// with returns d changed by ch, which it keeps (see table.with).
func (d decls) with(ch *declChanges) decls {
	return decls{
		imports: d.imports.with(ch.imports),
		globals: d.globals.with(ch.globals),
		methods: d.methods.with(ch.methods),
		types:   d.types.with(ch.types),
	}
}

// declChanges are changes to decls, made at once by decls.with.
type declChanges struct {
	imports, types   changes[string]
	globals, methods changes[*record]
}

// add adds the declaration r.
func (ch *declChanges) add(r *record) {
	switch r.name.Kind {
	case "import":
		ch.imports.set(r.name.Name, r.path)
	case "method":
		ch.methods.set(r.key(), r)
	default:
		ch.globals.set(r.name.Name, r)
		if r.name.Kind == "type" {
			ch.types.set(r.name.Name, r.def)
		}
	}
}

// remove removes the func, var, const or method that r declared.
func (ch *declChanges) remove(r *record) {
	if r.name.Kind == "method" {
		ch.methods.del(r.key())
	} else {
		ch.globals.del(r.name.Name)
	}
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
	return &State{tobjs: map[string]types.Object{}}
}

// Commit records what unit u declared. Call it after u ran without error,
// so that later cells see its names and do not import its packages again.
func (s *State) Commit(u Unit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ch declChanges
	var found changes[string] // names that are no longer undefined
	for _, r := range u.records {
		ch.add(r)
		if _, ok := s.undefined.get(r.name.Name); ok {
			found.del(r.name.Name)
		}
		if r.name.Kind == "import" || r.name.Kind == "method" {
			continue
		}
		if obj := u.facts.object(r.name.Name); obj != nil {
			s.tobjs[r.name.Name] = obj
		} else {
			delete(s.tobjs, r.name.Name)
		}
	}
	s.decls = s.decls.with(&ch)
	s.undefined = s.undefined.with(found)
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
	var ch declChanges
	var lost changes[string]
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
				ch.remove(r)
				lost.set(r.name.Name, plan.Cell)
			case existed:
				ch.add(old)
				if old.src != "" {
					restore = append(restore, old.src)
				}
			case kind == "method":
				ch.remove(r)
			default:
				ch.remove(r)
				lost.set(r.name.Name, plan.Cell)
			}
		}
	}
	s.decls = s.decls.with(&ch)
	s.undefined = s.undefined.with(lost)
	return restore
}

// key identifies what r declares: its name, or for a method "T.M".
func (r *record) key() string {
	if r.name.Kind == "method" {
		return methodKey(r.recv, r.name.Name)
	}
	return r.name.Name
}

// methodKey is the key of method name of the type named recv: "T.M".
func methodKey(recv, name string) string { return recv + "." + name }

// Names lists every name that committed cells declared, sorted by name
// (methods by receiver, then name).
func (s *State) Names() []Name {
	d := s.committed()
	var out []Name
	for name, path := range d.imports.all() {
		if name == "_" || name == "." {
			continue
		}
		out = append(out, Name{Name: name, Kind: "import", Type: path, Source: importSource(name, path)})
	}
	for _, r := range d.globals.all() {
		out = append(out, r.name)
	}
	for _, r := range d.methods.all() {
		out = append(out, r.name)
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
	d := s.committed()
	if r, ok := d.global(name); ok {
		return r.name, true
	}
	if path, ok := d.imp(name); ok {
		return Name{Name: name, Kind: "import", Type: path, Source: importSource(name, path)}, true
	}
	if r, ok := d.methods.get(name); ok {
		return r.name, true
	}
	return Name{}, false
}

// Imports maps the package names that cells imported to their paths.
func (s *State) Imports() map[string]string {
	d := s.committed()
	out := make(map[string]string, d.imports.len())
	for k, v := range d.imports.all() {
		out[k] = v
	}
	return out
}

// committed is what the committed cells declared: tables that no one
// changes, to read without the lock.
func (s *State) committed() decls {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decls
}

func importSource(name, path string) string {
	return "import " + name + " \"" + path + "\""
}

// snapshot is what Compile reads of the state: tables that no one
// changes, so that Compile holds the lock only to take them.
type snapshot struct {
	decls
	pkgName   func(string) string
	undefined table[string]
}

func (s *State) snapshot() *snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &snapshot{decls: s.decls, pkgName: s.PkgName, undefined: s.undefined}
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
