package cellsyntax_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/magics/cellsyntax"
)

// brief is a segment in short: its kind, line and text.
func brief(segs []cellsyntax.Segment) []string {
	var out []string
	for _, s := range segs {
		out = append(out, fmt.Sprintf("%s %d %q", s.Kind, s.Line, s.Text))
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want []string
	}{
		{"magic in mid-cell", "x := 1\n%p x\ny := 2",
			[]string{`go 1 "x := 1\n"`, `line magic 2 "%p x"`, `go 3 "y := 2"`}},
		{"shell after a statement", "x++\n!ls -l\n", []string{`go 1 "x++\n"`, `shell 2 "ls -l"`}},
		{"shell after a label", "L:\n!ls", []string{`go 1 "L:\n"`, `shell 2 "ls"`}},
		{"shell after a func", "func f() {\n}\n!ls", []string{`go 1 "func f() {\n}\n"`, `shell 3 "ls"`}},
		{"not after an operator", "ok := a &&\n!b", []string{`go 1 "ok := a &&\n!b"`}},
		{"not after a keyword", "x := func\n!b", []string{`go 1 "x := func\n!b"`}},
		{"not inside brackets", "f(a,\nb\n!c)", []string{`go 1 "f(a,\nb\n!c)"`}},
		{"magic after an operator", "x := 1 +\n%p x", []string{`go 1 "x := 1 +\n"`, `line magic 2 "%p x"`}},
		{"raw string", "s := `\n%p x\n!ls\n%%bash\nfmt.Println?`\n%p s",
			[]string{"go 1 \"s := `\\n%p x\\n!ls\\n%%bash\\nfmt.Println?`\\n\"", `line magic 6 "%p s"`}},
		{"block comment", "/*\n%p x\n!ls\n*/\n!pwd",
			[]string{`go 1 "/*\n%p x\n!ls\n*/\n"`, `shell 5 "pwd"`}},
		{"block comment ends the statement", "x := 1 /* a\nb */\n!ls",
			[]string{`go 1 "x := 1 /* a\nb */\n"`, `shell 3 "ls"`}},
		{"block comment after an operator", "x := 1 + /* a\nb */\n!y",
			[]string{`go 1 "x := 1 + /* a\nb */\n!y"`}},
		{"line comment with a backquote", "x := 1 // a `\n%p x", []string{"go 1 \"x := 1 // a `\\n\"", `line magic 2 "%p x"`}},
		{"string with a comment opener", "s := \"/*\"\n!ls", []string{`go 1 "s := \"/*\"\n"`, `shell 2 "ls"`}},
		{"rune literal with a backquote", "r := '`'\n%p r", []string{"go 1 \"r := '`'\\n\"", `line magic 2 "%p r"`}},
		{"shell with a backquote", "!echo `date`\nx := 1\n!ls",
			[]string{"shell 1 \"echo `date`\"", `go 2 "x := 1\n"`, `shell 3 "ls"`}},
		{"magic with a quote", "%p \"a\nx := `b`\n%p x",
			[]string{`line magic 1 "%p \"a"`, "go 2 \"x := `b`\\n\"", `line magic 3 "%p x"`}},
		{"continuation lines", "!echo a \\\n  b \\\n  c\nx := 1",
			[]string{`shell 1 "echo a \\\n  b \\\n  c"`, `go 4 "x := 1"`}},
		{"continued at the end", "!echo a \\", []string{`shell 1 "echo a \\"`}},
		{"cell magic", "\n%%bash\nx := 1\n%p x\n", []string{`cell magic 2 "%%bash"`}},
		{"help in mid-cell", "x := 1\nx?\n%p?", []string{`go 1 "x := 1\n"`, `help 2 "x?"`, `help 3 "%p?"`}},
		{"crlf", "x := 1\r\n!ls\r\n%pwd\r\n", []string{`go 1 "x := 1\r\n"`, `shell 2 "ls"`, `line magic 3 "%pwd"`}},
		{"cyrillic", "переменная := \"%\"\n%p переменная", []string{`go 1 "переменная := \"%\"\n"`, `line magic 2 "%p переменная"`}},
		{"invalid utf-8", "x := \"\xff\"\xff\n!ls", []string{`go 1 "x := \"\xff\"\xff\n"`, `shell 2 "ls"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := cellsyntax.Split(tc.cell)
			if err != nil {
				t.Fatalf("Split(%q): %v", tc.cell, err)
			}
			if got := brief(segs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%q)\ngot  %q\nwant %q", tc.cell, got, tc.want)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name, cell, want string
		line             int
	}{
		{"cell magic below line 1", "x := 1\n%%bash", "cell magic %%bash must be the first line of the cell", 2},
		{"no name", "x := 1\n% x", "expected a magic name after %", 2},
		{"no cell magic name", "%%", "expected a cell magic name after %%", 1},
		{"inside a block", "for {\n\t%p i\n}", "%p cannot be used inside a Go block or parentheses (opened on line 1)", 2},
		{"inside brackets opened after a magic", "%pwd\nf(\n\n%p x\n)", "%p cannot be used inside a Go block or parentheses (opened on line 2)", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := cellsyntax.Split(tc.cell)
			e, ok := err.(*cellsyntax.Error)
			if !ok {
				t.Fatalf("Split(%q) = %q, %v; want an *Error", tc.cell, brief(segs), err)
			}
			if e.Line != tc.line || e.Msg != tc.want {
				t.Errorf("Split(%q) error at line %d %q, want line %d %q", tc.cell, e.Line, e.Msg, tc.line, tc.want)
			}
		})
	}
}

func TestContinued(t *testing.T) {
	for cell, want := range map[string]bool{
		"!ls \\":       true,
		"!ls \\\n-l":   false,
		"!ls":          false,
		"x := `a\\`":   false,
		"%p `a\\`":     false,
		"!ls \\\r\n":   true,
		"!echo a\\\\ ": false,
	} {
		segs, err := cellsyntax.Split(cell)
		if err != nil || len(segs) != 1 {
			t.Fatalf("Split(%q) = %q, %v; want one segment", cell, brief(segs), err)
		}
		if got := segs[0].Continued(); got != want {
			t.Errorf("Split(%q)[0].Continued() = %v, want %v", cell, got, want)
		}
	}
}

func ExampleSplit() {
	segs, err := cellsyntax.Split("x := 6 * 7\n%p x\n!echo done")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range segs {
		fmt.Printf("line %d, %s: %q\n", s.Line, s.Kind, strings.TrimSpace(s.Text))
	}
	// Output:
	// line 1, go: "x := 6 * 7"
	// line 2, line magic: "%p x"
	// line 3, shell: "echo done"
}

// FuzzSplit checks that Split never panics, that segments come in the
// order of their lines, and that a Go segment is the cell's own text from
// the start of its line.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"x := 1\n%p x\n!echo `date`\ny := 2",
		"s := `\n%p\n`\n!ls \\\n-l",
		"/* a\n*/ f(\n!b)\nx?",
		"%%bash\necho hi",
		"x := \"\xff\r\n!ls\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		segs, err := cellsyntax.Split(cell)
		if err != nil {
			return
		}
		line := 0
		for _, s := range segs {
			if s.Line <= line {
				t.Fatalf("Split(%q): segment at line %d after line %d", cell, s.Line, line)
			}
			line = s.Line + strings.Count(strings.TrimSuffix(s.Text, "\n"), "\n") // its last line
			if s.Kind != cellsyntax.Go {
				continue
			}
			start := 0
			for range s.Line - 1 {
				start += strings.IndexByte(cell[start:], '\n') + 1
			}
			if !strings.HasPrefix(cell[start:], s.Text) {
				t.Fatalf("Split(%q): Go segment %q is not the text of line %d on", cell, s.Text, s.Line)
			}
		}
	})
}

// BenchmarkSplit measures Split on a trivial cell and on a mixed one.
func BenchmarkSplit(b *testing.B) {
	for _, bc := range []struct{ name, cell string }{
		{"trivial", "x := 1"},
		{"mixed", "import \"fmt\"\nx := 6 * 7\n%p x\ns := `\n%p\n`\n!echo `date`\nfor i := range 3 {\n\tfmt.Println(i, s)\n}"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := cellsyntax.Split(bc.cell); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
