package symbols_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	ysyscall "github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	yunsafe "github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/beacceaf/gokernel/interp/symbols"
)

// yaegiTables are yaegi's own tables, in the order the worker uses them.
var yaegiTables = []interp.Exports{stdlib.Symbols, ysyscall.Symbols, yunsafe.Symbols, unrestricted.Symbols}

// session is an interpreter set up like the worker's, with its output
// captured.
type session struct {
	i              *interp.Interpreter
	stdout, stderr bytes.Buffer
}

func newSession(t *testing.T) *session {
	t.Helper()
	s := &session{}
	s.i = interp.New(interp.Options{Unrestricted: true, Stdout: &s.stdout, Stderr: &s.stderr})
	for _, tab := range yaegiTables {
		if err := s.i.Use(tab); err != nil {
			t.Fatalf("Use(yaegi table): %v", err)
		}
	}
	if err := s.i.Use(symbols.Symbols); err != nil {
		t.Fatalf("Use(symbols.Symbols): %v", err)
	}
	if err := symbols.LoadGeneric(s.i); err != nil {
		t.Fatalf("LoadGeneric: %v", err)
	}
	return s
}

// eval runs one cell's worth of source and fails the test on error.
func (s *session) eval(t *testing.T, src string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.i.EvalWithContext(ctx, src); err != nil {
		t.Fatalf("eval %q: %v\nstdout: %s\nstderr: %s", src, err, s.stdout.String(), s.stderr.String())
	}
}

// cell is one table entry: imports and declarations, each run as its own
// Eval as the kernel's cell splitter would, then the statements in code, and
// the stdout they must print. want is computed by the host, never typed in.
type cell struct {
	name    string
	imports []string
	decls   []string
	code    string
	want    string
}

func runCells(t *testing.T, cells []cell) {
	t.Helper()
	for _, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			s := newSession(t)
			for _, imp := range c.imports {
				s.eval(t, fmt.Sprintf("import %q", imp))
			}
			for _, d := range c.decls {
				s.eval(t, d)
			}
			s.eval(t, c.code)
			if got := s.stdout.String(); got != c.want {
				t.Errorf("stdout = %q, want %q\nstderr: %s", got, c.want, s.stderr.String())
			}
		})
	}
}

func TestSymbolsAreADelta(t *testing.T) {
	if len(symbols.Symbols) == 0 {
		t.Fatal("Symbols is empty")
	}
	for key, syms := range symbols.Symbols {
		if len(syms) == 0 {
			t.Errorf("%s: empty table", key)
		}
		for name := range syms {
			for _, tab := range yaegiTables {
				if _, ok := tab[key][name]; ok {
					t.Errorf("%s.%s is already in one of yaegi's tables", key, name)
				}
			}
		}
	}
	// Either key would make interp.Use redo yaegi's stdlib wiring.
	for _, key := range []string{"fmt/fmt", "."} {
		if _, ok := symbols.Symbols[key]; ok {
			t.Errorf("Symbols has key %q", key)
		}
	}
}

func TestSymbolsHaveGo126API(t *testing.T) {
	want := map[string][]string{
		"strings/strings":           {"Lines", "SplitSeq", "FieldsSeq"},
		"bytes/bytes":               {"Lines"},
		"os/os":                     {"OpenRoot", "CopyFS", "Root"},
		"crypto/rand/rand":          {"Text"},
		"encoding/binary/binary":    {"Append", "Encode", "Decode"},
		"log/slog/slog":             {"DiscardHandler"},
		"crypto/sha3/sha3":          {"Sum256", "New256"},
		"crypto/mlkem/mlkem":        {"GenerateKey768"},
		"sync/atomic/atomic":        {"AndInt32", "OrInt32"},
		"os/exec/exec":              {"ErrWaitDelay"},
		"testing/synctest/synctest": {"Wait"},
		"crypto/hkdf/hkdf":          {"Key", "Extract", "Expand"},
		"crypto/pbkdf2/pbkdf2":      {"Key"},
	}
	for key, names := range want {
		for _, n := range names {
			if !symbols.Symbols[key][n].IsValid() {
				t.Errorf("Symbols[%q][%q] is missing", key, n)
			}
		}
	}
}

