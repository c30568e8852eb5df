package gosrc

import (
	"go/parser"
	"go/token"
	"testing"
)

// checkPlanParses compiles code and checks that every source it produces
// is valid Go for the way yaegi reads it: a file after "package main" for
// imports and declarations, a function body for statements.
func checkPlanParses(t *testing.T, code string) {
	t.Helper()
	p, err := Compile("In[1]", code, nil)
	if err != nil {
		return
	}
	parse := func(kind Kind, src string) {
		full := "package main\n" + src
		if kind == Stmt {
			full = "package main\nfunc main() {\n" + src + "\n}"
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", full, 0); err != nil {
			t.Errorf("cell %q\nproduced %s unit %q\nwhich does not parse: %v", code, kind, src, err)
		}
	}
	for _, u := range p.Units {
		parse(u.Kind, u.Src)
		if u.Alt != "" {
			parse(u.Kind, u.Alt)
		}
	}
	if p.Display != nil {
		for _, s := range p.Display.Srcs {
			parse(Stmt, s)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"import \"fmt\"\nfor i := range 3 { fmt.Println(i) }",
		"x := min(1, y)\nv, ok := m[k]\nif v, ok := m[k]; ok {}\nfor k = range f() {}",
		"func f(n int) { for i := range n { go func() { println(i) }() } }",
		"var a, b = max(x, 2), <-ch\nclear(m)\nouter: for range n { continue outer }",
		"type T struct{ A int }\nfunc (t T) M() {}\nT{1}.M()",
		"for x := range seq { if x { break }; continue }",
		"s := `raw }`\nfmt.Println(\"привет\", s)",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		checkPlanParses(t, code)
		IsComplete(code)
		for i := 0; i <= len(code); i += 1 + len(code)/7 {
			IdentAt(code, i)
		}
	})
}
