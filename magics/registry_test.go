package magics_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/magics"
)

func noop(ctx context.Context, c *magics.Call) error { return nil }

func TestNewRegistryPanics(t *testing.T) {
	ok := func(name string, aliases ...string) *magics.Magic {
		return &magics.Magic{Name: name, Aliases: aliases, Kind: magics.Line, Usage: "%" + name, Short: "s", Run: noop}
	}
	tests := []struct {
		name string
		ms   []*magics.Magic
		want string
	}{
		{"duplicate name", []*magics.Magic{ok("a"), ok("a")}, `name "a" of a is already used by a`},
		{"alias clashes with name", []*magics.Magic{ok("a"), ok("b", "a")}, `name "a" of b is already used by a`},
		{"alias used twice", []*magics.Magic{ok("a", "x"), ok("b", "x")}, `name "x" of b is already used by a`},
		{"no name", []*magics.Magic{ok("")}, "without a name"},
		{"nil", []*magics.Magic{nil}, "nil magic"},
		{"no kind", []*magics.Magic{{Name: "a", Usage: "u", Short: "s", Run: noop}}, "bad kind"},
		{"no usage", []*magics.Magic{{Name: "a", Kind: magics.Line, Short: "s", Run: noop}}, "missing usage"},
		{"no run", []*magics.Magic{{Name: "a", Kind: magics.Line, Usage: "u", Short: "s"}}, "nil Run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("NewRegistry did not panic")
				}
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %v, want it to contain %q", r, tc.want)
				}
			}()
			magics.NewRegistry(tc.ms...)
		})
	}
}

func TestLookup(t *testing.T) {
	jobs := magics.NewJobs()
	defer jobs.Close()
	reg := magics.Builtin(jobs)
	found := []struct {
		name string
		kind magics.Kind
		want string
	}{
		{"cd", magics.Line, "cd"},
		{"cpp", magics.Cell, "cpp"},
		{"file", magics.Cell, "writefile"},
		{"js", magics.Cell, "javascript"},
		{"time", magics.Line, "time"},
		{"time", magics.Cell, "time"},
		{"!", magics.Line, "!"},
	}
	for _, tc := range found {
		m, err := reg.Lookup(tc.name, tc.kind)
		if err != nil {
			t.Errorf("Lookup(%q, %v): %v", tc.name, tc.kind, err)
			continue
		}
		if m.Name != tc.want {
			t.Errorf("Lookup(%q, %v) = %s, want %s", tc.name, tc.kind, m.Name, tc.want)
		}
	}

	missing := []struct {
		name string
		kind magics.Kind
		want string
	}{
		{"cpp", magics.Line, "line magic %cpp not found (cell magic %%cpp exists; did you mean it?)"},
		{"cd", magics.Cell, "cell magic %%cd not found (line magic %cd exists; did you mean it?)"},
		{"cdd", magics.Line, "unknown line magic %cdd; did you mean %cd?"},
		{"bash_asyn", magics.Line, "did you mean %bash_async?"},
		{"jobwrite", magics.Line, "did you mean %job_write?"},
		{"savefile", magics.Cell, "did you mean %%save_file?"},
		{"lsmagik", magics.Line, "did you mean %lsmagic?"},
		{"CD", magics.Line, "did you mean %cd?"},
		{"xyzzy_plugh", magics.Line, "unknown line magic %xyzzy_plugh (%lsmagic lists them all)"},
		{"переменная", magics.Line, "unknown line magic %переменная (%lsmagic lists them all)"},
	}
	for _, tc := range missing {
		m, err := reg.Lookup(tc.name, tc.kind)
		if err == nil {
			t.Errorf("Lookup(%q, %v) = %s, want an error", tc.name, tc.kind, m.Name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Lookup(%q, %v) error %q, want it to contain %q", tc.name, tc.kind, err, tc.want)
		}
		if !errors.Is(err, magics.ErrNoSuchMagic) {
			t.Errorf("Lookup(%q, %v) error does not match ErrNoSuchMagic", tc.name, tc.kind)
		}
		var ue *magics.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("Lookup(%q, %v) error is %T, want a *UsageError", tc.name, tc.kind, err)
		}
	}
}

