package gosrc

import (
	"strings"
	"testing"
)

// These tests run compiled cells in a real yaegi interpreter (see
// worker_test.go), with the Prelude, and check what the user would see.

// cellCase is one cell and what it must produce. err is a substring of the
// expected error, "" when the cell must succeed.
type cellCase struct {
	code, out, display, err string
}

func runCells(t *testing.T, w *testWorker, cells []cellCase) {
	t.Helper()
	for i, c := range cells {
		got := w.run(c.code)
		bad := got.out != c.out || got.display != c.display ||
			(c.err == "") != (got.err == "") || !strings.Contains(got.err, c.err)
		if bad {
			t.Errorf("cell %d %q:\n got %v\nwant out=%q display=%q err~%q", i+1, c.code, got, c.out, c.display, c.err)
		}
	}
}

func TestRunSplitting(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"strings\"; import \"fmt\"\nstrings.ToUpper(\"abc\")", display: `"ABC"`},
		{code: "var e error\ne", display: "<nil>"},
		{code: "type P struct{ X int }\nfunc (p P) Get() int { return p.X }\nq := P{5}\nq.Get()", display: "5"},
		{code: "func() { fmt.Println(\"IIFE runs once\") }()", out: "IIFE runs once\n"},
		{code: "fmt.Println(\"next cell\")", out: "next cell\n"},
		{code: "for i := 0; i < 2; i++ {\n\tfmt.Println(\"loop\", i)\n}", out: "loop 0\nloop 1\n"},
		{code: "s := \"привет\"; t := \"мир\"\nfmt.Println(s, t)\nlen(s)", out: "привет мир\n", display: "12"},
		{code: "raw := `a } b\n{ c`\nraw", display: `"a } b\n{ c"`},
		{code: "import \"strings\"\nstrings.Repeat(\"ab\", 2)", display: `"abab"`}, // re-import dropped
		{code: "x := 1\nimport \"os\"\nfunc addX(n int) int { return n + x }\naddX(len(os.Args) * 0 + 2)", display: "3"},
	})
}

func TestRunRangeOverInt(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nimport \"strconv\"\nsum := 0\nfor i := range 5 { sum += i }\nsum", display: "10"},
		{code: "n := 4\nfor i := range n {\n\tsum += i * 10\n}\nsum", display: "70"},
		{code: "for range 3 { sum++ }\nsum", display: "73"},
		{code: "var k int64\nfor k = range int64(3) { }\nfmt.Printf(\"%T %v\\n\", k, k)", out: "int64 2\n"},
		{code: "var n8 uint8 = 3\nfor i := range n8 { fmt.Printf(\"%T \", i) }", out: "uint8 uint8 uint8 "},
		{code: "func tri(n int) int { t := 0; for i := range n + 1 { t += i }; return t }\ntri(4)", display: "10"},
		{code: "lim := 3\nfor i := range lim { lim = 0; fmt.Print(i) }", out: "012"}, // n is evaluated once
		{code: "s := []string{\"a\", \"b\"}\nfor i := range len(s) { fmt.Print(i) }\nfor i, v := range s { fmt.Print(i, v) }", out: "010a1b"},
		// Type unknown to gosrc: Src panics "nil type", Alt runs.
		{code: "m, _ := strconv.Atoi(\"3\")\ntotal := 0\nfor i := range m { total += i }\ntotal", display: "3"},
	})
}

func TestRunRangeOverFunc(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nfunc count(n int) func(func(int) bool) {\n\treturn func(yield func(int) bool) {\n\t\tfor i := range n {\n\t\t\tif !yield(i) {\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}\n}"},
		{code: "for x := range count(5) {\n\tif x == 1 { continue }\n\tif x == 3 { break }\n\tfmt.Println(x)\n}", out: "0\n2\n"},
		{code: "type Pairs func(yield func(string, int) bool)\nvar ps Pairs = func(yield func(string, int) bool) { _ = yield(\"a\", 1) && yield(\"b\", 2) }"},
		{code: "for k, v := range ps { fmt.Print(k, v, \" \") }", out: "a1 b2 "},
		{code: "var key string\nfor key = range ps {}\nkey", display: `"b"`},
		{code: "func firstKey(p Pairs) (r string) { p(func(k string, _ int) bool { r = k; return false }); return }\nfirstKey(ps)", display: `"a"`},
		// A body with return cannot become a closure: the hint explains.
		{code: "func find(p Pairs) string { for k := range p { return k }; return \"\" }", err: "range over an integer or a function"},
	})
}

