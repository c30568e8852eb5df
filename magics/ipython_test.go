package magics_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestWritefile(t *testing.T) {
	k := newKit(t)
	k.mustRun("%%writefile notes.txt\nпервая строка\n%run not interpreted")
	k.mustRun("%%file notes.txt\nsecond")
	k.mustRun("%%writefile -a notes.txt\nthird\n")
	k.mustRun("%%writefile --append notes.txt\nfourth")
	if got, want := k.readFile("notes.txt"), "second\nthird\nfourth\n"; got != want {
		t.Errorf("notes.txt = %q, want %q", got, want)
	}
	if got, want := k.rec.Stdout(), "Writing notes.txt\nOverwriting notes.txt\nAppending to notes.txt\nAppending to notes.txt\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	k.mustRun("%%writefile first.txt\nпервая строка\n%run not interpreted")
	if got, want := k.readFile("first.txt"), "первая строка\n%run not interpreted\n"; got != want {
		t.Errorf("first.txt = %q, want %q", got, want)
	}
	k.usageErr("%%writefile\nx", "%%writefile: missing file name")
	k.usageErr("%%writefile a b\nx", `%%writefile: unexpected argument "b"`)
	k.plainErr("%%writefile no/such/dir/f\nx", "%%writefile: open")
}

func TestShowMagics(t *testing.T) {
	tests := []struct {
		cell string
		mime string
		body string
	}{
		{"%%html\n<b>жирный</b>", "text/html", "<b>жирный</b>"},
		{"%%markdown\n# Заголовок", "text/markdown", "# Заголовок"},
		{"%%javascript\nconsole.log(1)", "application/javascript", "console.log(1)"},
		{"%%js\nconsole.log(2)", "application/javascript", "console.log(2)"},
	}
	for _, tc := range tests {
		k := newKit(t)
		k.mustRun(tc.cell)
		ds := displays(k.rec)
		if len(ds) != 1 || ds[0].Bundle[tc.mime] != tc.body {
			t.Errorf("%q displayed %+v, want %s %q", tc.cell, ds, tc.mime, tc.body)
		}
	}
	k := newKit(t)
	k.usageErr("%%html --isolated\n<b>x</b>", `%%html: unexpected argument "--isolated"`)
}

