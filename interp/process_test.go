package interp_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

// interruptAfter runs code and cancels it after d, returning what it did
// and how long it took after the cancel.
func interruptAfter(t *testing.T, in interface {
	Execute(context.Context, *kernel.ExecuteRequest, kernel.Output) *kernel.ExecuteResult
}, count int, code string, d time.Duration) (*kernel.ExecuteResult, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	timer := time.AfterFunc(d, func() { cancelled = time.Now(); cancel() })
	defer timer.Stop()
	res := in.Execute(ctx, &kernel.ExecuteRequest{Code: code, Count: count, StoreHistory: true}, &kerneltest.Recorder{})
	if cancelled.IsZero() {
		t.Fatalf("%q finished before the interrupt: %+v", code, res.Err)
	}
	return res, time.Since(cancelled)
}

func TestInterrupt(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		code      string
		keepState bool
		idle      time.Duration // the worker's pause before the cell
	}{
		{"busy loop", "for {}", true, 0},
		// After a pause the runtime's monitor is asleep, and with every P
		// busy only it can read the interrupt (interp/worker/monitor.go).
		{"busy loops on every CPU", "for i := 1; i < cpus; i++ {\n\tgo func() {\n\t\tfor {\n\t\t}\n\t}()\n}\nfor {\n}", true, time.Second},
		{"sleep", "time.Sleep(time.Hour)", true, 0},
		{"channel", "<-make(chan int)", true, 0},
		{"fifo open for writing", `os.OpenFile(` + strconv.Quote(fifo) + `, os.O_WRONLY, 0)`, true, 0},
		{"fifo open for reading", `f, err := os.Open(` + strconv.Quote(fifo) + `)`, true, 0},
		{"fifo syscall open", `syscall.Open(` + strconv.Quote(fifo) + `, syscall.O_RDONLY, 0)`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInterpreter(t, t.TempDir())
			for k, c := range []string{`import ("os"; "runtime"; "syscall"; "time")`, "var kept, cpus = 41, runtime.NumCPU()"} {
				if _, res := run(t, in, k+1, c); res.Err != nil {
					t.Fatal(res.Err)
				}
			}
			time.Sleep(tt.idle)
			res, took := interruptAfter(t, in, 3, tt.code, 300*time.Millisecond)
			if res.Err == nil || res.Err.Name != "Interrupted" {
				t.Fatalf("result %+v, want an Interrupted error", res.Err)
			}
			if took > 3*time.Second {
				t.Errorf("the cell ended %v after the interrupt", took)
			}
			tb := strings.Join(res.Err.Traceback, "\n")
			if lost := strings.Contains(tb, "gone"); lost == tt.keepState {
				t.Errorf("traceback %q: says state lost = %v, want %v", tb, lost, !tt.keepState)
			}
			_, res = run(t, in, 4, "kept + 1")
			if tt.keepState {
				if res.Err != nil || res.Value["text/plain"] != "42" {
					t.Errorf("after the interrupt: %+v %v, want 42", res.Err, res.Value)
				}
			} else if res.Err == nil {
				t.Errorf("after the worker was replaced, kept is still defined: %v", res.Value)
			}
		})
	}
}

