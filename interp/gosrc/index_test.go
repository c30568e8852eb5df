package gosrc

import (
	"go/types"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestIdentAt(t *testing.T) {
	tests := []struct {
		code   string
		cursor int // -1: at the "|" marker, which is removed
		start  int
		expr   string
	}{
		{"fmt.Pri|", -1, 0, "fmt.Pri"},
		{"x := fmt.Pri|ntln(1)", -1, 5, "fmt.Println"},
		{"fmt.|", -1, 0, "fmt."},
		{"a := os.Stdout.Wr|", -1, 5, "os.Stdout.Wr"},
		{"sq|", -1, 0, "sq"},
		{"s|q(3)", -1, 0, "sq"},
		{"привет := 1; при|", -1, 19, "при"},
		{"при|вет := 1", -1, 0, "привет"},
		{"x := \"fmt.Pri|\"", -1, 0, ""},
		{"// fmt.Pri|", -1, 0, ""},
		{"f(1.5|", -1, 0, ""},
		{"f(x.y|", -1, 2, "x.y"},
		{"a + |", -1, 0, ""},
		{"m[k].Fi|", -1, 5, "Fi"},
	}
	for _, tt := range tests {
		code, cursor := tt.code, tt.cursor
		if cursor < 0 {
			cursor = strings.Index(code, "|")
			code = strings.Replace(code, "|", "", 1)
		}
		start, end, expr := IdentAt(code, cursor)
		if expr != tt.expr || expr != "" && start != tt.start || expr != code[start:end] && expr != "" {
			t.Errorf("IdentAt(%q, %d) = %d, %d, %q; want start %d, %q", code, cursor, start, end, expr, tt.start, tt.expr)
		}
		if expr != "" && end < cursor {
			t.Errorf("IdentAt(%q, %d): end %d before the cursor", code, cursor, end)
		}
	}
}

func TestCellPos(t *testing.T) {
	tests := []struct {
		msg       string
		cell      string
		line, col int
		ok        bool
	}{
		{"In[3]:2:5: undefined: x", "In[3]", 2, 5, true},
		{"In[12]/_.go:10:1: panic: main(...)", "In[12]", 10, 1, true},
		{"CFG post-order panic: In[4]/_.go:1:9: incomplete type", "In[4]", 1, 9, true},
		{"1:28: undefined: x", "", 0, 0, false},
	}
	for _, tt := range tests {
		cell, line, col, ok := CellPos(tt.msg)
		if cell != tt.cell || line != tt.line || col != tt.col || ok != tt.ok {
			t.Errorf("CellPos(%q) = %q, %d, %d, %v", tt.msg, cell, line, col, ok)
		}
	}
	got := CleanPos("In[2]/_.go:3:5: undefined: q\nIn[10]/_.go:1:1: panic: main(...)")
	if want := "In[2]:3:5: undefined: q\nIn[10]:1:1: panic: main(...)"; got != want {
		t.Errorf("CleanPos = %q, want %q", got, want)
	}
}

func TestHint(t *testing.T) {
	unitOf := func(code string) Unit {
		p, err := Compile("In[1]", code, nil)
		if err != nil || len(p.Units) == 0 {
			t.Fatalf("Compile(%q): %v", code, err)
		}
		return p.Units[len(p.Units)-1]
	}
	tests := []struct {
		err  string
		unit Unit
		want string // substring; "" means no hint
	}{
		{"nil type", unitOf("for i := range f() {}"), "cannot range over an integer or a function"},
		{"nil type", unitOf("for k, v := range f() {}"), "cannot range over an integer or a function"},
		{"nil type", unitOf("v, ok := <-f()"), "v, ok := <-ch"},
		{"nil reflect type", unitOf("func G[T any](x T) T { return x }\ny := G(1)"), "generic function's result"},
		{"nil type", unitOf("x := 1"), "could not compile"},
		{"1:5: undefined: max", Unit{}, "max builtin"},
		{`unable to find source related to: "iter"`, Unit{}, "package iter is not available"},
		{`unable to find source related to: "github.com/x/y"`, Unit{}, "package github.com/x/y is not available"},
		{"1:3: undefined selector: slices.Max", Unit{}, "slices.Max is missing"},
		{"undefined type for T", Unit{}, "explicitly"},
		{"errors: *target must be interface or implement error", Unit{}, "errors.As"},
		{"In[1]:1:1: undefined: x", Unit{}, ""},
		{"In[2]/_.go:1:6: CFG post-order panic: 1:33: incomplete type undefinedQ", Unit{}, "undefinedQ is probably undefined"},
		{"In[2]/_.go:1:1: constant definition loop", Unit{}, "undefined name"},
	}
	for _, tt := range tests {
		got := Hint(tt.err, tt.unit)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("Hint(%q) = %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
}

func TestDisplayFormat(t *testing.T) {
	// raw builds what __gk_dfmt produces for the given (type, value) pairs.
	raw := func(pairs ...string) string {
		var ts, vs []string
		for i := 0; i < maxResults; i++ {
			if 2*i < len(pairs) {
				ts = append(ts, pairs[2*i])
				vs = append(vs, pairs[2*i+1])
			} else {
				ts = append(ts, "%!T(BADINDEX)")
				vs = append(vs, "%!v(BADINDEX)")
			}
		}
		return strings.Join(ts, "\x00") + "\x01" + strings.Join(vs, "\x00")
	}
	tests := []struct {
		raw       string
		writeLike bool
		call      bool
		text      string
		show      bool
	}{
		{raw("int", "42"), false, false, "42", true},
		{raw("string", "a\"b\n"), false, false, `"a\"b\n"`, true},
		{raw("string", "with\x00nul"), false, false, `"with\x00nul"`, true},
		{raw("int", "0", "*strconv.NumError", "bad"), false, false, "0, bad", true},
		{raw("int", "5", "<nil>", "<nil>"), true, false, "", false},
		{raw("int", "0", "*fs.PathError", "write: bad"), true, false, "0, write: bad", true},
		{raw("<nil>", "<nil>"), true, false, "", false},
		{raw("<nil>", "<nil>"), false, false, "<nil>", true},
		{raw("<nil>", "<nil>"), false, true, "", false}, // cmd.Start() returning nil
		{raw("*errors.errorString", "boom"), false, true, "boom", true},
		{raw("int", "1", "int", "2", "int", "3", "string", "x"), false, false, `1, 2, 3, "x"`, true},
	}
	for _, tt := range tests {
		text, show := (&Display{WriteLike: tt.writeLike, Call: tt.call}).Format(tt.raw)
		if text != tt.text || show != tt.show {
			t.Errorf("Format(%q) = %q, %v; want %q, %v", tt.raw, text, show, tt.text, tt.show)
		}
	}
}

func TestPreludeFormatMatchesMaxResults(t *testing.T) {
	for i := 1; i <= maxResults; i++ {
		for _, verb := range []string{"T", "v"} {
			if !strings.Contains(Prelude, "%["+string(rune('0'+i))+"]"+verb) {
				t.Errorf("Prelude's __gk_dfmt lacks %%[%d]%s", i, verb)
			}
		}
	}
	if strings.Contains(Prelude, "%["+string(rune('0'+maxResults+1))+"]") {
		t.Errorf("Prelude's __gk_dfmt formats more than %d values", maxResults)
	}
}

func TestKeywordsAndBuiltins(t *testing.T) {
	kw := Keywords()
	if len(kw) != 25 || !slices.Contains(kw, "func") || !slices.Contains(kw, "fallthrough") {
		t.Errorf("Keywords() = %v", kw)
	}
	var universe []string
	for _, n := range types.Universe.Names() {
		if n != "unsafe" && types.Universe.Lookup(n).Exported() == false {
			universe = append(universe, n)
		}
	}
	got := slices.Sorted(slices.Values(Builtins()))
	slices.Sort(universe)
	if !reflect.DeepEqual(got, universe) {
		t.Errorf("Builtins() = %v\nwant Go's universe %v", got, universe)
	}
}

func TestStateNames(t *testing.T) {
	st := NewState()
	compileCommit(t, st, "In[1]", "import \"fmt\"\nimport str \"strings\"")
	compileCommit(t, st, "In[2]", "// sq squares x.\nfunc sq(x int) int {\n\treturn x * x\n}\ntype P struct{ X int }\nfunc (p *P) Inc() { p.X++ }\nconst Limit = 10\nvar (\n\tcount int\n\tname = \"n\"\n)\nn := sq(3)\nv, ok := map[string]P{}[\"a\"]")
	// A unit that failed (not committed) leaves no name.
	if _, err := Compile("In[3]", "lost := 1", st); err != nil {
		t.Fatal(err)
	}

	byName := map[string]Name{}
	var order []string
	for _, n := range st.Names() {
		byName[n.Name] = n
		order = append(order, n.Kind+" "+n.Name)
	}
	want := []string{"const Limit", "type P", "var count", "import fmt", "var n", "var name", "var ok",
		"func sq", "import str", "var v", "method Inc"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("Names order:\n got %v\nwant %v", order, want)
	}
	sq := byName["sq"]
	if sq.Signature != "func sq(x int) int" || sq.Source != "// sq squares x.\nfunc sq(x int) int {\n\treturn x * x\n}" || sq.Cell != "In[2]" {
		t.Errorf("sq = %+v", sq)
	}
	if n := byName["n"]; n.Type != "int" || n.Source != "n := sq(3)" {
		t.Errorf("n = %+v", n)
	}
	if v := byName["v"]; v.Type != "P" {
		t.Errorf("v = %+v", v)
	}
	if ok := byName["ok"]; ok.Type != "bool" {
		t.Errorf("ok = %+v", ok)
	}
	if name := byName["name"]; name.Type != "string" || !strings.HasPrefix(name.Source, "var (") {
		t.Errorf("name = %+v", name)
	}
	if l := byName["Limit"]; l.Kind != "const" || l.Type != "int" {
		t.Errorf("Limit = %+v", l)
	}
	if str := byName["str"]; str.Type != "strings" || str.Source != `import str "strings"` {
		t.Errorf("str = %+v", str)
	}
	if m, ok := st.Lookup("P.Inc"); !ok || m.Signature != "func (p *P) Inc()" || m.Type != "P" {
		t.Errorf("Lookup(P.Inc) = %+v, %v", m, ok)
	}
	if p, ok := st.Lookup("P"); !ok || p.Signature != "type P struct{ X int }" {
		t.Errorf("Lookup(P) = %+v, %v", p, ok)
	}
	if _, ok := st.Lookup("lost"); ok {
		t.Errorf("an uncommitted name was found")
	}
	if got := st.Imports(); !reflect.DeepEqual(got, map[string]string{"fmt": "fmt", "str": "strings"}) {
		t.Errorf("Imports() = %v", got)
	}
}

func TestPkgNameHook(t *testing.T) {
	st := NewState()
	st.PkgName = func(path string) string {
		if path == "example.com/go-yaml" {
			return "yaml"
		}
		return ""
	}
	compileCommit(t, st, "In[1]", "import \"example.com/go-yaml\"\nimport \"math/rand/v2\"")
	if got := st.Imports(); !reflect.DeepEqual(got, map[string]string{"yaml": "example.com/go-yaml", "rand": "math/rand/v2"}) {
		t.Errorf("Imports() = %v", got)
	}
}

func TestStateConcurrentReads(t *testing.T) {
	st := NewState()
	done := make(chan int)
	go func() {
		n := 0
		for range 200 {
			n = len(st.Names())
			st.Lookup("v1")
			if _, err := Compile("In[2]", "x := v1 + 1", st); err != nil && !strings.Contains(err.Error(), "undefined: v1") {
				t.Error(err)
			}
		}
		done <- n
	}()
	for i := range 50 {
		compileCommit(t, st, "In[1]", "v"+strings.Repeat("1", i+1)+" := 1")
	}
	<-done
	if got := len(st.Names()); got != 50 {
		t.Errorf("Names() has %d entries, want 50", got)
	}
}

// TestSnapshotKeeps checks that what Compile took of the state stays as it
// was while Commit and Fail change the state.
func TestSnapshotKeeps(t *testing.T) {
	st := NewState()
	compileCommit(t, st, "In[1]", "x := 1\nfunc f() int { return 1 }")
	sn := st.snapshot()
	x, _ := sn.global("x")
	compileCommit(t, st, "In[2]", "x := \"s\"\ny := 2")
	p, err := Compile("In[3]", "func f() int { return 2 }\nz := 3", st)
	if err != nil {
		t.Fatal(err)
	}
	if restore := st.Fail(p, len(p.Units)-1); len(restore) != 1 {
		t.Errorf("Fail restores %q, want the first f", restore)
	}
	if got, ok := sn.global("x"); !ok || got != x {
		t.Errorf("the snapshot's x changed: %+v, %v", got, ok)
	}
	if _, ok := sn.global("y"); ok {
		t.Errorf("the snapshot sees y, declared after it was taken")
	}
	if n, ok := st.Lookup("f"); !ok || n.Cell != "In[1]" {
		t.Errorf("Lookup(f) = %+v, %v; want In[1]'s f back", n, ok)
	}
	if _, ok := st.Lookup("z"); ok {
		t.Errorf("z is still declared after its cell failed")
	}
	if cell, ok := st.snapshot().undefined.get("z"); !ok || cell != "In[3]" {
		t.Errorf("undefined z = %q, %v; want In[3]", cell, ok)
	}
	if _, ok := sn.undefined.get("z"); ok {
		t.Errorf("the snapshot sees z undefined")
	}
	if n, ok := st.Lookup("x"); !ok || n.Source != "x := \"s\"" {
		t.Errorf("Lookup(x) = %+v, %v", n, ok)
	}
}
