package interp_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/interp"
)

// A whole program reads the notebook's stdin as a Go cell does.
func TestProgramStdin(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	rec, res := run(t, in, 1, `package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	fmt.Print("name? ")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	fmt.Printf("hello, %s", line)
}`, "Ada")
	if res.Err != nil {
		t.Fatal(res.Err.Traceback, rec.Stderr())
	}
	if got := rec.Stdout(); got != "name? hello, Ada\n" {
		t.Errorf("stdout %q", got)
	}
}

// An interrupt ends a whole program and the processes it started, within
// the grace period, and the session's variables are kept.
func TestProgramInterrupt(t *testing.T) {
	dir := t.TempDir()
	in := newInterpreter(t, dir)
	if _, res := run(t, in, 1, "kept := 41"); res.Err != nil {
		t.Fatal(res.Err)
	}
	pidFile := filepath.Join(dir, "child.pid")
	res, took := interruptAfter(t, in, 2, `package main

import (
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	child := exec.Command("sleep", "60")
	child.Start()
	os.WriteFile(`+strconv.Quote(pidFile)+`, []byte(strconv.Itoa(child.Process.Pid)), 0o644)
	time.Sleep(time.Hour)
}`, 2*time.Second)
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("result %+v, want an Interrupted error", res.Err)
	}
	if took > 4*time.Second {
		t.Errorf("the program ended %v after the interrupt", took)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the program did not start its child: %v", err)
	}
	child, _ := strconv.Atoi(string(b))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(child, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the program's child %d outlived the interrupt", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, res := run(t, in, 3, "kept + 1"); res.Err != nil || res.Value["text/plain"] != "42" {
		t.Errorf("after the interrupt: %+v %v, want 42", res.Err, res.Value)
	}
}

// Without a Go toolchain on PATH, a whole program runs in the interpreter,
// and the user is told so once.
func TestProgramWithoutToolchain(t *testing.T) {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	in, err := interp.New(interp.Options{
		WorkerArgv: []string{os.Args[0]},
		Env:        append(env, workerEnv+"=1", "PATH=/nonexistent"),
		Dir:        t.TempDir(),
		Version:    "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	prog := `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println(answer())
	os.Exit(0) // a normal end, as in a built program
}

func answer() int { return 42 }`
	for k := 1; k <= 2; k++ {
		rec, res := run(t, in, k, prog)
		if res.Err != nil {
			t.Fatalf("run %d: %v", k, res.Err.Traceback)
		}
		if rec.Stdout() != "42\n" {
			t.Errorf("run %d: stdout %q", k, rec.Stdout())
		}
		if said := strings.Contains(rec.Stderr(), "no Go toolchain"); said != (k == 1) {
			t.Errorf("run %d: stderr %q; want the note on the first run only", k, rec.Stderr())
		}
	}
}
