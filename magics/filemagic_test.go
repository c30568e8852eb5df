package magics_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

// readFile reads a file of the kit's directory.
func (k *kit) readFile(name string) string {
	k.t.Helper()
	b, err := os.ReadFile(filepath.Join(k.env.Dir(), name))
	if err != nil {
		k.t.Fatal(err)
	}
	return string(b)
}

// runTexts returns the commands shown as "Run: CMD", in order.
func runTexts(rec *kerneltest.Recorder) []string {
	var runs []string
	for _, d := range displays(rec) {
		if s, _ := d.Bundle["text/plain"].(string); strings.HasPrefix(s, "Run: ") {
			runs = append(runs, strings.TrimPrefix(s, "Run: "))
		}
	}
	return runs
}

func TestFileMagicContent(t *testing.T) {
	tests := []struct {
		name, cell, file, want string
	}{
		{"cpp", "%%cpp a.c\nint main() {\n  return 0;\n}",
			"a.c", "// %%cpp a.c\nint main() {\n  return 0;\n}\n"},
		{"sub-lines commented", "%%cpp a.c\nint x;\n%run true\n%MD **готово**\n%// комментарий\n%# note\n",
			"a.c", "// %%cpp a.c\nint x;\n// %run true\n// %MD **готово**\n// %// комментарий\n// %# note\n"},
		{"go", "%%go main.go\npackage main\n", "main.go", "// %%go main.go\npackage main\n"},
		{"asm", "%%asm f.S\n    ret\n", "f.S", "// %%asm f.S\n    ret\n"},
		{"save_file python", "%%save_file a.py\nprint('привет')\n%run true\n", "a.py", "# %%save_file a.py\nprint('привет')\n# %run true\n"},
		{"save_file go", "%%save_file b.go\npackage b\n", "b.go", "// %%save_file b.go\npackage b\n"},
		{"save_file sql", "%%save_file q.sql\nselect 1;\n", "q.sql", "-- %%save_file q.sql\nselect 1;\n"},
		{"save_file html", "%%save_file p.html\n<p>hi</p>\n%run true\n", "p.html", "<!-- %%save_file p.html -->\n<p>hi</p>\n<!-- %run true -->\n"},
		{"save_file unknown extension", "%%save_file notes\ntext\n", "notes", "# %%save_file notes\ntext\n"},
		{"cmake", "%%cmake CMakeLists.txt\nproject(x)\n", "CMakeLists.txt", "# %%cmake CMakeLists.txt\nproject(x)\n"},
		{"makefile default name and tabs", "%%makefile\nall:\n    echo  a    b\n        two\n%.o: %.c\n    cc -c $<\n",
			"makefile", "# %%makefile\nall:\n\techo  a\tb\n\t\ttwo\n%.o: %.c\n\tcc -c $<\n"},
		{"makefile named", "%%makefile build.makefile\nall:\n", "build.makefile", "# %%makefile build.makefile\nall:\n"},
		{"header keeps the arguments as typed", "%%cpp  a.c   --keep-going\nx\n", "a.c", "// %%cpp a.c   --keep-going\nx\n"},
		{"ejudge style", "%%cpp e.c --ejudge-style\nint main() {   \n\treturn 0;\t\n}  \n",
			"e.c", "// %%cpp e.c --ejudge-style\nint main() {\n\treturn 0;\n}\n// line without \\n"},
		{"flags before the file", "%%cpp --ejudge-style f.c\nx \n", "f.c", "// %%cpp --ejudge-style f.c\nx\n// line without \\n"},
		{"cyrillic file name and body", "%%cpp привет.c\n// Привет, мир\n", "привет.c", "// %%cpp привет.c\n// Привет, мир\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(tc.cell)
			if got := k.readFile(tc.file); got != tc.want {
				t.Errorf("%s contains\n%q\nwant\n%q", tc.file, got, tc.want)
			}
		})
	}
}

func TestFileMagicLineNumbers(t *testing.T) {
	// Line N of the file is line N of the cell.
	k := newKit(t)
	cell := "%%cpp a.c\nline2\n%run true\nline4\n"
	k.mustRun(cell)
	file := strings.Split(k.readFile("a.c"), "\n")
	for i, cellLine := range strings.Split(cell, "\n")[1:] {
		if cellLine == "" {
			continue
		}
		if !strings.HasSuffix(file[i+1], cellLine) {
			t.Errorf("file line %d is %q, want it to hold cell line %d %q", i+2, file[i+1], i+2, cellLine)
		}
	}
}

func TestFileMagicRuns(t *testing.T) {
	k := newKit(t)
	k.mustRun("%%save_file a.txt\nhello\n%MD first **note**\n%run cat a.txt\n%run echo \"два\"\n%MD last\n")
	if got, want := k.rec.Stdout(), "# %%save_file a.txt\nhello\n# %MD first **note**\n# %run cat a.txt\n# %run echo \"два\"\n# %MD last\nдва\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	// Displays and output come in the cell's order.
	var order []string
	for _, e := range k.rec.Events() {
		switch e.Kind {
		case "display":
			if md, _ := e.Bundle["text/markdown"].(string); md != "" {
				order = append(order, "md:"+md)
			}
		case "stream":
			order = append(order, e.Stream)
		}
	}
	want := []string{"md:first **note**", "md:Run: `cat a.txt`", "stdout", `md:Run: ` + "`" + `echo "два"` + "`", "stdout", "md:last"}
	if strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("events in order\n%q\nwant\n%q", order, want)
	}
}

