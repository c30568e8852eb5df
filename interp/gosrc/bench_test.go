package gosrc

import (
	"strings"
	"testing"
)

func BenchmarkCompileTrivial(b *testing.B) {
	st := NewState()
	for b.Loop() {
		if _, err := Compile("In[1]", "x := 1", st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile50Lines(b *testing.B) {
	st := NewState()
	cell := strings.Repeat("import \"fmt\"\ntype P struct{ X, Y int }\nfunc (p P) Sum() int { return p.X + p.Y }\nn := 10\nfor i := range n {\n\tfmt.Println(min(i, 3))\n}\nv, ok := map[string]int{}[\"a\"]\nfmt.Println(v, ok)\nP{1, 2}.Sum()\n", 5)
	for b.Loop() {
		if _, err := Compile("In[1]", cell, st); err != nil {
			b.Fatal(err)
		}
	}
}