func TestRunMinMaxClear(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\na, b := 3, 4\nx := min(a, b)\ny := max(a, b, 10) * 2\nfmt.Println(x, y)", out: "3 20\n"},
		{code: "fmt.Printf(\"%T\\n\", x)\nmin(1, 2.5)", out: "int\n", display: "1"},
		{code: "max(1, 2.5)", display: "2.5"},
		{code: "max(\"b\", \"a\", \"c\")", display: `"c"`},
		{code: "f := 0.5\nmin(3, f)", display: "0.5"},
		{code: "g := min(f, 1)\nfmt.Printf(\"%T %v\\n\", g, g)", out: "float64 0.5\n"},
		{code: "var i8 int8 = -3\nmax(i8, 2)", display: "2"},
		{code: "func big(p, q, r int) int { return max(p, q, r) }\nbig(7, 9, 8)", display: "9"},
		{code: "const c = min(3, 2) * 10\nc", display: "20"},
		{code: "s1, s2 := \"x\", \"y\"\nmax(s1, s2)", display: `"y"`},
		{code: "m := map[string]int{\"a\": 1, \"b\": 2}\nclear(m)\nlen(m)", display: "0"},
		{code: "sl := []int{1, 2, 3}\nclear(sl)\nsl", display: "[0 0 0]"},
		{code: "type P struct{ A string }\nmp := map[int]P{1: {\"x\"}}\nclear(mp)\nlen(mp)", display: "0"},
	})
}

func TestRunCommaOk(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nimport \"time\"\nm := map[string]int{\"a\": 1}\nv, ok := m[\"a\"]\nfmt.Println(v, ok)", out: "1 true\n"},
		{code: "_, found := m[\"zz\"]\nfound", display: "false"},
		{code: "var w, ok2 = m[\"a\"]\nfmt.Println(w, ok2)", out: "1 true\n"},
		{code: "var a any = 3\nn, isInt := a.(int)\ns, isStr := a.(string)\nfmt.Println(n, isInt, s == \"\", isStr)", out: "3 true true false\n"},
		{code: "ch := make(chan string, 1)\nch <- \"hi\"\nclose(ch)\nr, open := <-ch\nfmt.Println(r, open)\nr, open = <-ch\nfmt.Println(r == \"\", open)", out: "hi true\ntrue false\n"},
		{code: "if v, ok := m[\"a\"]; ok { fmt.Println(\"found\", v) }", out: "found 1\n"},
		{code: "switch n, ok := a.(int); { case ok: fmt.Println(\"int\", n) }", out: "int 3\n"},
		{code: "for k := range m { if v, ok := m[k]; ok { fmt.Println(k, v) } }", out: "a 1\n"},
		{code: "keys := []string{\"a\"}\nx, okx := m[keys[0]]\nfmt.Println(x, okx)", out: "1 true\n"},
		// Element type from go/types (export data or GOROOT's sources).
		{code: "t, okt := <-time.After(time.Millisecond)\nfmt.Println(t.IsZero(), okt)", out: "false true\n"},
	})
}

func TestRunCommaOkUnknownChannel(t *testing.T) {
	w := newTestWorker(t)
	w.st.noTypes = true // go/types without GOROOT sources
	runCells(t, w, []cellCase{
		{code: "import \"time\""},
		{code: "t, ok := <-time.After(time.Millisecond)", err: "Declare the variables first"},
	})
	// go/types alone tells the element type.
	w = newTestWorker(t)
	runCells(t, w, []cellCase{
		{code: "import \"time\"; import \"fmt\""},
		{code: "t, ok := <-time.After(time.Millisecond)\nfmt.Println(t.IsZero(), ok)", out: "false true\n"},
	})
}

