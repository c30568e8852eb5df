package magics_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/magics"
)

func TestParse(t *testing.T) {
	type seg = magics.Segment
	goSeg := func(line int, text string) seg { return seg{Kind: magics.Go, Text: text, Line: line} }
	lineMagic := func(line int, text, name, args string) seg {
		return seg{Kind: magics.LineMagic, Text: text, Name: name, Args: args, Line: line}
	}
	shell := func(line int, cmd string) seg { return seg{Kind: magics.Shell, Text: cmd, Line: line} }
	help := func(line int, text, name string) seg {
		return seg{Kind: magics.Help, Text: text, Name: name, Line: line}
	}

	tests := []struct {
		name string
		cell string
		want []seg
	}{
		{"empty", "", nil},
		{"blank", "\n  \n", nil},
		{"go only", "x := 1\nfmt.Println(x)", []seg{goSeg(1, "x := 1\nfmt.Println(x)")}},
		{"cell magic", "%%cpp a.c --ejudge-style\nint main() {}\n",
			[]seg{{Kind: magics.CellMagic, Name: "cpp", Args: "a.c --ejudge-style", Text: "%%cpp a.c --ejudge-style", Body: "int main() {}\n", Line: 1}}},
		{"cell magic after blank lines", "\n\n%%bash\necho hi",
			[]seg{{Kind: magics.CellMagic, Name: "bash", Text: "%%bash", Body: "echo hi", Line: 3}}},
		{"cell magic body keeps % and ! lines", "%%cpp a.c\n%run gcc a.c\n!not a shell line\n",
			[]seg{{Kind: magics.CellMagic, Name: "cpp", Args: "a.c", Text: "%%cpp a.c", Body: "%run gcc a.c\n!not a shell line\n", Line: 1}}},
		{"cell magic help", "%%cpp?", []seg{help(1, "%%cpp?", "%%cpp")}},
		{"magics split go", "x := 1\n%p x\ny := 2\n!echo hi\nz := 3",
			[]seg{goSeg(1, "x := 1\n"), lineMagic(2, "%p x", "p", "x"), goSeg(3, "y := 2\n"), shell(4, "echo hi"), goSeg(5, "z := 3")}},
		{"modulo and format verbs", "a := 7 % 3\nfmt.Printf(\"%d\\n\", a)\nb := a %\n 2",
			[]seg{goSeg(1, "a := 7 % 3\nfmt.Printf(\"%d\\n\", a)\nb := a %\n 2")}},
		{"raw string", "s := `\n%p x\n!ls\n%%cpp a.c\n`\nfmt.Print(s)",
			[]seg{goSeg(1, "s := `\n%p x\n!ls\n%%cpp a.c\n`\nfmt.Print(s)")}},
		{"block comment", "/* notes:\n%p x\n!ls\n*/\nx := 1\n%pwd",
			[]seg{goSeg(1, "/* notes:\n%p x\n!ls\n*/\nx := 1\n"), lineMagic(6, "%pwd", "pwd", "")}},
		{"not expression continuation", "ok := a &&\n\t!b\n", []seg{goSeg(1, "ok := a &&\n\t!b\n")}},
		{"not after open paren", "f(\n!b)", []seg{goSeg(1, "f(\n!b)")}},
		{"not after :=", "ok :=\n\t!b", []seg{goSeg(1, "ok :=\n\t!b")}},
		{"not in composite literal", "v := []bool{\n!a,\n}", []seg{goSeg(1, "v := []bool{\n!a,\n}")}},
		{"shell after statement", "x++\n!ls -l", []seg{goSeg(1, "x++\n"), shell(2, "ls -l")}},
		{"shell after closing brace", "if x {\n}\n!ls", []seg{goSeg(1, "if x {\n}\n"), shell(3, "ls")}},
		{"shell continuation", "!echo a \\\n  b\nx := 1", []seg{shell(1, "echo a \\\n  b"), goSeg(3, "x := 1")}},
		{"indented magic", "  %pwd", []seg{lineMagic(1, "  %pwd", "pwd", "")}},
		{"name stops at punctuation", "%p(x)", []seg{lineMagic(1, "%p(x)", "p", "(x)")}},
		{"blank go between magics dropped", "%pwd\n\n%pwd", []seg{lineMagic(1, "%pwd", "pwd", ""), lineMagic(3, "%pwd", "pwd", "")}},
		{"comment-only go kept", "// note\n%pwd", []seg{goSeg(1, "// note\n"), lineMagic(2, "%pwd", "pwd", "")}},
		{"crlf", "x := 1\r\n%pwd\r\n", []seg{goSeg(1, "x := 1\r\n"), lineMagic(2, "%pwd", "pwd", "")}},
		{"rune literal with backquote", "r := '`'\n%p r", []seg{goSeg(1, "r := '`'\n"), lineMagic(2, "%p r", "p", "r")}},
		{"string with comment opener", "s := \"/* `\"\n%p s", []seg{goSeg(1, "s := \"/* `\"\n"), lineMagic(2, "%p s", "p", "s")}},
		{"bare help", "x := 1\nfmt.Println?\n%cd??", []seg{goSeg(1, "x := 1\n"), help(2, "fmt.Println?", "fmt.Println"), help(3, "%cd??", "%cd")}},

		// Cyrillic: comments, strings, identifiers, magic arguments, shell text.
		{"cyrillic", "// Комментарий с % и `\nпеременная := \"привет % мир\"\n%p переменная  # Побитовый OR\n!echo привет",
			[]seg{goSeg(1, "// Комментарий с % и `\nпеременная := \"привет % мир\"\n"),
				lineMagic(3, "%p переменная  # Побитовый OR", "p", "переменная  # Побитовый OR"),
				shell(4, "echo привет")}},
		{"cyrillic raw string", "s := `строка\n%не магия\n!и не команда`\n%p s",
			[]seg{goSeg(1, "s := `строка\n%не магия\n!и не команда`\n"), lineMagic(4, "%p s", "p", "s")}},
		{"cyrillic help", "счётчик?", []seg{help(1, "счётчик?", "счётчик")}},
		{"cyrillic cell magic", "%%cpp файл.c\n// Привет\n", []seg{{Kind: magics.CellMagic, Name: "cpp", Args: "файл.c", Text: "%%cpp файл.c", Body: "// Привет\n", Line: 1}}},
		{"cyrillic identifier ends statement", "x := переменная\n!ls", []seg{goSeg(1, "x := переменная\n"), shell(2, "ls")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := magics.Parse(tc.cell)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.cell, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q)\ngot  %+v\nwant %+v", tc.cell, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, cell, want string
	}{
		{"cell magic below line 1", "x := 1\n%%cpp a.c", "line 2: cell magic %%cpp must be the first line"},
		{"cell magic help below line 1", "x := 1\n%%cpp?", "line 2: cell magic %%cpp? must be the first line"},
		{"no name", "% x", "line 1: expected a magic name after %"},
		{"no cell magic name", "%% x", "line 1: expected a cell magic name after %%"},
		{"inside a block", "for i := 0; i < 3; i++ {\n\t%p i\n}", "line 2: %p cannot be used inside a Go block or parentheses (opened on line 1)"},
		{"inside parentheses", "fmt.Println(\n%pwd\n)", "line 2: %pwd cannot be used inside"},
		{"cyrillic block", "если := func() {\n%p если\n}", "line 2: %p cannot be used inside"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := magics.Parse(tc.cell)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tc.cell, segs)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) error %q, want it to contain %q", tc.cell, err, tc.want)
			}
		})
	}
}

func TestSegmentPadded(t *testing.T) {
	segs, err := magics.Parse("%pwd\n%cd /\nx := undefined\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 3 || segs[2].Kind != magics.Go {
		t.Fatalf("segments %+v, want pwd, cd, go", segs)
	}
	if got, want := segs[2].Padded(), "\n\nx := undefined\n"; got != want {
		t.Errorf("Padded() = %q, want %q", got, want)
	}
	if got := (magics.Segment{Text: "x", Line: 1}).Padded(); got != "x" {
		t.Errorf("Padded() of line 1 = %q, want %q", got, "x")
	}
}