func TestFileMagicRunsInDir(t *testing.T) {
	k := newKit(t)
	k.mustRun("%%save_file x.txt\nx\n%run pwd\n")
	if got := strings.TrimSpace(k.rec.Stdout()); got != k.env.Dir() {
		t.Errorf("%%run pwd printed %q, want %q", got, k.env.Dir())
	}
}

func TestFileMagicFailures(t *testing.T) {
	tests := []struct {
		name       string
		cell       string
		wantRuns   []string
		wantStderr string
	}{
		{"failure skips the rest", "%%save_file s.sh\n%run echo one\n%run exit 1\n%run echo two\n%run echo three\n",
			[]string{"echo one", "exit 1"}, "exit status 1\nskipped 2 remaining %run commands after the failure (--keep-going runs them all)\n"},
		{"one skipped", "%%save_file s.sh\n%run false\n%run echo two\n",
			[]string{"false"}, "exit status 1\nskipped 1 remaining %run command after the failure"},
		{"keep going", "%%save_file s.sh --keep-going\n%run exit 3\n%run echo two\n",
			[]string{"exit 3", "echo two"}, "exit status 3\n"},
		{"signal", "%%save_file s.sh\n%run kill -SEGV $$\n%run echo two\n",
			[]string{"kill -SEGV $$"}, "killed by signal 11 (SIGSEGV)\nskipped 1 remaining"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(tc.cell) // a failed command is output, not an error
			if got := runTexts(k.rec); strings.Join(got, "|") != strings.Join(tc.wantRuns, "|") {
				t.Errorf("ran %q, want %q", got, tc.wantRuns)
			}
			if got := k.rec.Stderr(); !strings.HasPrefix(got, tc.wantStderr) {
				t.Errorf("stderr %q, want it to start with %q", got, tc.wantStderr)
			}
			if strings.Contains(k.rec.Stdout(), "two") && !strings.Contains(tc.cell, "--keep-going") {
				t.Errorf("a skipped command ran: stdout %q", k.rec.Stdout())
			}
		})
	}
}

func TestFileMagicSpoiler(t *testing.T) {
	k := newKit(t)
	k.mustRun("%%save_file s.sh --under-spoiler-threshold 2\n%run printf 'a\\nb\\nc\\n'\n%run echo short\n")
	var htmls []string
	for _, d := range displays(k.rec) {
		if h, ok := d.Bundle["text/html"].(string); ok {
			htmls = append(htmls, h)
		}
	}
	if len(htmls) != 2 {
		t.Fatalf("got %d HTML outputs %q, want 2", len(htmls), htmls)
	}
	if !strings.HasPrefix(htmls[0], "<details><summary>output (3 lines)</summary><pre><code>a\nb\nc\n") {
		t.Errorf("long output shown as %q, want it folded", htmls[0])
	}
	if htmls[1] != "<pre><code>short\n</code></pre>" {
		t.Errorf("short output shown as %q, want it unfolded", htmls[1])
	}
	if k.rec.Stdout() != "" {
		t.Errorf("stdout %q, want the output only in displays", k.rec.Stdout())
	}
}

func TestFileMagicUsageErrors(t *testing.T) {
	k := newKit(t)
	k.usageErr("%%cpp\nint x;", "%%cpp: missing file name")
	k.usageErr("%%save_file --ejudge-style\nx", "%%save_file: missing file name")
	k.usageErr("%%cpp a.c b.c\nint x;", `%%cpp: unexpected argument "b.c"`)
	k.usageErr("%%cpp a.c --fast\nint x;", "%%cpp: flag provided but not defined: -fast")
	k.usageErr("%%cpp a.c\nint x;\n%runn gcc a.c\n", `%%cpp: line 3: unknown sub-command "%runn gcc a.c"`)
	k.usageErr("%%cpp a.c\nint x;\n%run\n", "%%cpp: line 3: %run needs a command")
	k.usageErr("%%cpp a.c\n%сборка gcc\n", `line 2: unknown sub-command "%сборка gcc"`)
	if _, err := os.Stat(filepath.Join(k.env.Dir(), "a.c")); err == nil {
		t.Error("a.c was written although the cell had a usage error")
	}
}

func TestGoFileCompileErrorLine(t *testing.T) {
	k := newKit(t)
	cell := `%%go main.go
package main

import "fmt"

func main() {
	fmt.Println(undefinedName) // cell line 7
}
%run go build -o prog main.go
`
	if got := strings.Split(cell, "\n")[6]; !strings.Contains(got, "cell line 7") {
		t.Fatalf("test cell is wrong: line 7 is %q", got)
	}
	k.mustRun(cell)
	out := k.rec.Stdout()
	if !strings.Contains(out, "main.go:7:") {
		t.Errorf("go build printed %q, want an error at main.go:7:", out)
	}
	if !strings.Contains(k.rec.Stderr(), "exit status 1") {
		t.Errorf("stderr %q, want the failed build's status", k.rec.Stderr())
	}
}

func TestCFileCompileErrorLine(t *testing.T) {
	k := newKit(t)
	cell := "%%cpp a.c\n#include <stdio.h>\n\nint main() {\n    int x = 1;\n    printf(\"%d\\n\", x);\n    return undefined_name;\n}\n%run gcc -fdiagnostics-color=never a.c -o a.exe\n"
	if got := strings.Split(cell, "\n")[6]; !strings.Contains(got, "undefined_name") {
		t.Fatalf("test cell is wrong: line 7 is %q", got)
	}
	k.mustRun(cell)
	if out := k.rec.Stdout(); !strings.Contains(out, "a.c:7:") {
		t.Errorf("gcc printed %q, want an error at a.c:7:", out)
	}
}