func TestRunLoopVariables(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nimport \"sync\"\nvar fns []func()\nfor i := 0; i < 3; i++ {\n\tfns = append(fns, func() { fmt.Print(i, \" \") })\n}\nfor _, f := range fns { f() }", out: "0 1 2 "},
		{code: "fns = nil\nfor i := range 3 { fns = append(fns, func() { fmt.Print(i) }) }\nfor _, f := range fns { f() }", out: "012"},
		{code: "fns = nil\nfor _, s := range []string{\"a\", \"b\"} { fns = append(fns, func() { fmt.Print(s) }) }\nfor _, f := range fns { f() }", out: "ab"},
		{code: "func mk() []func() { var r []func(); for i := 0; i < 3; i++ { r = append(r, func() { fmt.Print(i) }) }; return r }\nfor _, f := range mk() { f() }", out: "012"},
		{code: "var ptrs []*int\nfor i := 0; i < 2; i++ { ptrs = append(ptrs, &i) }\nfmt.Println(*ptrs[0], *ptrs[1])", out: "0 1\n"},
		// Goroutines of a cell must not touch globals after the cell ends:
		// yaegi's next Eval resizes the global frame without a lock.
		{code: "func squares() []int {\n\tvar wg sync.WaitGroup\n\tres := make([]int, 3)\n\tfor i := 0; i < 3; i++ {\n\t\twg.Add(1)\n\t\tgo func() { defer wg.Done(); res[i] = i * i }()\n\t}\n\twg.Wait()\n\treturn res\n}\nsquares()", display: "[0 1 4]"},
		// The body assigns the variable: no copy, and the loop still ends.
		{code: "for i := 0; i < 5; i++ { if i == 1 { i += 2 }; fmt.Print(i) }", out: "034"},
		// A user's own pre-1.22 copy works too (yaegi loops forever on it at top level).
		{code: "fns = nil\nfor j := 0; j < 2; j++ { j := j; fns = append(fns, func() { fmt.Print(j) }) }\nfor _, f := range fns { f() }", out: "01"},
	})
}

func TestRunRefusals(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nfunc main() {\n\tfmt.Println(\"main\")\n}", err: "In[1]:2:6: func main is not allowed in a cell: call your code directly, or rename it"},
		{code: "import \"fmt\"\ntype T struct{ A int }\nt := T{1}"},
		{code: "type T struct{ A int }\nfmt.Println(\"same type again\")", out: "same type again\n"},
		{code: "type T struct{ A, B int }", err: "In[4]:1:6: type T is already defined with different fields; yaegi cannot redefine types — restart the kernel to change T"},
		{code: "import \"math/rand\""},
		{code: "x := 1\nimport \"math/rand/v2\"", err: `In[6]:2:8: rand is already imported as "math/rand"`},
		{code: "x", err: "undefined: x"}, // a cell that does not compile does not run at all
		{code: "rand.Intn(1)", display: "0"},
	})
}

func TestRunErrorPositions(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nx := 1"},
		{code: "y := 2\nfmt.Println(y)\nx = undefinedQ", out: "2\n", err: "In[2]:3:5: undefined: undefinedQ"},
		{code: "z := min(x,\n\tundefinedR)", err: "In[3]:2:2: undefined: undefinedR"},
		{code: "for i := range 3 {\n\tfmt.Println(i + \"s\")\n}", err: "In[4]:2:14: invalid operation: mismatched types int and untyped string"},
		{code: "v, ok := map[string]int{}[\"a\"]\nv + undefinedS", err: "In[5]:2:5: undefined: undefinedS"},
		{code: "s := \"привет\"; q := s + 1", err: "In[6]:1:27: invalid operation: mismatched types string and untyped int"},
		{code: "x +\n\t\"s\"", err: "In[7]:1:1: invalid operation: mismatched types int and untyped string"},
		{code: "w := undefinedW", err: "probably an undefined name"},
	})
}

func TestRunDisplay(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nimport \"strconv\"\nimport \"errors\"\nimport \"os\"\nimport \"strings\"\n42", display: "42"},
		{code: "\"héllo\\n\"", display: `"héllo\n"`},
		{code: "strconv.Atoi(\"12\")", display: "12, <nil>"},
		{code: "strconv.Atoi(\"x\")", display: `0, strconv.Atoi: parsing "x": invalid syntax`},
		{code: "fmt.Println(\"printed\")", out: "printed\n"},
		{code: "fmt.Fprintln(os.Stdin, \"x\")", display: "0, write /dev/stdin: bad file descriptor"},
		{code: "var sb strings.Builder\nsb.WriteString(\"abc\")"},
		{code: "sb.String()", display: `"abc"`},
		{code: "println(\"builtin\")", out: "builtin\n"},
		{code: "func void() {}\nvoid()"},
		{code: "func two() (int, string) { return 1, \"a\" }\ntwo()", display: `1, "a"`},
		{code: "func three() (int, string, error) { return 1, \"a\", nil }\nthree()", display: `1, "a", <nil>`},
		{code: "type T struct{ A int }\nfunc (t T) String() string { return \"T(\" + strconv.Itoa(t.A) + \")\" }\nT{2}", display: "T(2)"},
		{code: "&T{3}", display: "T(3)"},
		{code: "func mkT() (T, error) { return T{4}, nil }\nmkT()", display: "T(4), <nil>"},
		{code: "errors.New(\"boom\")", display: "boom"},
		{code: "var none error\nnone", display: "<nil>"},
		{code: "x := 5\nx = 6"},
		{code: "[]int{1, 2}", display: "[1 2]"},
		{code: "func four() (int, int, int, int) { return 1, 2, 3, 4 }\nfour()", display: "1, 2, 3, 4"},
	})
}

