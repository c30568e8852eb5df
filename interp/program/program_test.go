package program_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/interp/program"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"package main\nfunc main() {}", true},
		{"import \"fmt\"\nfunc main() { fmt.Println() }", true},
		{"x := 1\nfunc main() {}", true}, // not valid Go: building it says why
		{"package main; func main() {}", true},
		{"func main_() {}", false},
		{"type T struct{}\nfunc (T) main() {}", false},
		{"f := func() {\n\tfunc main() {}\n}", false},
		{"s := `\nfunc main() {}\n`", false},
		{"// func main() {}\nx := 1", false},
		{"x := 1", false},
	}
	for _, tt := range tests {
		if got := program.Detect(tt.code); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestSourceKeepsPositions(t *testing.T) {
	for _, code := range []string{"package main\nfunc main() {}", "func main() {}"} {
		src := program.Source("In[3]", code)
		lines := strings.Split(src, "\n")
		k := len(lines) - strings.Count(code, "\n") - 2
		if lines[k] != "//line In[3]:1:1" || strings.Join(lines[k+1:], "\n") != code {
			t.Errorf("Source(%q) = %q: the directive must come right before the cell's first line", code, src)
		}
	}
}

func TestImports(t *testing.T) {
	code := "import (\n\t\"fmt\"\n\tfi \"github.com/beacceaf/gokernel/interp/fifo\"\n)\nfunc main() {}"
	got := program.Imports(code)
	if want := []string{"fmt", "github.com/beacceaf/gokernel/interp/fifo"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Imports = %q, want %q", got, want)
	}
	for path, std := range map[string]bool{"fmt": true, "net/http": true, "C": true, "example.com/x": false} {
		if program.IsStd(path) != std {
			t.Errorf("IsStd(%q) = %v", path, !std)
		}
	}
}

func TestCatcher(t *testing.T) {
	var out strings.Builder
	c := &program.Catcher{W: &out}
	for _, chunk := range []string{"prompt: ", "more\npa", "nic: boom\n\ngoroutine 1 [running]:\nmain.f(...)\n\tIn[2]:4\nmain.main()\n\tIn[2]:7 +0x1d\nruntime.goexit()\n\t/usr/local/go/src/runtime/asm_amd64.s:1700 +0x1\n"} {
		c.Write([]byte(chunk))
	}
	if out.String() != "prompt: more\n" {
		t.Errorf("passed on %q before the report", out.String())
	}
	crash, ok := c.Finish(true, "In[2]")
	want := program.Crash{Kind: "panic", Message: "boom", Trace: []string{
		"goroutine 1 [running]:", "main.f(...)", "\tIn[2]:4", "main.main()", "\tIn[2]:7"}}
	if !ok || !reflect.DeepEqual(crash, want) {
		t.Errorf("Finish = %#v, %v; want %#v", crash, ok, want)
	}
	c.Write([]byte("later\n"))
	if !strings.HasSuffix(out.String(), "later\n") {
		t.Errorf("after Finish, output is not passed on: %q", out.String())
	}
}

func TestCatcherPassesReportOfASurvivor(t *testing.T) {
	var out strings.Builder
	c := &program.Catcher{W: &out}
	text := "panic: printed, not raised\nnext\n"
	c.Write([]byte(text))
	if _, ok := c.Finish(false, "In[1]"); ok || out.String() != text {
		t.Errorf("Finish(false) = %v, out %q; want the held text passed on", ok, out.String())
	}
}

func TestBuilder(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the tests need the go command:", err)
	}
	b := &program.Builder{Go: gocmd, Dir: t.TempDir(), Keep: 1}
	ctx := context.Background()
	src := program.Source("In[1]", "func main() { println(1) }")
	bin, err := b.Build(ctx, "In[1]", src)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Build(ctx, "In[1]", src)
	if err != nil || again != bin {
		t.Errorf("a second build of the same source: %q, %v; want the cached %q", again, err, bin)
	}
	other, err := b.Build(ctx, "In[2]", program.Source("In[2]", "func main() { println(2) }"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err == nil {
		t.Errorf("Keep is 1, but the older binary %s is still there", bin)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the newest binary is gone: %v", err)
	}
	_, err = b.Build(ctx, "In[3]", program.Source("In[3]", "func main() {\n\tx := 1\n}"))
	var berr *program.BuildError
	if !errors.As(err, &berr) || !reflect.DeepEqual(berr.Lines, []string{"In[3]:2:2: declared and not used: x"}) {
		t.Errorf("build error = %v, want the compiler's message at In[3]:2:2", err)
	}
	if m, _ := filepath.Glob(filepath.Join(b.Dir, "build-*")); len(m) > 0 {
		t.Errorf("build directories left behind: %q", m)
	}
}