func TestCrashContainment(t *testing.T) {
	tests := []struct {
		name      string
		code      string
		ename     string
		keepState bool
	}{
		{"panic", `panic("boom")`, "Panic", true},
		{"os.Exit", `os.Exit(3)`, "Exit", true},
		{"log.Fatal", `log.Fatal("fatal")`, "Exit", true},
		{"nil map", `var m map[string]int; m["a"] = 1`, "", true},
		{"goroutine panic", `go func() { panic("in goroutine") }(); time.Sleep(2 * time.Second)`, "GoroutinePanic", true},
		{"time.AfterFunc panic", `time.AfterFunc(time.Millisecond, func() { panic("in callback") }); time.Sleep(2 * time.Second)`, "GoroutinePanic", true},
		// Cell code that a library runs on a goroutine of its own, here
		// os/exec's copy of the child's output into an io.Writer, is not
		// guarded: its panic still ends the worker.
		{"library goroutine panic", libraryGoroutinePanic + "\ntime.Sleep(2 * time.Second)", "WorkerDied", false},
		{"stack overflow", `func rec(n int) int { return rec(n+1) + 1 }; rec(0)`, "WorkerDied", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInterpreter(t, t.TempDir())
			for k, c := range []string{`import ("os"; "log"; "time")`, "var kept = 41\nfunc boom() { panic(\"in callback\") }"} {
				if _, res := run(t, in, k+1, c); res.Err != nil {
					t.Fatal(res.Err)
				}
			}
			_, res := run(t, in, 3, tt.code)
			if res.Err == nil {
				t.Fatal("the cell succeeded")
			}
			if tt.ename != "" && res.Err.Name != tt.ename {
				t.Errorf("ename %q (%s), want %q", res.Err.Name, res.Err.Value, tt.ename)
			}
			_, res = run(t, in, 4, "kept + 1")
			if tt.keepState && (res.Err != nil || res.Value["text/plain"] != "42") {
				t.Errorf("state lost: %+v %v", res.Err, res.Value)
			}
			if !tt.keepState && res.Err == nil {
				t.Errorf("a new worker should not know kept")
			}
			if _, res = run(t, in, 5, "1 + 1"); res.Err != nil || res.Value["text/plain"] != "2" {
				t.Errorf("the next cell failed: %+v", res.Err)
			}
		})
	}
}