func TestRunRedefinitions(t *testing.T) {
	// Running the same cell twice works: the type is dropped, the rest is
	// redefined.
	cell := "import \"fmt\"\ntype P struct{ X int }\nfunc (p P) Twice() int { return 2 * p.X }\np := P{4}\nfmt.Println(p.Twice())"
	runCells(t, newTestWorker(t), []cellCase{
		{code: cell, out: "8\n"},
		{code: cell, out: "8\n"},
		{code: "func sq(x int) int { return x * x }\nsq(3)", display: "9"},
		{code: "func sq(x int) int { return x * x * x }\nsq(3)", display: "27"},
	})
}

func TestRunDeclarationOrder(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nfunc a() int { return b() + 1 }\nfunc b() int { return 41 }\na()", display: "42"},
		{code: "x := 5\nfunc getX() int { return x }\ngetX()", display: "5"},
		{code: "fmt.Println(\"a\")\nvar y = g()\nfmt.Println(\"c\", y)\nfunc g() int { fmt.Println(\"b\"); return 1 }", out: "a\nb\nc 1\n"},
		{code: "var v = T{7}\ntype T struct{ A int }\nv.A", display: "7"},
		{code: "t := U{}\nfmt.Println(t.M())\ntype U struct{}\nfunc (U) M() string { return \"m\" }", out: "m\n"},
		{code: "var gb byte = 123\nvar fb = &gb\n*fb", display: "123"},
		{code: "var g2 byte = 1"},
		{code: "var f2 = &g2\nvar f3, f4 = &g2, 2\n*f2 + *f3", display: "2"},
		{code: "func h() int { return 1 }"},
		{code: "fmt.Println(h())\nfunc h() int { return 2 }\nfmt.Println(h())", out: "1\n2\n"},
		{code: "var later = first()\nfunc first() int { return second }\nvar second = 3\nlater", display: "3"},
		{code: "n := 2\nvar double = n * 2\ndouble", display: "4"},
		// A local type named like a global one of the same cell.
		{code: "func local() int { type G [2]int; p := G{0, 1}; return p[1] }\ntype G struct{ V int }\nvar gv = G{}.V\nlocal() + gv", display: "1"},
		// A type comes with its methods, which need an import.
		{code: "type Vec [2]float64\nfunc run() float64 { var v Vec; return v.Norm() }\nimport \"math\"\nfunc (v Vec) Norm() float64 { return math.Sqrt(v[0]) }\nrun()", display: "0"},
	})
}

// The Prelude's generic helpers must not shadow a cell's type T.
func TestRunPreludeTypeParams(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "type T [10]int\nvar sink *T\nfunc mk() (t T) { sink = &t; return }\nlen(mk())", display: "10"},
	})
}

