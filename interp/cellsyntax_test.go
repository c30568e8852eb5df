package interp_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/magics"
)

// TestCellSyntaxAgrees runs the same cells through every reader of cell
// syntax: magics.Parse, which Execute uses to cut a cell into Go, magics
// and shell commands; gosrc.IsComplete; and the Interpreter's IsComplete,
// which answers is_complete_request. They must see the same segments, and
// Execute must do what is_complete promised: a complete cell runs without
// a syntax error, an invalid one fails before it runs anything wrong. The
// cells run in order in one worker.
func TestCellSyntaxAgrees(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	tests := []struct {
		name   string
		cell   string
		kinds  []magics.SegKind // of magics.Parse's segments; nil when it fails
		status string           // of both IsComplete
		stdout string           // how what the cell prints starts, when it runs
	}{
		{"magic and shell in mid-cell",
			"import \"fmt\"\nx := 6 * 7\n%p x\ny := x + 1\n!echo shell\nfmt.Println(y)",
			[]magics.SegKind{magics.Go, magics.LineMagic, magics.Go, magics.Shell, magics.Go},
			"complete", "shell\n43\n"},
		{"magic-like lines in a raw string",
			"s := `\n%p x\n!echo no\n%%bash\n`\nfmt.Println(len(s))",
			[]magics.SegKind{magics.Go}, "complete", "22\n"},
		{"magic-like lines in a block comment",
			"/*\n%p x\n!echo no\n*/\nz := 1 /* a\nb */\n!echo yes",
			[]magics.SegKind{magics.Go, magics.Shell}, "complete", "yes\n"},
		{"a ! line that continues an expression",
			"ok, b := true, false\nv := ok &&\n\t!b\nfmt.Println(v)",
			[]magics.SegKind{magics.Go}, "complete", "true\n"},
		{"continuation lines",
			"!echo a \\\n  b\nw := 2\nfmt.Println(w)",
			[]magics.SegKind{magics.Shell, magics.Go}, "complete", "a b\n2\n"},
		{"a shell line with a backquote",
			"!echo `echo q`\nfmt.Println(\"go\")",
			[]magics.SegKind{magics.Shell, magics.Go}, "complete", "q\ngo\n"},
		{"cell magic ended by a blank line", "%%bash\necho hi\n%p x\n",
			[]magics.SegKind{magics.CellMagic}, "complete", "hi\n"},
		{"cell magic while its body is typed", "%%bash\necho hi",
			[]magics.SegKind{magics.CellMagic}, "incomplete", "hi\n"},
		{"cell magic line alone", "%%bash",
			[]magics.SegKind{magics.CellMagic}, "incomplete", ""},
		{"help in mid-cell", "fmt.Println(1)\n%p?",
			[]magics.SegKind{magics.Go, magics.Help}, "complete", "1\nusage: %p EXPR"},
		{"open block after a magic", "%p x\nfor {",
			[]magics.SegKind{magics.LineMagic, magics.Go}, "incomplete", ""},
		{"continued shell line at the end", "!echo a \\",
			[]magics.SegKind{magics.Shell}, "incomplete", ""},
		{"magic inside a block", "for i := 0; i < 1; i++ {\n\t%p i\n}", nil, "invalid", ""},
		{"cell magic below line 1", "r := 1\n%%bash", nil, "invalid", ""},
		{"magic without a name", "% x", nil, "invalid", ""},
		{"Go cut short before a magic", "q := 1 +\n%p q",
			[]magics.SegKind{magics.Go, magics.LineMagic}, "invalid", ""},
	}
	for k, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := magics.Parse(tc.cell)
			var kinds []magics.SegKind
			for _, s := range segs {
				kinds = append(kinds, s.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.kinds) || (err == nil) != (tc.kinds != nil) {
				t.Errorf("magics.Parse(%q) kinds %v, error %v; want %v", tc.cell, kinds, err, tc.kinds)
			}
			if status, _ := gosrc.IsComplete(tc.cell); status != tc.status {
				t.Errorf("gosrc.IsComplete(%q) = %q, want %q", tc.cell, status, tc.status)
			}
			if got := in.IsComplete(context.Background(), tc.cell); got.Status != tc.status {
				t.Errorf("Interpreter.IsComplete(%q) = %q, want %q", tc.cell, got.Status, tc.status)
			}
			if tc.status == "incomplete" {
				return // Enter would wait for more; running it is no promise
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			rec := &kerneltest.Recorder{}
			res := in.Execute(ctx, &kernel.ExecuteRequest{Code: tc.cell, Count: k + 1, StoreHistory: true}, rec)
			switch {
			case tc.status == "complete" && res.Err != nil:
				t.Errorf("Execute(%q) failed: %s: %s", tc.cell, res.Err.Name, res.Err.Value)
			case tc.status == "invalid" && res.Err == nil:
				t.Errorf("Execute(%q) succeeded; is_complete said invalid", tc.cell)
			}
			if got := strings.ReplaceAll(rec.Stdout(), "\r\n", "\n"); tc.status == "complete" && !strings.HasPrefix(got, tc.stdout) {
				t.Errorf("Execute(%q) printed %q, want it to start with %q", tc.cell, got, tc.stdout)
			}
		})
	}
}