func TestWorkerKilledFromOutside(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	rec, res := run(t, in, 1, `import ("fmt"; "os")`)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	rec, res = run(t, in, 2, `fmt.Println(os.Getpid())`)
	pid, err := strconv.Atoi(strings.TrimSpace(rec.Stdout()))
	if err != nil || res.Err != nil {
		t.Fatalf("pid %q: %v %v", rec.Stdout(), err, res.Err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	rec, res = run(t, in, 3, `1 + 1`)
	if res.Err != nil || res.Value["text/plain"] != "2" {
		t.Fatalf("after SIGKILL: %+v", res.Err)
	}
	if !strings.Contains(rec.Stderr(), "signal 9") || !strings.Contains(rec.Stderr(), "gone") {
		t.Errorf("the user was not told: %q", rec.Stderr())
	}
}

func TestStdin(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	if _, res := run(t, in, 1, `import ("bufio"; "fmt"; "os")`); res.Err != nil {
		t.Fatal(res.Err)
	}
	if _, res := run(t, in, 2, `var name string`); res.Err != nil {
		t.Fatal(res.Err)
	}
	rec, res := run(t, in, 3, `fmt.Scanln(&name)`, "Ada")
	if res.Err != nil {
		t.Fatal(res.Err.Traceback, rec.Stderr())
	}
	if _, res := run(t, in, 4, `name`); res.Value["text/plain"] != `"Ada"` {
		t.Errorf("name = %v", res.Value)
	}
	rec, res = run(t, in, 5, `line, err := bufio.NewReader(os.Stdin).ReadString('\n')`, "second line")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if _, res := run(t, in, 6, `line`); res.Value["text/plain"] != `"second line\n"` {
		t.Errorf("line = %v", res.Value)
	}
	// A cell that closes os.Stdin (in := os.Stdin; defer in.Close(), as Go
	// code does with a reader it is handed) closes only its copy: the next
	// cell reads the notebook's input again, through os.Stdin and fmt.
	if _, res := run(t, in, 7, `os.Stdin.Close()`); res.Err != nil {
		t.Fatal(res.Err)
	}
	rec, res = run(t, in, 8, `line, err = bufio.NewReader(os.Stdin).ReadString('\n')`, "after close")
	if res.Err != nil {
		t.Fatal(res.Err, rec.Stderr())
	}
	if _, res := run(t, in, 9, `fmt.Sprint(line, err)`); res.Value["text/plain"] != `"after close\n<nil>"` {
		t.Errorf("after os.Stdin.Close: line, err = %v", res.Value)
	}
	if rec, res = run(t, in, 10, `fmt.Scanln(&name)`, "Grace"); res.Err != nil {
		t.Fatal(res.Err, rec.Stderr())
	}
	if _, res := run(t, in, 11, `name`); res.Value["text/plain"] != `"Grace"` {
		t.Errorf("after os.Stdin.Close: name = %v", res.Value)
	}
	// Without stdin, a read gets end of file and the user is told why.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec = &kerneltest.Recorder{}
	res = in.Execute(ctx, &kernel.ExecuteRequest{Code: `n, err := fmt.Scanln(&name)`, Count: 12}, rec)
	if res.Err != nil || !strings.Contains(rec.Stderr(), "allow_stdin") {
		t.Errorf("no-stdin read: %+v, stderr %q", res.Err, rec.Stderr())
	}
}

func TestOutputOrderAndDisplay(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	if _, res := run(t, in, 1, `import ("fmt"; "os"; "os/exec"; "syscall"; "github.com/beacceaf/gokernel/interp/display")`); res.Err != nil {
		t.Fatal(res.Err)
	}
	code := `for i := 0; i < 3; i++ { fmt.Println("fmt", i); syscall.Write(1, []byte("raw\n")); os.Stdout.WriteString("file\n"); display.Text("shown"); c := exec.Command("echo", "child"); c.Stdout = os.Stdout; c.Run() }`
	rec, res := run(t, in, 2, code)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var got []string
	for _, e := range rec.Events() {
		switch e.Kind {
		case "stream":
			got = append(got, strings.Fields(e.Text)...)
		case "display":
			got = append(got, "<"+e.Bundle["text/plain"].(string)+">")
		}
	}
	want := strings.Repeat("fmt X raw file <shown> child ", 3)
	gotS := strings.Join(got, " ")
	for _, d := range []string{"0", "1", "2"} {
		gotS = strings.Replace(gotS, "fmt "+d, "fmt X", 1)
	}
	if gotS+" " != want {
		t.Errorf("order:\n got %s\nwant %s", gotS, want)
	}
	_ = os.Getpid
}

// TestInterruptFifoOpenKeepsState checks that fifo.OpenRead with no
// writer, even given context.Background(), ends at an interrupt and keeps
// the worker.
func TestInterruptFifoOpenKeepsState(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "my_fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := newInterpreter(t, dir)
	for k, c := range []string{`import ("context"; "github.com/beacceaf/gokernel/interp/fifo")`, "keep := 41"} {
		if _, res := run(t, in, k+1, c); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	res, took := interruptAfter(t, in, 3, `r, err := fifo.OpenRead(context.Background(), "my_fifo")`, 300*time.Millisecond)
	if res.Err == nil || res.Err.Name != "Interrupted" || took > time.Second+500*time.Millisecond {
		t.Fatalf("interrupt: %+v after %v", res.Err, took)
	}
	if strings.Contains(strings.Join(res.Err.Traceback, " "), "gone") {
		t.Fatalf("the worker was replaced: %q", res.Err.Traceback)
	}
	if _, res = run(t, in, 4, "keep + 1"); res.Err != nil || res.Value["text/plain"] != "42" {
		t.Errorf("state lost: %+v %v", res.Err, res.Value)
	}
}

// A goroutine that panics while no cell runs is reported by the next cell,
// and the variables survive.
func TestGoroutinePanicBetweenCells(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	for k, c := range []string{`import "time"`, "kept := 41", `go func() { time.Sleep(100 * time.Millisecond); panic("later") }()`} {
		if _, res := run(t, in, k+1, c); res.Err != nil {
			t.Fatalf("cell %d: %v", k+1, res.Err.Traceback)
		}
	}
	time.Sleep(time.Second)
	_, res := run(t, in, 4, "kept + 1")
	if res.Err == nil || res.Err.Name != "GoroutinePanic" || !strings.Contains(res.Err.Value, "In[3]:1:1: later") {
		t.Fatalf("the next cell: %+v, want the goroutine's panic", res.Err)
	}
	if _, res := run(t, in, 5, "kept + 1"); res.Err != nil || res.Value["text/plain"] != "42" {
		t.Errorf("after the panic: %+v %v, want 42", res.Err, res.Value)
	}
}

// TestCallsWhileCellRuns sends complete and inspect requests while a cell
// runs: each answer goes to its own caller, by ID, and the cell still gets
// its own result.
func TestCallsWhileCellRuns(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	if _, res := run(t, in, 1, "import (\"fmt\"; \"time\")\nvar counter = 7"); res.Err != nil {
		t.Fatal(res.Err)
	}
	done := make(chan *kernel.ExecuteResult, 1)
	go func() {
		_, res := run(t, in, 2, "time.Sleep(time.Second)\ncounter + 1")
		done <- res
	}()
	time.Sleep(200 * time.Millisecond) // the cell is running
	ctx := context.Background()
	for k := 0; k < 5; k++ {
		c := in.Complete(ctx, "fmt.Sprin", len("fmt.Sprin"))
		if !slices.Contains(c.Matches, "Sprintf") || c.Start != 4 {
			t.Fatalf("complete while a cell runs: %+v", c)
		}
		i := in.Inspect(ctx, "counter", 3, 0)
		if text, _ := i.Data["text/plain"].(string); !i.Found || !strings.Contains(text, "counter = 7") {
			t.Fatalf("inspect while a cell runs: %+v", i)
		}
	}
	res := <-done
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := res.Value["text/plain"]; got != "8" {
		t.Fatalf("the cell's value is %v, want 8", got)
	}
}

// libraryGoroutinePanic is a cell whose code panics on a goroutine that a
// library started: os/exec copies the child's output into cmd.Stdout, a
// writer of the cell's, which calls boom, to be declared before.
const libraryGoroutinePanic = `import "os/exec"
type boomWriter struct{}
func (boomWriter) Write(p []byte) (int, error) { boom(); return len(p), nil }
cmd := exec.Command("echo", "hi")
cmd.Stdout = boomWriter{}
cmd.Run()`

// TestCrashShowsCellFrames crashes the worker with a panic in cell code
// that a library runs on a goroutine of its own: the cell's error shows
// the frames of the cell's code that the panic went through, which the
// worker sent as events, and neither they nor the runtime's dump reach the
// cell's stderr.
func TestCrashShowsCellFrames(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	for k, c := range []string{`import "time"`, `func boom() { panic("in callback") }`} {
		if _, res := run(t, in, k+1, c); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	rec, res := run(t, in, 3, libraryGoroutinePanic+"\ntime.Sleep(2 * time.Second)")
	if res.Err == nil || res.Err.Name != "WorkerDied" {
		t.Fatalf("got %+v, want WorkerDied", res.Err)
	}
	tb := ansi.ReplaceAllString(strings.Join(res.Err.Traceback, "\n"), "")
	for _, want := range []string{"panic: in callback", "in In[3]", "In[2]:1:15: panic: main.boom(...)"} {
		if !strings.Contains(tb, want) {
			t.Errorf("traceback lacks %q:\n%s", want, tb)
		}
	}
	if stderr := rec.Stderr(); strings.Contains(stderr, "panic: main") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("stderr shows frames or the dump:\n%s", stderr)
	}
}

// TestUnencodableDisplay shows data that JSON cannot hold: the display
// becomes a note, and the cell and the worker go on.
func TestUnencodableDisplay(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	if _, res := run(t, in, 1, "import (\"fmt\"; \"math\"; \"github.com/beacceaf/gokernel/interp/display\")\nvar kept = 41"); res.Err != nil {
		t.Fatal(res.Err)
	}
	rec, res := run(t, in, 2, "display.Show(display.Bundle{\"application/json\": math.NaN()})\nfmt.Println(\"after\")\nkept + 1")
	if res.Err != nil {
		t.Fatalf("the cell failed: %+v", res.Err)
	}
	if got := res.Value["text/plain"]; got != "42" || rec.Stdout() != "after\n" {
		t.Fatalf("value %v, stdout %q; want 42 and after", got, rec.Stdout())
	}
	var note string
	for _, e := range rec.Events() {
		if e.Kind == "display" {
			note, _ = e.Bundle["text/plain"].(string)
		}
	}
	if !strings.Contains(note, "cannot encode") || !strings.Contains(note, "NaN") {
		t.Fatalf("the display shows %q, want a note about the NaN", note)
	}
}
