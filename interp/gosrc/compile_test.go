package gosrc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// unitShape is what TestCompileUnits checks of a unit.
type unitShape struct {
	kind      Kind
	line, col int
	names     []string
}

func shapes(p *Plan) []unitShape {
	var out []unitShape
	for _, u := range p.Units {
		out = append(out, unitShape{u.Kind, u.Line, u.Col, u.Names})
	}
	return out
}

func TestCompileUnits(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		want    []unitShape
		display string // Display.Expr, "" for no display
	}{
		{"imports then call", "import \"strings\"; import \"fmt\"\nstrings.ToUpper(\"abc\")",
			[]unitShape{{Import, 1, 1, []string{"strings"}}, {Import, 1, 19, []string{"fmt"}}, {Stmt, 2, 1, nil}},
			`strings.ToUpper("abc")`},
		{"var then value", "var e error\ne",
			[]unitShape{{Decl, 1, 1, []string{"e"}}, {Stmt, 2, 1, nil}}, "e"},
		{"type, method, statement, expression",
			"type P struct{ X int }\nfunc (p P) Get() int { return p.X }\nq := P{5}\nq.Get()",
			[]unitShape{{Decl, 1, 1, []string{"P"}}, {Stmt, 3, 1, []string{"q"}}, {Stmt, 4, 1, nil}},
			"q.Get()"},
		{"func literal called at once", `func() { println("once") }()`,
			[]unitShape{{Stmt, 1, 1, nil}}, "func() { __gk_println/*line In[1]/_.go:1:17*/(\"once\") }()"},
		{"three-clause for", "for i := 0; i < 2; i++ {\n\tprintln(i)\n}",
			[]unitShape{{Stmt, 1, 1, nil}}, ""},
		{"cyrillic strings", "s := \"привет\"; t := \"мир\"\nprintln(s, t)",
			[]unitShape{{Stmt, 1, 1, []string{"s"}}, {Stmt, 1, 22, []string{"t"}}, {Stmt, 2, 1, nil}},
			"__gk_println/*line In[1]/_.go:2:8*/(s, t)"},
		{"raw string with braces", "x := `a } b\n{ c`\nlen(x)",
			[]unitShape{{Stmt, 1, 1, []string{"x"}}, {Stmt, 3, 1, nil}}, "len(x)"},
		{"comments around", "// setup\nx := 1 // one\n/* block\n*/\ny := 2\n// end",
			[]unitShape{{Stmt, 2, 1, []string{"x"}}, {Stmt, 5, 1, []string{"y"}}}, ""},
		{"empty", "", nil, ""},
		{"only a comment", "// nothing here\n", nil, ""},
		{"call over several lines", "println(\n\t1,\n\t2,\n)",
			[]unitShape{{Stmt, 1, 1, nil}}, "__gk_println/*line In[1]/_.go:1:8*/(\n\t1,\n\t2,\n)"},
		{"const group then use", "const (\n\tA = iota\n\tB\n)\nB",
			[]unitShape{{Decl, 1, 1, []string{"A", "B"}}, {Stmt, 5, 1, nil}}, "B"},
		{"if with else", "x := 3\nif x > 2 {\n\tx--\n} else {\n\tx++\n}\nx",
			[]unitShape{{Stmt, 1, 1, []string{"x"}}, {Stmt, 2, 1, nil}, {Stmt, 7, 1, nil}}, "x"},
		{"mixed order", "x := 1\nimport \"fmt\"\nfunc f() int { return x }\nfmt.Println(f())",
			[]unitShape{{Import, 2, 1, []string{"fmt"}}, {Stmt, 1, 1, []string{"x"}}, {Decl, 3, 1, []string{"f"}}, {Stmt, 4, 1, nil}},
			"fmt.Println(f())"},
		{"pasted file", "package main\n\nimport \"fmt\"\n\nfunc hello() { fmt.Println(1) }",
			[]unitShape{{Import, 3, 1, []string{"fmt"}}, {Decl, 5, 1, []string{"hello"}}}, ""},
		{"indented cell", "  x := 1\n  x",
			[]unitShape{{Stmt, 1, 3, []string{"x"}}, {Stmt, 2, 3, nil}}, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile("In[1]", tt.code, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := shapes(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("units:\n got %+v\nwant %+v", got, tt.want)
			}
			got := ""
			if p.Display != nil {
				got = p.Display.Expr
			}
			if got != tt.display {
				t.Errorf("display expression = %q, want %q", got, tt.display)
			}
			for _, u := range p.Units {
				if !strings.Contains(tt.code, u.Text) || u.Text == "" {
					t.Errorf("unit text %q is not a part of the cell", u.Text)
				}
			}
		})
	}
}