func TestRunDefer(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import (\"fmt\"; \"os\"; \"sync\")\nx := 1\ndefer fmt.Println(\"first deferred, x was\", x)\nx = 2\ndefer fmt.Println(\"second deferred\")\nfmt.Println(\"body\", x)",
			out: "body 2\nsecond deferred\nfirst deferred, x was 1\n"},
		{code: "fmt.Println(\"next cell\")", out: "next cell\n"}, // the defers do not run again
		{code: "defer fmt.Println(\"runs after the panic\")\npanic(\"boom\")", out: "runs after the panic\n", err: "boom"},
		{code: "defer fmt.Println(\"runs after the error\")\nfmt.Println(\"before\")\nundefinedV + 1", out: "before\nruns after the error\n", err: "undefined: undefinedV"},
		{code: "os.WriteFile(os.DevNull, nil, 0)\nf, _ := os.Open(os.DevNull)\ndefer f.Close()\n_, err := f.Read(make([]byte, 1))\nerr", display: "EOF"},
		{code: "var mu sync.Mutex\nmu.Lock()\ndefer mu.Unlock()\nmu.TryLock()", display: "false"},
		{code: "mu.TryLock()", display: "true"},
		{code: "for i := 0; i < 3; i++ {\n\tdefer fmt.Print(i, \" \")\n}\nfmt.Print(\"loop done \")", out: "loop done 2 1 0 "},
		{code: "func inner() { defer fmt.Println(\"inner deferred\"); fmt.Println(\"inner body\") }\ninner()\nfmt.Println(\"after inner\")", out: "inner body\ninner deferred\nafter inner\n"},
		{code: "fs := []func(){func() { fmt.Println(\"f0\") }}\ndefer fs[0]()\nfs[0] = nil", out: "f0\n"},
		{code: "defer panic(\"in defer\")\nfmt.Println(\"body\")", out: "body\n", err: "in defer"},
	})
}

func TestRunMainAndLists(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "main()", err: "In[1]:1:1: undefined: main"},
		{code: "x := 1\nif x > 0 {\n\tmain()\n}", err: "In[2]:3:2: undefined: main"},
		{code: "main := func() string { return \"mine\" }\nmain()", err: "In[3]:1:1: main cannot be declared at a cell's top level"},
		{code: "a, b := 1, \"x\"\na, b", display: `1, "x"`},
		{code: "a, b, a + 1 // a comment", display: `1, "x", 2`},
		{code: "a,\n\tundefinedT", err: "In[6]:2:2: undefined: undefinedT"},
	})
}

func TestRunFailedCellDefinesNothing(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nfunc f() int { return 1 }\nfunc g() int { return f() + 1 }\nvar v = 5"},
		{code: "func h1() int { return undefinedZ }\nfunc h2() int { return 7 }", err: "undefined: undefinedZ"},
		{code: "h2()", err: "In[3]:1:1: undefined: h2 (In[2], which declared it, failed to compile)"},
		{code: "func f() int { return undefinedQ }\nvar v = 6\nnewVar := 1", err: "undefined: undefinedQ"},
		{code: "fmt.Println(f(), g())", out: "1 2\n"}, // the old f is back
		{code: "v", err: "undefined: v (In[4]"},       // its value was lost
		{code: "newVar", err: "undefined: newVar"},
		{code: "w := 3\nfmt.Println(w)\nfunc k() int { return w }\nw + undefinedW", out: "3\n", err: "undefined: undefinedW"},
		{code: "k()", err: "undefined: k"},
		{code: "w", err: "undefined: w"},
		{code: "func h2() int { return 8 }\nh2()", display: "8"}, // declared again
		{code: "w := 4\nw", display: "4"},
	})
}

func TestRunLabels(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\ni := 0\nagain:\ni++\nif i < 3 {\n\tgoto again\n}\ni", display: "3"},
		{code: "n := 0\nloop:\n\tn++\n\tif n < 5 {\n\t\tgoto loop\n\t}\ngoto done\nfmt.Println(\"skipped\")\ndone:\nfmt.Println(\"done\", n)", out: "done 5\n"},
		{code: "outer:\nfor i := 0; i < 3; i++ {\n\tfor j := 0; j < 3; j++ {\n\t\tif j == 1 {\n\t\t\tcontinue outer\n\t\t}\n\t\tif i == 2 {\n\t\t\tbreak outer\n\t\t}\n\t\tfmt.Print(i, j, \" \")\n\t}\n}", out: "0 0 1 0 "},
		{code: "goto nowhere", err: "label nowhere"},
		{code: "func f() int { k := 0; up: k++; if k < 2 { goto up }; return k }\nf()", display: "2"},
	})
}

// yaegi spins forever on a labelled break right in a select case.
func TestRunBreakFromSelect(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "func h() int {\n\tn := 0\nL:\n\tfor {\n\t\tselect {\n\t\tdefault:\n\t\t\tbreak L\n\t\t}\n\t\tn++\n\t}\n\treturn n\n}\nh()", display: "0"},
		{code: "ch := make(chan int, 1)\nch <- 1\nn := 0\nL:\nfor {\n\tselect {\n\tcase <-ch:\n\t\tn += 10\n\t\tcontinue L\n\tdefault:\n\t\tbreak L\n\t}\n\tn++\n}\nn", display: "10"},
	})
}