func TestBuiltinEntries(t *testing.T) {
	jobs := magics.NewJobs()
	defer jobs.Close()
	all := magics.Builtin(jobs).All()
	want := []string{"!", "save_file", "cpp", "go", "asm", "makefile", "cmake", "p",
		"bash_async", "jobs", "kill", "wait", "job_write", "job_close",
		"bash", "sh", "writefile", "html", "markdown", "javascript",
		"cd", "pwd", "env", "time", "timeit", "who", "reset", "lsmagic", "help"}
	var got []string
	for _, m := range all {
		got = append(got, m.Name)
		// The usage line starts with the magic as it is typed.
		spell := m.Spelling(m.Kind &^ magics.Line) // the cell form when there is one
		if m.Kind == magics.LineCell {
			spell = m.Spelling(magics.Line)
		}
		if !strings.HasPrefix(m.Usage, spell) {
			t.Errorf("%s: usage %q does not start with %q", m.Name, m.Usage, spell)
		}
		if strings.HasSuffix(m.Short, " ") || !strings.HasSuffix(m.Short, ".") {
			t.Errorf("%s: short help %q is not one sentence ending in a period", m.Name, m.Short)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Builtin magics\ngot  %v\nwant %v", got, want)
	}
}

func TestRunErrors(t *testing.T) {
	k := newKit(t)
	k.usageErr("%cdd /tmp", "unknown line magic %cdd; did you mean %cd?")
	k.usageErr("%%cd /tmp\nbody", "cell magic %%cd not found (line magic %cd exists; did you mean it?)")
	k.usageErr("%cpp a.c", "line magic %cpp not found (cell magic %%cpp exists")
	k.usageErr("%%cpp a.c", "%%cpp: needs a cell body")
	k.usageErr("%pwd extra", `%pwd: unexpected argument "extra"`)
	k.usageErr("%cd a b", `%cd: unexpected argument "b"`)
	k.usageErr("%wait 1 2 3", `%wait: unexpected argument "3"`)
	k.usageErr(`%cd "unterminated`, "%cd: unterminated double quote")
	k.usageErr("%jobs now", `unexpected argument "now"`)
	if got := k.rec.Events(); len(got) != 0 {
		t.Errorf("failed magics produced output: %+v", got)
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		cell string
		want []string
	}{
		{"%cd?", []string{"usage: %cd [DIR]", "Change the Go worker's working directory"}},
		{"%%cpp?", []string{"usage: %%cpp FILE", "--ejudge-style", "line N of the file is line N of the cell", `"//"`}},
		{"%%writefile??", []string{"usage: %%writefile [-a] FILE", "also: %%file"}},
		{"%help cd", []string{"usage: %cd [DIR]"}},
		{"%help %%save_file", []string{"usage: %%save_file FILE", "extension"}},
		{"%help cpp", []string{"usage: %%cpp FILE"}},
		{"%help !", []string{"usage: !CMD", "^C"}},
		{"cd?", []string{"usage: %cd [DIR]"}},
		{"%help", []string{"Line magics:", "%bash_async", "Cell magics", "%%cpp", "!CMD"}},
	}
	for _, tc := range tests {
		t.Run(tc.cell, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(tc.cell)
			out := k.rec.Stdout()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s printed\n%s\nwant it to contain %q", tc.cell, out, w)
				}
			}
		})
	}

	k := newKit(t)
	k.usageErr("%cdd?", "unknown line magic %cdd; did you mean %cd?")
	k.usageErr("%help nope_nope", "unknown line magic %nope_nope")
	k.usageErr("%%pwd?", "cell magic %%pwd not found")

	// A bare NAME? that is no magic is left to the interpreter (Go docs).
	err := k.run(context.Background(), "fmt.Println?")
	if !errors.Is(err, magics.ErrNoSuchMagic) {
		t.Errorf("fmt.Println?: error %v, want one matching ErrNoSuchMagic", err)
	}
	if ev := k.rec.Events(); len(ev) != 0 {
		t.Errorf("fmt.Println? showed %+v, want nothing", ev)
	}
}