func TestCompilePrefixes(t *testing.T) {
	p, err := Compile("In[7]", "import \"fmt\"\nfunc() { fmt.Println(1) }()\nvar v = 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"\n//line In[7]/_.go:1:1\nimport \"fmt\"",
		"\n//line In[7]/_.go:3:1\nvar v = 2", // then declarations, then statements
		";\n//line In[7]/_.go:2:1\nfunc() { fmt.Println(1) }()",
	}
	for i, u := range p.Units {
		if u.Src != want[i] {
			t.Errorf("unit %d Src = %q, want %q", i, u.Src, want[i])
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"x := 1\ny := )", "In[2]:2:6: expected operand, found ')'"},
		{"x := 1\nif x > 0 {", "In[2]:2:11: expected '}', found 'EOF'"},
		{"}", "In[2]:1:1: expected statement, found '}'"},
		{"func main() {\n\tprintln(1)\n}", "In[2]:1:6: func main is not allowed in a cell: call your code directly, or rename it"},
		{"import \"fmt\"\nfunc f() {", "In[2]:2:11: expected '}', found 'EOF'"},
		{"func (p P) M() {\n\treturn", "In[2]:2:8: expected '}', found 'EOF'"},
		{"x := f(1,\n2", "In[2]:2:2: missing ',' before newline in argument list"},
		{"x := []int{1, 2}\ny := x[0]]", "In[2]:2:10: expected ';', found ']'"},
		{"type T struct {\n\tA int\n", "In[2]:2:7: expected '}', found 'EOF'"},
		{"go func() {}", "In[2]:1:13: expression in go must be function call"},
	}
	for _, tt := range tests {
		_, err := Compile("In[2]", tt.code, nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Compile(%q) error = %v, want an *Error", tt.code, err)
			continue
		}
		if e.Error() != tt.want {
			t.Errorf("Compile(%q) error\n got %q\nwant %q", tt.code, e.Error(), tt.want)
		}
	}
}

// compileCommit compiles code and commits all its units, as a worker does
// when every unit runs.
func compileCommit(t *testing.T, st *State, cell, code string) *Plan {
	t.Helper()
	p, err := Compile(cell, code, st)
	if err != nil {
		t.Fatalf("Compile(%q): %v", code, err)
	}
	for _, u := range p.Units {
		st.Commit(u)
	}
	return p
}

func TestImportsAcrossCells(t *testing.T) {
	st := NewState()
	compileCommit(t, st, "In[1]", `import "fmt"`)

	p := compileCommit(t, st, "In[2]", "import \"fmt\"\nimport \"strings\"")
	if len(p.Units) != 1 || p.Units[0].Names[0] != "strings" {
		t.Fatalf("re-import not dropped: %s", dump(p, nil))
	}

	p = compileCommit(t, st, "In[3]", "import (\n\t\"fmt\"\n\t\"os\"\n\t\"strings\"\n)")
	if len(p.Units) != 1 || !reflect.DeepEqual(p.Units[0].Names, []string{"os"}) {
		t.Fatalf("group import: %s", dump(p, nil))
	}
	if want := "import (/*line In[3]/_.go:3:2*/\"os\"; )"; !strings.HasSuffix(p.Units[0].Src, want) {
		t.Errorf("group import Src = %q, want suffix %q", p.Units[0].Src, want)
	}

	compileCommit(t, st, "In[4]", `import "math/rand"`)
	_, err := Compile("In[5]", "x := 1\nimport \"math/rand/v2\"", st)
	want := `In[5]:2:8: rand is already imported as "math/rand"; the interpreter cannot import another package under that name: use an alias, such as import rand2 "math/rand/v2"`
	if err == nil || err.Error() != want {
		t.Errorf("conflicting import: error\n got %v\nwant %s", err, want)
	}
	if _, err := Compile("In[6]", `import r2 "math/rand/v2"`, st); err != nil {
		t.Errorf("aliased import: %v", err)
	}

	// An import that did not run (not committed) is not dropped.
	if _, err := Compile("In[7]", `import "errors"`, st); err != nil {
		t.Fatal(err)
	}
	if p, _ := Compile("In[8]", `import "errors"`, st); len(p.Units) != 1 {
		t.Errorf("uncommitted import was dropped")
	}
}