func TestStdlibCells(t *testing.T) {
	root := t.TempDir()
	content := "inside the root " + rand.Text()
	if err := os.WriteFile(filepath.Join(root, "x.txt"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	var lines strings.Builder
	for l := range strings.Lines("a\nb\n") {
		fmt.Fprintf(&lines, "%q|", l)
	}
	var blines strings.Builder
	for l := range bytes.Lines([]byte("x\ny")) {
		fmt.Fprintf(&blines, "%q|", l)
	}
	sum := sha3.Sum256([]byte("gokernel"))
	bin, binErr := binary.Append(nil, binary.BigEndian, uint16(258))
	echo, echoErr := exec.Command("echo", "hi").Output()
	pbk, pbkErr := pbkdf2.Key(sha256.New, "pw", []byte("salt"), 1000, 16)
	hk, hkErr := hkdf.Key(sha256.New, []byte("secret"), []byte("salt"), "info", 16)

	runCells(t, []cell{{
		name:    "strings.Lines called as a func",
		imports: []string{"fmt", "strings"},
		code:    `strings.Lines("a\nb\n")(func(l string) bool { fmt.Printf("%q|", l); return true })`,
		want:    lines.String(),
	}, {
		name:    "bytes.Lines",
		imports: []string{"fmt", "bytes"},
		code:    `bytes.Lines([]byte("x\ny"))(func(l []byte) bool { fmt.Printf("%q|", l); return true })`,
		want:    blines.String(),
	}, {
		name:    "os.OpenRoot",
		imports: []string{"fmt", "os"},
		code: fmt.Sprintf(`r, err := os.OpenRoot(%q)
b, err2 := r.ReadFile("x.txt")
_, err3 := r.Open("../outside")
fmt.Println(string(b), err, err2, err3 != nil)
r.Close()`, root),
		want: fmt.Sprintln(content, nil, nil, true),
	}, {
		name:    "crypto/sha3",
		imports: []string{"fmt", "crypto/sha3", "encoding/hex"},
		code:    `h := sha3.Sum256([]byte("gokernel")); fmt.Println(hex.EncodeToString(h[:]))`,
		want:    fmt.Sprintln(hex.EncodeToString(sum[:])),
	}, {
		name:    "crypto/rand.Text",
		imports: []string{"fmt", "crypto/rand"},
		code:    `fmt.Println(len(rand.Text()))`,
		want:    fmt.Sprintln(len(rand.Text())),
	}, {
		name:    "encoding/binary.Append",
		imports: []string{"fmt", "encoding/binary"},
		code:    `b, err := binary.Append(nil, binary.BigEndian, uint16(258)); fmt.Println(b, err)`,
		want:    fmt.Sprintln(bin, binErr),
	}, {
		name:    "log/slog.DiscardHandler",
		imports: []string{"fmt", "context", "log/slog"},
		code:    `l := slog.New(slog.DiscardHandler); l.Info("dropped"); fmt.Println(l.Enabled(context.Background(), slog.LevelError))`,
		want:    fmt.Sprintln(slog.New(slog.DiscardHandler).Enabled(context.Background(), slog.LevelError)),
	}, {
		name:    "crypto/pbkdf2 and crypto/hkdf at hash.Hash",
		imports: []string{"fmt", "crypto/pbkdf2", "crypto/hkdf", "crypto/sha256"},
		code: `p, err := pbkdf2.Key(sha256.New, "pw", []byte("salt"), 1000, 16)
h, err2 := hkdf.Key(sha256.New, []byte("secret"), []byte("salt"), "info", 16)
fmt.Printf("%x %v %x %v\n", p, err, h, err2)`,
		want: fmt.Sprintf("%x %v %x %v\n", pbk, pbkErr, hk, hkErr),
	}, {
		name:    "syscall.Getpid",
		imports: []string{"fmt", "syscall"},
		code:    `fmt.Println(syscall.Getpid())`,
		want:    fmt.Sprintln(os.Getpid()),
	}, {
		name:    "os/exec",
		imports: []string{"fmt", "os/exec"},
		code:    `out, err := exec.Command("echo", "hi").Output(); fmt.Printf("%q %v\n", out, err)`,
		want:    fmt.Sprintf("%q %v\n", echo, echoErr),
	}})
}

// TestSandboxKept checks that Use(symbols.Symbols) leaves yaegi's wiring of
// fmt and log to the interpreter's Stdout and Stderr in place.
func TestSandboxKept(t *testing.T) {
	s := newSession(t)
	s.eval(t, `import "fmt"`)
	s.eval(t, `import "log"`)
	s.eval(t, `import "os"`)
	s.eval(t, `import "strings"`)
	s.eval(t, `fmt.Println("to stdout", strings.Lines("a") != nil)`)
	s.eval(t, `log.SetFlags(0); log.Print("to stderr")`)
	if got, want := s.stdout.String(), fmt.Sprintln("to stdout", strings.Lines("a") != nil); got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if got, want := s.stderr.String(), "to stderr\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	// The interpreter's os.Exit comes from yaegi's unrestricted table, not
	// from this package.
	if _, ok := symbols.Symbols["os/os"]["Exit"]; ok {
		t.Error("Symbols overrides os.Exit")
	}
}

func TestGenericCells(t *testing.T) {
	ints := []int{5, 2, 9, 1, 5}
	sorted := slices.Sorted(slices.Values(ints))
	floats := []float64{2.5, -1, 7.25}
	m := map[string]int{"z": 26, "a": 1, "m": 13}
	pos, found := slices.BinarySearch(sorted, 5)
	type pair struct {
		N string
		A int
	}
	pairs := []pair{{"b", 2}, {"a", 1}, {"c", 1}}
	slices.SortStableFunc(pairs, func(x, y pair) int { return x.A - y.A })
	var chunks [][]int
	for c := range slices.Chunk(ints, 2) {
		chunks = append(chunks, c)
	}

	runCells(t, []cell{{
		name:    "slices.Sort",
		imports: []string{"fmt", "slices"},
		code:    `s := []int{5, 2, 9, 1, 5}; slices.Sort(s); fmt.Println(s, slices.IsSorted(s))`,
		want:    fmt.Sprintln(sorted, true),
	}, {
		name:    "slices.Sort on two element types",
		imports: []string{"fmt", "slices"},
		code:    `a, b := []string{"b", "a"}, []float64{2, 1}; slices.Sort(a); slices.Sort(b); fmt.Println(a, b, slices.Max([]int{1, 3}), slices.Max([]string{"x", "y"}))`,
		want:    fmt.Sprintln([]string{"a", "b"}, []float64{1, 2}, slices.Max([]int{1, 3}), slices.Max([]string{"x", "y"})),
	}, {
		name:    "slices.Max and Min",
		imports: []string{"fmt", "slices"},
		code:    `fmt.Println(slices.Max([]float64{2.5, -1, 7.25}), slices.Min([]float64{2.5, -1, 7.25}))`,
		want:    fmt.Sprintln(slices.Max(floats), slices.Min(floats)),
	}, {
		name:    "slices.Sorted of maps.Keys",
		imports: []string{"fmt", "maps", "slices"},
		code:    `m := map[string]int{"z": 26, "a": 1, "m": 13}; fmt.Println(slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Values(m)))`,
		want:    fmt.Sprintln(slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Values(m))),
	}, {
		name:    "slices.BinarySearch",
		imports: []string{"fmt", "slices"},
		code:    `i, ok := slices.BinarySearch([]int{1, 2, 5, 5, 9}, 5); fmt.Println(i, ok)`,
		want:    fmt.Sprintln(pos, found),
	}, {
		name:    "slices.SortStableFunc on an interpreted struct",
		imports: []string{"fmt", "slices"},
		decls:   []string{`type pair struct { N string; A int }`},
		code: `ps := []pair{{"b", 2}, {"a", 1}, {"c", 1}}
slices.SortStableFunc(ps, func(x, y pair) int { return x.A - y.A })
fmt.Println(ps)`,
		want: fmt.Sprintln(pairs),
	}, {
		name:    "slices.Collect of strings.SplitSeq",
		imports: []string{"fmt", "slices", "strings"},
		code:    `fmt.Println(slices.Collect[string](strings.SplitSeq("a,b,c", ",")))`,
		want:    fmt.Sprintln(slices.Collect(strings.SplitSeq("a,b,c", ","))),
	}, {
		name:    "slices.Chunk",
		imports: []string{"fmt", "slices"},
		decls:   []string{`var cs [][]int`},
		code:    `slices.Chunk([]int{5, 2, 9, 1, 5}, 2)(func(c []int) bool { cs = append(cs, c); return true }); fmt.Println(cs)`,
		want:    fmt.Sprintln(chunks),
	}, {
		name:    "maps.Collect of maps.All",
		imports: []string{"fmt", "maps"},
		code:    `m := map[string]int{"z": 26, "a": 1}; fmt.Println(maps.Collect(maps.All(m)))`,
		want:    fmt.Sprintln(maps.Collect(maps.All(map[string]int{"z": 26, "a": 1}))),
	}, {
		name:    "slices.Index and Contains",
		imports: []string{"fmt", "slices"},
		code:    `fmt.Println(slices.Index([]string{"a", "b"}, "b"), slices.Contains([]int{1, 2}, 3))`,
		want:    fmt.Sprintln(slices.Index([]string{"a", "b"}, "b"), slices.Contains([]int{1, 2}, 3)),
	}, {
		// These replace yaegi's versions, which cannot infer E.
		name:    "slices.Equal Compare Clone Compact Insert Delete Reverse",
		imports: []string{"fmt", "slices"},
		decls:   []string{`var s = []int{5, 2, 9, 1, 5}`},
		code: `slices.Reverse(s)
fmt.Println(slices.Equal(s, []int{5, 1, 9, 2, 5}), slices.Compare([]int{1, 2}, []int{1, 3}), slices.Compact(slices.Clone([]int{1, 1, 2, 2, 1})), slices.Insert([]int{1, 2}, 1, 7), slices.Delete([]int{1, 2, 3}, 0, 2), s)`,
		want: fmt.Sprintln(true, slices.Compare([]int{1, 2}, []int{1, 3}), slices.Compact([]int{1, 1, 2, 2, 1}), slices.Insert([]int{1, 2}, 1, 7), slices.Delete([]int{1, 2, 3}, 0, 2), []int{5, 1, 9, 2, 5}),
	}, {
		name:    "slices.Concat and cmp.Or with explicit type arguments",
		imports: []string{"fmt", "slices", "cmp"},
		code:    `fmt.Println(slices.Concat[int]([]int{1}, []int{2, 3}), cmp.Or[string]("", "x"))`,
		want:    fmt.Sprintln(slices.Concat([]int{1}, []int{2, 3}), cmp.Or("", "x")),
	}, {
		name:    "maps.Equal Clone Copy DeleteFunc",
		imports: []string{"fmt", "maps"},
		// c is declared first: yaegi fails on a top-level "c := maps.Clone(m)".
		decls: []string{`var m = map[string]int{"a": 1, "b": 2}`, `var c map[string]int`},
		code: `c = maps.Clone(m)
maps.DeleteFunc(c, func(k string, v int) bool { return v > 1 })
d := map[string]int{"z": 0}
maps.Copy(d, m)
fmt.Println(maps.Equal(m, c), c, d)`,
		want: fmt.Sprintln(false, map[string]int{"a": 1}, map[string]int{"a": 1, "b": 2, "z": 0}),
	}})
}

func TestLoadGenericTwice(t *testing.T) {
	s := newSession(t)
	if err := symbols.LoadGeneric(s.i); err == nil {
		t.Error("second LoadGeneric succeeded, want a redeclaration error")
	}
}

// TestGenericOneSession uses every replaced or added function in one
// interpreter, so that same-named functions of slices and maps (Equal,
// Clone, Values, All, Collect, Insert, DeleteFunc) and their several
// instantiations meet.
func TestGenericOneSession(t *testing.T) {
	byLen := func(a, b string) int { return len(a) - len(b) }
	m := map[string]int{"a": 1, "bb": 2, "ccc": 3}
	steps := []struct{ code, want string }{
		{`fmt.Println(slices.Equal([]string{"a"}, []string{"a"}), maps.Equal(m, map[string]int{"a": 1}))`,
			fmt.Sprintln(slices.Equal([]string{"a"}, []string{"a"}), maps.Equal(m, map[string]int{"a": 1}))},
		// yaegi infers maps.EqualFunc's type arguments wrongly for a
		// map[string]int compared with itself; explicit ones work.
		{`fmt.Println(slices.EqualFunc([]int{1}, []string{"a"}, func(i int, s string) bool { return len(s) == i }), maps.EqualFunc[string, int, int](m, m, func(a, b int) bool { return a == b }))`,
			fmt.Sprintln(true, true)},
		{`fmt.Println(slices.Clone([]string{"x"}), maps.Clone(m), slices.Clone([]int(nil)) == nil)`,
			fmt.Sprintln(slices.Clone([]string{"x"}), maps.Clone(m), true)},
		{`fmt.Println(slices.Sorted(maps.Values(m)), slices.Collect(slices.Values([]int{3, 1})))`,
			fmt.Sprintln(slices.Sorted(maps.Values(m)), slices.Collect(slices.Values([]int{3, 1})))},
		{`fmt.Println(maps.Collect(maps.All(m)), slices.Collect(slices.Values([]string{"q"})))`,
			fmt.Sprintln(maps.Collect(maps.All(m)), slices.Collect(slices.Values([]string{"q"})))},
		{`n := 0; slices.All([]string{"a", "b"})(func(i int, s string) bool { n += i; return true }); fmt.Println(n)`,
			fmt.Sprintln(1)},
		{`d := map[string]int{}; maps.Insert(d, maps.All(m)); fmt.Println(d, slices.Insert([]string{"a"}, 0, "z"))`,
			fmt.Sprintln(m, slices.Insert([]string{"a"}, 0, "z"))},
		{`e := map[string]int{"a": 1, "b": 2}; maps.DeleteFunc(e, func(k string, v int) bool { return v == 1 }); fmt.Println(e, slices.DeleteFunc([]int{1, 2, 3}, func(v int) bool { return v == 2 }))`,
			fmt.Sprintln(map[string]int{"b": 2}, slices.DeleteFunc([]int{1, 2, 3}, func(v int) bool { return v == 2 }))},
		{`fmt.Println(slices.Compare([]string{"a"}, []string{"a", "b"}), slices.CompareFunc([]string{"aa"}, []string{"b"}, func(a, b string) int { return len(a) - len(b) }))`,
			fmt.Sprintln(slices.Compare([]string{"a"}, []string{"a", "b"}), slices.CompareFunc([]string{"aa"}, []string{"b"}, byLen))},
		{`fmt.Println(slices.IndexFunc([]string{"a", "bb"}, func(s string) bool { return len(s) == 2 }), slices.ContainsFunc([]int{1}, func(v int) bool { return v > 1 }))`,
			fmt.Sprintln(1, false)},
		{`fmt.Println(slices.Replace([]int{1, 2, 3}, 1, 2, 7, 8), slices.CompactFunc([]string{"a", "A", "b"}, func(a, b string) bool { return strings.EqualFold(a, b) }))`,
			fmt.Sprintln(slices.Replace([]int{1, 2, 3}, 1, 2, 7, 8), slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold))},
		{`fmt.Println(cap(slices.Grow([]int{1}, 10)) >= 11, cap(slices.Clip(make([]int, 1, 5))))`,
			fmt.Sprintln(true, cap(slices.Clip(make([]int, 1, 5))))},
		{`fmt.Println(slices.SortedFunc(slices.Values([]string{"ccc", "a", "bb"}), func(a, b string) int { return len(a) - len(b) }), slices.IsSortedFunc([]string{"a", "bb"}, func(a, b string) int { return len(a) - len(b) }))`,
			fmt.Sprintln(slices.SortedFunc(slices.Values([]string{"ccc", "a", "bb"}), byLen), true)},
		{`x := []string{"bb", "a", "cc"}; slices.SortFunc(x, func(a, b string) int { return len(a) - len(b) }); fmt.Println(x[0], slices.MinFunc(x, func(a, b string) int { return len(a) - len(b) }), slices.MaxFunc(x, func(a, b string) int { return len(a) - len(b) }))`,
			fmt.Sprintln("a", "a", slices.MaxFunc([]string{"a", "bb", "cc"}, byLen))},
		{`fmt.Println(slices.BinarySearchFunc([]string{"a", "bb", "ccc"}, 2, func(s string, n int) int { return len(s) - n }))`,
			fmt.Sprintln(slices.BinarySearchFunc([]string{"a", "bb", "ccc"}, 2, func(s string, n int) int { return len(s) - n }))},
		{`fmt.Println(slices.Repeat([]string{"ab"}, 2), slices.AppendSeq([]int{0}, slices.Values([]int{1})), slices.SortedStableFunc(maps.Keys(m), func(a, b string) int { return len(b) - len(a) }))`,
			fmt.Sprintln(slices.Repeat([]string{"ab"}, 2), []int{0, 1}, []string{"ccc", "bb", "a"})},
		{`back := []int{}; slices.Backward([]int{1, 2, 3})(func(i, v int) bool { back = append(back, v); return true }); fmt.Println(back)`,
			fmt.Sprintln([]int{3, 2, 1})},
	}
	s := newSession(t)
	for _, imp := range []string{"fmt", "maps", "slices", "strings"} {
		s.eval(t, fmt.Sprintf("import %q", imp))
	}
	s.eval(t, `var m = map[string]int{"a": 1, "bb": 2, "ccc": 3}`)
	for _, st := range steps {
		s.stdout.Reset()
		s.eval(t, st.code)
		if got := s.stdout.String(); got != st.want {
			t.Errorf("%s\nprinted %q, want %q", st.code, got, st.want)
		}
	}
}