// yaegi makes a deferred func literal's closure when the call runs: in a
// loop, every call saw the last iteration's variables.
func TestRunDeferredClosuresInLoop(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\nfunc f() {\n\tfor i := 0; i < 3; i++ {\n\t\tdefer func() { fmt.Print(i) }()\n\t}\n}\nf()", out: "210"},
		{code: "func g() {\n\tfor _, s := range []string{\"a\", \"b\"} {\n\t\tdefer func() { fmt.Print(s) }()\n\t}\n}\ng()", out: "ba"},
		{code: "func h() {\n\tvar i int\n\tfor i = 0; i < 3; i++ {\n\t\tdefer func() { fmt.Print(i) }()\n\t}\n}\nh()", out: "333"},
		{code: "func k() (r []int) {\n\tfor i := 0; i < 3; i++ {\n\t\tdefer func(j int) { r = append(r, j*10+i) }(i)\n\t}\n\treturn\n}\nk()", display: "[22 11 0]"},
		{code: "func m() {\n\tfor i := 0; i < 3; i++ {\n\t\tx := i * 2\n\t\tdefer func() { fmt.Print(x) }()\n\t}\n}\nm()", out: "420"},
		{code: "func rec() (err error) {\n\tfor i := 0; i < 1; i++ {\n\t\tdefer func() {\n\t\t\tif r := recover(); r != nil {\n\t\t\t\terr = fmt.Errorf(\"recovered %v at %d\", r, i)\n\t\t\t}\n\t\t}()\n\t\tpanic(\"p\")\n\t}\n\treturn nil\n}\nrec()", display: "recovered p at 0"},
	})
}

// yaegi hands fmt a cell-defined value without its methods, unless a
// function's result converts it to an interface.
func TestRunFmtMethods(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import \"fmt\"\ntype E struct{ c int }\nfunc (e E) Error() string { return fmt.Sprint(\"err \", e.c) }\ntype P struct{ X int }\nfunc (p P) String() string { return fmt.Sprint(\"P(\", p.X, \")\") }\ntype Q struct{ X int }\nfunc (q *Q) String() string { return \"Q\" }"},
		{code: "e := E{2}\nfmt.Println(e, E{3})\nfmt.Printf(\"%v|%s|%q\\n\", e, e, e)", out: "err 2 err 3\nerr 2|err 2|\"err 2\"\n"},
		{code: "ps := []P{{1}, {2}}\nfmt.Println(ps, [2]P{{3}, {4}}, map[string]P{\"a\": {5}})\nvar none []P\nfmt.Println(none, len(fmt.Sprint(ps)))", out: "[P(1) P(2)] [P(3) P(4)] map[a:P(5)]\n[] 11\n"},
		{code: "fmt.Println([]E{{6}}, fmt.Sprint(map[int]E{1: {7}}))", out: "[err 6] map[1:err 7]\n"},
		{code: "fmt.Println([]Q{{1}})", out: "[{1}]\n"}, // Go does not call a pointer method on the elements either
		{code: "type W struct{ Name string; At P }\nw := W{\"w\", P{8}}\nfmt.Println(w)", err: "In[6]:3:13: fmt cannot use the String method of field At of W here"},
		{code: "type W struct{ Name string; At P }\nw := W{\"w\", P{8}}\nfmt.Println(w.At, w.Name)", out: "P(8) w\n"},
	})
}

func TestRunErrorsAsIs(t *testing.T) {
	runCells(t, newTestWorker(t), []cellCase{
		{code: "import (\"errors\"; \"fmt\"; \"io/fs\"; \"os\")\ntype myErr struct{ code int }\nfunc (m myErr) Error() string { return fmt.Sprint(\"mine \", m.code) }\nvar ErrSentinel = errors.New(\"sentinel\")"},
		{code: "var target myErr\nerrors.As(fmt.Errorf(\"wrapped: %w\", myErr{1}), &target)", err: "In[2]:2:48: errors.As cannot match myErr, a type of this notebook"},
		{code: "errors.Is(fmt.Errorf(\"w: %w\", myErr{1}), myErr{1})", err: "errors.Is cannot match myErr"},
		{code: "errors.Is(fmt.Errorf(\"w: %w\", ErrSentinel), ErrSentinel)", display: "true"},
		{code: "_, err := os.Open(\"/nonexistent\")\nvar pe *fs.PathError\nerrors.As(err, &pe)", display: "true"},
	})
}