func TestTypeRedefinition(t *testing.T) {
	st := NewState()
	compileCommit(t, st, "In[1]", "type P struct{ X, Y int }\ntype Celsius float64")

	// The same definitions, laid out differently: dropped silently.
	p := compileCommit(t, st, "In[2]", "type P struct {\n\tX, Y int // coordinates\n}\ntype Celsius float64\nP{1, 2}")
	if len(p.Units) != 1 || p.Units[0].Kind != Stmt {
		t.Errorf("identical redefinitions were not dropped: %s", dump(p, nil))
	}

	_, err := Compile("In[3]", "x := 1\ntype P struct{ X, Y, Z int }", st)
	want := "In[3]:2:6: type P is already defined with different fields; yaegi cannot redefine types — restart the kernel to change P"
	if err == nil || err.Error() != want {
		t.Errorf("struct redefinition error\n got %v\nwant %s", err, want)
	}
	_, err = Compile("In[4]", "type Celsius int", st)
	want = "In[4]:1:6: type Celsius is already defined differently; yaegi cannot redefine types — restart the kernel to change Celsius"
	if err == nil || err.Error() != want {
		t.Errorf("type redefinition error\n got %v\nwant %s", err, want)
	}

	// In a group, only the changed or new specs remain.
	p = compileCommit(t, st, "In[5]", "type (\n\tCelsius float64\n\tKelvin float64\n)")
	if len(p.Units) != 1 || !strings.HasSuffix(p.Units[0].Src, "type (/*line In[5]/_.go:3:2*/Kelvin float64; )") {
		t.Errorf("group: %s", dump(p, nil))
	}
}

func TestBuiltinShadowing(t *testing.T) {
	st := NewState()
	p := compileCommit(t, st, "In[1]", "a, b := 1, 2\nmin(a, b)")
	if !strings.Contains(p.Display.Srcs[0], "__gk_min(") {
		t.Errorf("min not rewritten: %s", dump(p, nil))
	}
	compileCommit(t, st, "In[2]", "func min(a, b int) int { return b }")
	p = compileCommit(t, st, "In[3]", "min(a, b)\n")
	if strings.Contains(p.Units[0].Src, "__gk_min") {
		t.Errorf("user min was rewritten: %s", dump(p, nil))
	}
	p = compileCommit(t, st, "In[4]", "func f(max int) int { return max }\nfunc g(clear func()) { clear() }")
	for _, u := range p.Units {
		if strings.Contains(u.Src, "__gk_") {
			t.Errorf("shadowed builtin rewritten: %q", u.Src)
		}
	}
}

func TestIsComplete(t *testing.T) {
	tests := []struct {
		code, status, indent string
	}{
		{"", "complete", ""},
		{"  \n\t", "complete", ""},
		{"x := 1", "complete", ""},
		{"x := 1\nif x > 0 {", "incomplete", "    "},
		{"func f() {\n\tfor {", "incomplete", "        "},
		{"fmt.Println(1,", "incomplete", "    "},
		{"s := \"unterminated", "incomplete", ""},
		{"s := `raw\nstill raw", "incomplete", ""},
		{"/* open comment", "incomplete", ""},
		{"x := 1 +", "incomplete", ""},
		{"if x {\n} else", "incomplete", ""},
		{"x := )", "invalid", ""},
		{"}", "invalid", ""},
		{"x := 1 2", "invalid", ""},
		{"x, y := 1, 2\nx, y", "complete", ""},
		{"x, y", "complete", ""},
		{"x, y\nz := 1", "invalid", ""},
		{"for i := 0; i < 3; i++ {\n\tprintln(i)\n}", "complete", ""},
		{"import \"fmt\"\nfmt.Println(\"привет\")", "complete", ""},
		{"// just a comment", "complete", ""},

		// Magic and shell lines are read as the kernel runs them.
		{"x := 1\n%p x", "complete", ""},
		{"x := 1\n%p x\nfor {", "incomplete", "    "},
		{"%p x\nif x {\n\tprintln(x)", "incomplete", "    "},
		{"x++\n!ls", "complete", ""},
		{"!echo a \\", "incomplete", ""},
		{"!echo a \\\n  b", "complete", ""},
		{"%%bash\nfor {\n", "complete", ""},
		{"%%bash\nfor {", "incomplete", ""},
		{"s := `\n%p x", "incomplete", ""},
		{"ok := a &&\n!b", "complete", ""},
		{"x := 1\nfmt.Println?", "complete", ""},
		{"for {\n%p x", "invalid", ""},
		{"x := 1\n%%bash", "invalid", ""},
		{"% x", "invalid", ""},
		{"x := 1 +\n%p x", "invalid", ""},
		{"x := )\n%p x", "invalid", ""},
	}
	for _, tt := range tests {
		status, indent := IsComplete(tt.code)
		if status != tt.status || indent != tt.indent {
			t.Errorf("IsComplete(%q) = %q, %q; want %q, %q", tt.code, status, indent, tt.status, tt.indent)
		}
	}
}
