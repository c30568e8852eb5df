package fifo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	ysyscall "github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	yunsafe "github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/interp/symbols"
)

// cellInterp is a yaegi interpreter set up with the tables the gokernel
// worker uses, its output captured.
type cellInterp struct {
	i   *interp.Interpreter
	out lockedBuffer
}

// lockedBuffer is a bytes.Buffer that an abandoned cell's goroutine may
// still write to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// take returns what was written and empties the buffer.
func (l *lockedBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

func newCellInterp(t *testing.T) *cellInterp {
	t.Helper()
	c := &cellInterp{}
	c.i = interp.New(interp.Options{Unrestricted: true, Stdout: &c.out, Stderr: &c.out})
	for _, tab := range []interp.Exports{stdlib.Symbols, ysyscall.Symbols, yunsafe.Symbols, unrestricted.Symbols, symbols.Symbols} {
		if err := c.i.Use(tab); err != nil {
			t.Fatalf("Use: %v", err)
		}
	}
	return c
}

// run evaluates one cell with ctx and returns what it printed.
func (c *cellInterp) run(ctx context.Context, src string) (string, error) {
	c.out.take()
	_, err := c.i.EvalWithContext(ctx, src)
	return c.out.take(), err
}

// must evaluates one cell and fails the test on error.
func (c *cellInterp) must(t *testing.T, src string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.run(ctx, src)
	if err != nil {
		t.Fatalf("cell %q: %v\noutput: %s", src, err, out)
	}
	return out
}

// TestInYaegi uses the package from interpreted cells, through the
// generated symbol tables, as a notebook would.
func TestInYaegi(t *testing.T) {
	p := filepath.Join(t.TempDir(), "my_fifo")
	c := newCellInterp(t)
	c.must(t, `import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/beacceaf/gokernel/interp/fifo"
)`)
	c.must(t, fmt.Sprintf("p := %q\nkept := 42", p))

	cells := []struct {
		name string
		src  string
		want string
	}{
		{"make", `fmt.Println(fifo.Make(p, 0600)); ok, err := fifo.Is(p); fmt.Println(ok, err)`,
			"<nil>\ntrue <nil>\n"},
		{"timeout", `ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
_, err = fifo.OpenWrite(ctx, p)
cancel()
fmt.Println(errors.Is(err, context.DeadlineExceeded))
fmt.Println(err)`,
			"true\nfifo: open " + p + " for writing: context deadline exceeded\n"},
		{"no reader", `_, err = fifo.OpenNonblock(p, os.O_WRONLY)
fmt.Println(errors.Is(err, fifo.ErrNoReader))`, "true\n"},
		{"open and openers", `r, err := fifo.OpenNonblock(p, os.O_RDONLY)
w, err2 := fifo.OpenWrite(context.Background(), p)
fmt.Println(err, err2)
ops, err3 := fifo.Openers(p)
fmt.Println(len(ops), err3)
for _, o := range ops {
	fmt.Println(o.PID == os.Getpid(), o.Mode)
}
fmt.Fprintln(w, "hello")
w.Close()
buf := make([]byte, 16)
n, _ := r.Read(buf)
fmt.Printf("%q\n", buf[:n])
r.Close()`,
			"<nil> <nil>\n2 <nil>\ntrue read\ntrue write\n\"hello\\n\"\n"},
		{"wait blocked", `cat := exec.Command("cat", p)
cat.Start()
ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
task, err := fifo.WaitBlocked(ctx2, cat.Process.Pid, fifo.BlockOpen)
fmt.Println(task.Name, task.Block == fifo.BlockOpen, task.Block, err)
st, err := fifo.ProcStatus(cat.Process.Pid)
fmt.Println(st.Name, st.State[:1], err)
w, _ = fifo.OpenWrite(ctx2, p)
w.Close()
cancel2()
fmt.Println(cat.Wait())`,
			"cat true blocked in open <nil>\ncat S <nil>\n<nil>\n"},
	}
	for _, cell := range cells {
		if got := c.must(t, cell.src); got != cell.want {
			t.Errorf("cell %s printed\n%s\nwant\n%s", cell.name, got, cell.want)
		}
	}
}

// evalGoroutines counts the goroutines that run an interpreted cell for
// EvalWithContext.
func evalGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "yaegi/interp.(*Interpreter).EvalWithContext.func1")
}

// TestInYaegiInterrupt interrupts a cell blocked in OpenRead with
// context.Background() the way the worker does: it cancels the Eval's
// context and closes the channel the SetInterrupt hook returns. The cell
// ends within a second, its host call returns (no goroutine stays), and
// the variables of earlier cells are kept.
func TestInYaegiInterrupt(t *testing.T) {
	for _, call := range []string{"fifo.OpenRead", "fifo.OpenWrite"} {
		t.Run(call, func(t *testing.T) {
			// A fresh interpreter: an interrupted one races with its next
			// Eval under -race (see below).
			p := filepath.Join(t.TempDir(), "my_fifo")
			c := newCellInterp(t)
			c.must(t, `import (
	"context"
	"fmt"

	"github.com/beacceaf/gokernel/interp/fifo"
)`)
			c.must(t, fmt.Sprintf("p := %q\nkept := 42\nfmt.Println(fifo.Make(p, 0600))", p))
			interrupt := make(chan struct{})
			fifo.SetInterrupt(func() <-chan struct{} { return interrupt })
			defer fifo.SetInterrupt(nil)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(300*time.Millisecond, func() { cancel(); close(interrupt) })
			begin := time.Now()
			out, err := c.run(ctx, `_, err := `+call+`(context.Background(), p)
fmt.Println("reached", err)`)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cell ended with %v, output %q", err, out)
			}
			if took := time.Since(begin); took > time.Second+300*time.Millisecond {
				t.Errorf("cell ended %v after the interrupt", took-300*time.Millisecond)
			}
			// The abandoned cell's goroutine ends once the host call
			// returns; the worker waits for that before the next cell.
			deadline := time.Now().Add(time.Second)
			for evalGoroutines() > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := evalGoroutines(); n > 0 {
				t.Fatalf("%d interpreter goroutine(s) still running a second after the interrupt", n)
			}
			fifo.SetInterrupt(nil)
			// yaegi's abandoned Eval goroutine and the next Eval share the
			// interpreter's frames without synchronisation (yaegi-notes §5),
			// which the race detector reports even after that goroutine has
			// ended. So the follow-up cell runs only without -race.
			if raceDetector {
				return
			}
			if got := c.must(t, `fmt.Println(kept)`); strings.TrimSpace(got) != strconv.Itoa(42) {
				t.Errorf("kept = %q after the interrupt", got)
			}
		})
	}
}
