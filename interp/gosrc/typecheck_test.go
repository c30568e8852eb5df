package gosrc

import (
	"go/constant"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/stdlib"
)

// typeOfGlobal compiles cells in st, committing every unit, and returns
// the go/types type of the global name the last cell declares, or "".
func typeOfGlobal(t *testing.T, st *State, name string, cells ...string) string {
	t.Helper()
	var last *Plan
	for _, cell := range cells {
		p, err := Compile("In[1]", cell, st)
		if err != nil {
			t.Fatalf("%q: %v", cell, err)
		}
		for _, u := range p.Units {
			st.Commit(u)
		}
		last = p
	}
	for _, u := range last.Units {
		if obj := u.facts.object(name); obj != nil {
			return types.TypeString(obj.Type(), nil)
		}
	}
	return ""
}

func TestTypeFacts(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
	}{
		{"literal", []string{"x := 1.5"}, "float64"},
		{"earlier cell", []string{"type P struct{ X int }\nfunc mk() *P { return nil }", "x := mk().X"}, "int"},
		{"package", []string{"import \"strings\"", "x := strings.Fields(\"a b\")"}, "[]string"},
		{"generic", []string{"func Id[T any](v T) T { return v }", "x := Id(uint8(3))"}, "uint8"},
		{"comma-ok", []string{"m := map[string]bool{}", "x, ok := m[\"a\"]"}, "bool"},
		// gokernel's own packages have no GOROOT source: unknown.
		{"unknown package", []string{"import \"github.com/beacceaf/gokernel/interp/jobs\"", "x := jobs.PID"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := typeOfGlobal(t, NewState(), "x", tt.cells...); got != tt.want {
				t.Errorf("type of x = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTypesFromExportData checks that go/types reads the standard library
// through the go command's export data, and that a later worker finds it in
// the kept list without running the go command.
func TestTypesFromExportData(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	dir := t.TempDir()
	st := NewState()
	st.GoCommand, st.CacheDir = gocmd, dir
	if got := typeOfGlobal(t, st, "x", "import \"strings\"\nx := strings.Split(\"a\", \"\")"); got != "[]string" {
		t.Fatalf("with go list: type of x = %q, want []string", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "exports-*.txt"))
	if len(files) != 1 {
		t.Fatalf("kept export lists: %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil || !strings.Contains(string(data), "strings\t") {
		t.Fatalf("kept list %s lacks strings (%v):\n%s", files[0], err, data)
	}
	later := NewState()
	later.GoCommand, later.CacheDir = filepath.Join(dir, "no-such-go"), dir
	if got := typeOfGlobal(t, later, "x", "import \"strings\"\nx := strings.Split(\"a\", \"\")"); got != "[]string" {
		t.Errorf("from the kept list: type of x = %q, want []string", got)
	}
	if len(later.importer.errs) != 0 {
		t.Errorf("import errors: %v", later.importer.errs)
	}
}

// TestTypeErrorsTrusted checks when go/types' errors stand for the
// compiler's: not when the cell uses a package go/types cannot see.
func TestTypeErrorsTrusted(t *testing.T) {
	tests := []struct {
		cell, want string
	}{
		{"x := 1\ny := x + \"s\"", "In[1]:2:6: invalid operation: x + \"s\" (mismatched types int and untyped string)"},
		{"func f() { z := 1 }", ""}, // unused: the interpreter accepts it
		{"x := 1\nx", ""},           // a value to show
		{"import \"github.com/beacceaf/gokernel/interp/jobs\"\nvar n int = jobs.PID", ""},
		{"var n int = undefinedName", ""},
	}
	for _, tt := range tests {
		p, err := Compile("In[1]", tt.cell, NewState())
		if err != nil {
			t.Fatalf("%q: %v", tt.cell, err)
		}
		var got []string
		for _, u := range p.Units {
			for _, e := range u.TypeErrors() {
				got = append(got, e.Error())
			}
		}
		if strings.Join(got, "\n") != tt.want {
			t.Errorf("%q: type errors %q, want %q", tt.cell, got, tt.want)
		}
	}
}

// TestChecked checks when a unit counts as fully checked, which lets the
// worker skip its own search for packages that no cell imported.
func TestChecked(t *testing.T) {
	tests := []struct {
		cell string
		want bool
	}{
		{"x := 1", true},
		{"import \"strings\"\nstrings.ToUpper(\"a\")", true},
		{"strings.ToUpper(\"a\")", false}, // no cell imported strings
		{"x := 1\ny := x + \"s\"", false},
		{"func f() { z := 1 }", true}, // unused only
		{"import \"github.com/beacceaf/gokernel/interp/jobs\"\nvar n int = jobs.PID", false},
	}
	for _, tt := range tests {
		p, err := Compile("In[1]", tt.cell, NewState())
		if err != nil {
			t.Fatalf("%q: %v", tt.cell, err)
		}
		u := p.Units[len(p.Units)-1]
		if got := u.Checked(); got != tt.want {
			t.Errorf("%q: Checked() = %v, want %v", tt.cell, got, tt.want)
		}
	}
}

// Shape, ShapeKind and the functions below stand for a package that go/types
// can see only through the interpreter's symbol table (State.Symbols).
type Shape struct {
	W, H int
	name string
}

func (s Shape) Area() int      { return s.W * s.H }
func (s *Shape) Grow(n int)    { s.W += n }
func NewShape(w, h int) *Shape { return &Shape{W: w, H: h} }

type ShapeKind int

func Sides(yield func(int) bool) {}

var UnitShape = Shape{W: 1, H: 1}

// shapeSymbols is the symbol table of this test package, as the package
// "shapes", in yaegi's layout.
func shapeSymbols(path string) (string, map[string]reflect.Value, bool) {
	if path != "github.com/beacceaf/gokernel/interp/gosrc" {
		return "", nil, false
	}
	return "shapes", map[string]reflect.Value{
		"Shape":     reflect.ValueOf((*Shape)(nil)),
		"ShapeKind": reflect.ValueOf((*ShapeKind)(nil)),
		"NewShape":  reflect.ValueOf(NewShape),
		"Sides":     reflect.ValueOf(Sides),
		"UnitShape": reflect.ValueOf(&UnitShape).Elem(),
		"Big":       reflect.ValueOf(ShapeKind(2)),
		"Huge":      reflect.ValueOf(constant.MakeFromLiteral("1000", token.INT, 0)),
		"_Wrapper":  reflect.ValueOf((*Shape)(nil)),
	}, true
}

// TestTypesFromSymbols checks that go/types knows a package that has no
// sources from the interpreter's symbol table, and that its errors about
// a cell using it are not trusted, since the table lacks generic
// functions and unexported names.
func TestTypesFromSymbols(t *testing.T) {
	imp := "import \"github.com/beacceaf/gokernel/interp/gosrc\"\n"
	tests := []struct {
		name, cell, want string
	}{
		{"func", imp + "x := shapes.NewShape(1, 2)", "*github.com/beacceaf/gokernel/interp/gosrc.Shape"},
		{"method", imp + "x := shapes.UnitShape.Area()", "int"},
		{"pointer method", imp + "x := shapes.NewShape(1, 2).Grow", "func(n int)"},
		{"field", imp + "x := shapes.UnitShape.W", "int"},
		{"typed constant", imp + "x := shapes.Big", "github.com/beacceaf/gokernel/interp/gosrc.ShapeKind"},
		{"untyped constant", imp + "x := shapes.Huge", "int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := NewState()
			st.Symbols = shapeSymbols
			if got := typeOfGlobal(t, st, "x", tt.cell); strings.ReplaceAll(got, "func(int)", "func(n int)") != tt.want {
				t.Errorf("type of x = %q, want %q", got, tt.want)
			}
		})
	}
	st := NewState()
	st.Symbols = shapeSymbols
	p, err := Compile("In[1]", imp+"for n := range shapes.Sides {\n\t_ = n\n}\nvar s string = shapes.UnitShape.W", st)
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, u := range p.Units {
		src.WriteString(u.Src)
		if errs := u.TypeErrors(); len(errs) > 0 {
			t.Errorf("unit %q: type errors %v, want none from a partial package", u.Text, errs)
		}
	}
	if !strings.Contains(src.String(), "shapes.Sides(func(n int) bool {") {
		t.Errorf("range over shapes.Sides was not rewritten as a call:\n%s", src.String())
	}
}

// TestMethodOfEarlierType checks that the body of a method added to an
// earlier cell's type has types: a range over an integer field in it
// becomes a three-clause loop.
func TestMethodOfEarlierType(t *testing.T) {
	st := NewState()
	cells := []string{"type Bag struct{ n int }", "func (b *Bag) Count() (c int) {\n\tfor i := range b.n {\n\t\tc += i\n\t}\n\treturn c\n}"}
	var last *Plan
	for _, cell := range cells {
		p, err := Compile("In[1]", cell, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Units {
			st.Commit(u)
		}
		last = p
	}
	if src := last.Units[0].Src; !strings.Contains(src, "i < __gk") {
		t.Errorf("range over b.n was not rewritten:\n%s", src)
	}
	if last.Units[0].Alt != "" {
		t.Errorf("the range's operand had no type (Alt is set):\n%s", last.Units[0].Alt)
	}
}

// TestReflectStdlibTables builds a go/types package from each of yaegi's
// standard library tables, as for a machine without GOROOT sources, and
// checks a few of its objects against go/types' reading of the sources.
func TestReflectStdlibTables(t *testing.T) {
	fromSrc := newSrcImporter("", "")
	imp := newSrcImporter("", "")
	imp.ctxt.GOROOT = t.TempDir() // no sources: every package from its table
	imp.symbols = func(path string) (string, map[string]reflect.Value, bool) {
		for key, syms := range stdlib.Symbols {
			if strings.TrimSuffix(key, "/"+filepath.Base(key)) == path {
				return filepath.Base(key), syms, true
			}
		}
		return "", nil, false
	}
	n := 0
	for key := range stdlib.Symbols {
		path := filepath.Dir(key)
		if _, err := imp.Import(path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		n++
	}
	if n < 100 {
		t.Fatalf("only %d tables", n)
	}
	for _, name := range []string{"os.File", "os.Open", "strings.Builder", "bufio.NewScanner", "net/http.Get", "time.Duration", "io.EOF"} {
		path, sym := name[:strings.LastIndexByte(name, '.')], name[strings.LastIndexByte(name, '.')+1:]
		a, errA := imp.Import(path)
		b, errB := fromSrc.Import(path)
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", path, errA, errB)
		}
		oa, ob := a.Scope().Lookup(sym), b.Scope().Lookup(sym)
		if oa == nil || ob == nil {
			t.Errorf("%s: from the table %v, from the sources %v", name, oa, ob)
			continue
		}
		sa, sb := shape(oa.Type().Underlying()), shape(ob.Type().Underlying())
		if ta, ok := oa.Type().(*types.Named); ok {
			// The table has exported methods only.
			for i := range ta.NumMethods() {
				m := ta.Method(i)
				o, _, _ := types.LookupFieldOrMethod(ob.Type(), true, ob.Pkg(), m.Name())
				if o == nil || shape(o.Type()) != shape(m.Type()) {
					t.Errorf("%s.%s: from the table %s, from the sources %v", name, m.Name(), shape(m.Type()), o)
				}
			}
			if _, isStruct := ta.Underlying().(*types.Struct); isStruct {
				continue // unexported fields differ in their packages' stand-ins
			}
		}
		if sa != sb {
			t.Errorf("%s: from the table %s, from the sources %s", name, sa, sb)
		}
	}
}

// shape writes a type without parameter names, receivers and aliases,
// with byte and rune as uint8 and int32 (as reflection knows them).
func shape(t types.Type) string {
	if sig, ok := t.(*types.Signature); ok {
		list := func(tup *types.Tuple) string {
			var parts []string
			for i := range tup.Len() {
				parts = append(parts, shape(tup.At(i).Type()))
			}
			return "(" + strings.Join(parts, ", ") + ")"
		}
		return "func" + list(sig.Params()) + list(sig.Results())
	}
	switch x := t.(type) {
	case *types.Alias:
		return shape(types.Unalias(x))
	case *types.Slice:
		return "[]" + shape(x.Elem())
	case *types.Pointer:
		return "*" + shape(x.Elem())
	case *types.Map:
		return "map[" + shape(x.Key()) + "]" + shape(x.Elem())
	}
	s := types.TypeString(t, nil)
	return strings.NewReplacer("byte", "uint8", "rune", "int32").Replace(s)
}