func TestCd(t *testing.T) {
	k := newKit(t)
	base := k.env.Dir()
	if err := os.MkdirAll(filepath.Join(base, "sub", "каталог"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		cell, dir string
	}{
		{"%cd sub", filepath.Join(base, "sub")},
		{"%cd каталог", filepath.Join(base, "sub", "каталог")},
		{"%cd ../..", base},
		{"%cd -", filepath.Join(base, "sub", "каталог")},
		{"%cd " + base, base},
		{"%cd 'sub/каталог'", filepath.Join(base, "sub", "каталог")},
	}
	for _, s := range steps {
		before := k.rec.Stdout()
		k.mustRun(s.cell)
		if got := k.env.Dir(); got != s.dir {
			t.Errorf("after %q the worker is in %q, want %q", s.cell, got, s.dir)
		}
		if got := strings.TrimPrefix(k.rec.Stdout(), before); got != s.dir+"\n" {
			t.Errorf("%q printed %q, want %q", s.cell, got, s.dir+"\n")
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	k.mustRun("%cd")
	if k.env.Dir() != home {
		t.Errorf("%%cd went to %q, want home %q", k.env.Dir(), home)
	}
	k.mustRun("%cd " + base)
	k.usageErr("%cd nowhere", "%cd: no such directory: nowhere")
	k.usageErr("%cd file", "%cd: not a directory: file")
	if k.env.Dir() != base {
		t.Errorf("a failed %%cd moved the worker to %q", k.env.Dir())
	}

	k.mustRun("%pwd")
	if !strings.HasSuffix(k.rec.Stdout(), base+"\n") {
		t.Errorf("%%pwd printed %q", k.rec.Stdout())
	}
}

func TestCdMinusWithoutHistory(t *testing.T) {
	k := newKit(t)
	k.usageErr("%cd -", "%cd: no previous directory")
}

func TestEnv(t *testing.T) {
	t.Setenv("GOKERNEL_TEST_A", "")
	t.Setenv("GOKERNEL_TEST_B", "")
	os.Unsetenv("GOKERNEL_TEST_B")
	k := newKit(t)
	k.mustRun("%env GOKERNEL_TEST_A=значение с пробелами")
	if got := os.Getenv("GOKERNEL_TEST_A"); got != "значение с пробелами" {
		t.Errorf("GOKERNEL_TEST_A = %q", got)
	}
	k.mustRun("%env GOKERNEL_TEST_B two words")
	if got := os.Getenv("GOKERNEL_TEST_B"); got != "two words" {
		t.Errorf("GOKERNEL_TEST_B = %q", got)
	}
	k.mustRun("%env GOKERNEL_TEST_A")
	k.mustRun("!echo \"$GOKERNEL_TEST_B\"")
	k.mustRun("%env -u GOKERNEL_TEST_B")
	if _, ok := os.LookupEnv("GOKERNEL_TEST_B"); ok {
		t.Errorf("GOKERNEL_TEST_B still set after %%env -u")
	}
	want := "env: GOKERNEL_TEST_A=значение с пробелами\nenv: GOKERNEL_TEST_B=two words\nзначение с пробелами\ntwo words\nenv: unset GOKERNEL_TEST_B\n"
	if got := k.rec.Stdout(); got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	k.usageErr("%env GOKERNEL_TEST_B", "%env: GOKERNEL_TEST_B is not set")
	k.usageErr("%env 1BAD=x", `%env: bad variable name "1BAD"`)
	k.usageErr("%env -u", `%env: bad variable name ""`)

	before := k.rec.Stdout()
	k.mustRun("%env")
	listing := strings.TrimPrefix(k.rec.Stdout(), before)
	if !strings.Contains(listing, "GOKERNEL_TEST_A=значение с пробелами\n") {
		t.Errorf("%%env listing lacks GOKERNEL_TEST_A:\n%s", listing)
	}
}

func TestTime(t *testing.T) {
	k := newKit(t)
	k.mustRun("%time fib(20)")
	k.mustRun("%%time\nx := 1\nfmt.Println(x)")
	if got := strings.Join(k.env.ran, "|"); got != "fib(20)|x := 1\nfmt.Println(x)" {
		t.Errorf("RunGo got %q", got)
	}
	if !regexp.MustCompile(`^Wall time: [0-9.]+ (ns|µs|ms|s)\nWall time: [0-9.]+ (ns|µs|ms|s)\n$`).MatchString(k.rec.Stdout()) {
		t.Errorf("printed %q", k.rec.Stdout())
	}
	k.env.runErr = errors.New("undefined: fib")
	err := k.run(context.Background(), "%time fib(20)")
	if err == nil || err.Error() != "undefined: fib" {
		t.Errorf("%%time of failing code: %v, want RunGo's error as it is", err)
	}
	k.usageErr("%time", "%time: missing Go code")
	k.usageErr("%%time now\nx := 1", "%%time: unexpected arguments")
}

func TestTimeit(t *testing.T) {
	k := newKit(t)
	k.mustRun("%timeit -n 3 -r 2 x + 1")
	loop := "for __timeit_i := 0; __timeit_i < 3; __timeit_i++ {\n_ = x + 1\n}"
	if got := strings.Join(k.env.ran, "|"); got != loop+"|"+loop {
		t.Errorf("RunGo got %q", got)
	}
	if !regexp.MustCompile(`^[0-9.]+ (ns|µs|ms|s) ± [0-9.]+ (ns|µs|ms|s) per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)\n$`).MatchString(k.rec.Stdout()) {
		t.Errorf("printed %q", k.rec.Stdout())
	}

	// Without -n, the loop count grows until a run lasts 0.2 s; the fake
	// worker is instant, so it reaches the cap.
	k = newKit(t)
	k.mustRun("%timeit -r1 f()")
	if n := len(k.env.ran); n != 11 { // 1, 10, ... 1e9, then the one run
		t.Errorf("RunGo called %d times, want 11", n)
	}
	if last := k.env.ran[len(k.env.ran)-1]; !strings.Contains(last, "< 1000000000;") || !strings.Contains(last, "\nf()\n") {
		t.Errorf("last run %q", last)
	}
	if !strings.Contains(k.rec.Stdout(), "(mean ± std. dev. of 1 run, 1,000,000,000 loops each)") {
		t.Errorf("printed %q", k.rec.Stdout())
	}

	k = newKit(t)
	k.mustRun("%%timeit -n 1 -r 1 s := make([]int, 10)\nsort.Ints(s)")
	if got := strings.Join(k.env.ran, "|"); got != "s := make([]int, 10)|for __timeit_i := 0; __timeit_i < 1; __timeit_i++ {\nsort.Ints(s)\n}" {
		t.Errorf("RunGo got %q", got)
	}
	if !strings.Contains(k.rec.Stdout(), "of 1 run, 1 loop each)") {
		t.Errorf("printed %q", k.rec.Stdout())
	}
	k.usageErr("%timeit -n x f()", "%timeit: -n needs a positive number")
	k.usageErr("%timeit -n 5", "%timeit: missing Go code")
}

func TestWho(t *testing.T) {
	k := newKit(t)
	k.mustRun("%who")
	k.env.names = []string{"счётчик", "b", "a"}
	k.mustRun("%who")
	if got, want := k.rec.Stdout(), "no names defined yet\na\tb\tсчётчик\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}