func TestLsmagic(t *testing.T) {
	k := newKit(t)
	k.mustRun("%lsmagic")
	ds := displays(k.rec)
	if len(ds) != 1 {
		t.Fatalf("%%lsmagic displayed %d bundles, want 1", len(ds))
	}
	plain, _ := ds[0].Bundle["text/plain"].(string)
	for _, m := range k.reg.All() {
		var spell string
		switch {
		case m.Name == magics.ShellName:
			spell = "!CMD"
		case m.Kind&magics.Line != 0:
			spell = m.Spelling(magics.Line)
		default:
			spell = m.Spelling(magics.Cell)
		}
		if !strings.Contains(plain, spell) {
			t.Errorf("%%lsmagic does not list %s:\n%s", spell, plain)
		}
	}
	if md, _ := ds[0].Bundle["text/markdown"].(string); md != magics.MarkdownTable(k.reg) {
		t.Errorf("%%lsmagic markdown differs from MarkdownTable")
	}
}

func TestAsKernelError(t *testing.T) {
	k := newKit(t)
	err := k.run(context.Background(), "%kill -FOO 1")
	ke := magics.AsKernelError(err)
	if ke == nil || ke.Name != "UsageError" {
		t.Fatalf("AsKernelError(%v) = %+v, want a UsageError", err, ke)
	}
	want := []string{`%kill: unknown signal "FOO"`, "usage: %kill [-SIGNAL] N|NAME|%+"}
	if strings.Join(ke.Traceback, "|") != strings.Join(want, "|") {
		t.Errorf("traceback %q, want %q", ke.Traceback, want)
	}
	if ke.Value != want[0] {
		t.Errorf("value %q, want %q", ke.Value, want[0])
	}
	if got := magics.AsKernelError(errors.New("boom")); got.Name != "MagicError" || got.Value != "boom" {
		t.Errorf("AsKernelError(boom) = %+v", got)
	}
	if magics.AsKernelError(nil) != nil {
		t.Error("AsKernelError(nil) is not nil")
	}
}

func TestRunGoSegment(t *testing.T) {
	k := newKit(t)
	err := k.reg.Run(context.Background(), magics.Segment{Kind: magics.Go, Text: "x := 1"}, &kerneltest.Recorder{}, k.env)
	if err == nil {
		t.Error("Run of a Go segment succeeded, want an error")
	}
}

func TestCheck(t *testing.T) {
	jobs := magics.NewJobs()
	defer jobs.Close()
	reg := magics.Builtin(jobs)
	tests := []struct {
		cell, want string
	}{
		{"x := 1\n%pwd\n!ls\nfmt.Println?\n%cd?", ""},
		{"%%cpp a.c\nint x;", ""},
		{"x := 1\n%cdd /tmp\ny := 2", "line 2: unknown line magic %cdd; did you mean %cd?"},
		{"%%cdd\nx", "line 1: unknown cell magic %%cdd; did you mean %cd?"},
		{"\n%%cd /\nx", "line 2: cell magic %%cd not found (line magic %cd exists; did you mean it?)"},
		{"x := 1\n\n%cd 'open", "line 3: %cd: unterminated single quote"},
		{"%p 'x' # it's raw", ""},
	}
	for _, tc := range tests {
		segs, err := magics.Parse(tc.cell)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.cell, err)
		}
		err = reg.Check(segs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Check(%q): %v", tc.cell, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("Check(%q) = %v, want %q", tc.cell, err, tc.want)
		case tc.want != "":
			var ue *magics.UsageError
			if !errors.As(err, &ue) {
				t.Errorf("Check(%q) error is %T, want a *UsageError", tc.cell, err)
			}
		}
	}
	_, err := magics.Parse("x := 1\n%%cpp a.c")
	var ue *magics.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("Parse error %v is %T, want a *UsageError", err, err)
	}
}
