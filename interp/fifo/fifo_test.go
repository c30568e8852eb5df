package fifo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
)

// wait is the upper bound of every positive wait in these tests.
const wait = 5 * time.Second

// newFIFO makes a FIFO in a fresh temporary directory.
func newFIFO(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "my_fifo")
	if err := fifo.Make(p, 0o600); err != nil {
		t.Fatalf("Make: %v", err)
	}
	return p
}

// ctxFor returns a context that ends after d, cancelled at the end of the test.
func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// child is a background process started by start.
type child struct {
	cmd  *exec.Cmd
	out  bytes.Buffer // its stdout and stderr; read it only after it exited
	done chan struct{}
	err  error // the result of Wait, once done is closed
}

// start runs a command in the background. The test kills and reaps it at
// the end if it is still there.
func start(t *testing.T, name string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(name, args...), done: make(chan struct{})}
	c.cmd.Stdout = &c.out
	c.cmd.Stderr = &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	return c
}

// pid returns the child's process ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited waits up to wait for the child to end, and returns its Wait error.
func (c *child) exited(t *testing.T) error {
	t.Helper()
	select {
	case <-c.done:
		return c.err
	case <-time.After(wait):
		t.Fatalf("%v still running after %v", c.cmd.Args, wait)
		return nil
	}
}

// running reports whether the child has not ended.
func (c *child) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// fdCount counts the open descriptors of this process.
func fdCount(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents) - 1 // the directory being read
}

// primePoller makes one pollable open, so that Go's poller has made its
// epoll and event descriptors before a descriptor count is taken.
func primePoller(t *testing.T, p string) {
	t.Helper()
	r, err := fifo.OpenNonblock(p, os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

// goneePID returns the PID of a process that has exited and been reaped.
func gonePID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "my_fifo")
	if err := fifo.Make(p, 0o600); err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(reg, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no_such_fifo")
	inMissingDir := filepath.Join(dir, "no_dir", "f")
	gone := gonePID(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	firstErr := func(_ any, err error) error { return err }

	tests := []struct {
		name string
		call func() error
		want []string // substrings of the message
		is   []error  // errors.Is targets
	}{
		{"make in missing dir", func() error { return fifo.Make(inMissingDir, 0o644) },
			[]string{"fifo: make " + inMissingDir + ": "}, []error{fs.ErrNotExist}},
		{"make over regular file", func() error { return fifo.Make(reg, 0o644) },
			[]string{"fifo: make " + reg + ": not a fifo but a regular file"}, []error{fifo.ErrNotFIFO, fs.ErrExist}},
		{"make over directory", func() error { return fifo.Make(dir, 0o644) },
			[]string{"not a fifo but a directory"}, []error{fifo.ErrNotFIFO, fs.ErrExist}},
		{"make bad permissions", func() error { return fifo.Make(p, os.ModeDir|0o644) },
			[]string{"fifo: make " + p + ": bad permissions"}, []error{syscall.EINVAL}},
		{"make empty path", func() error { return fifo.Make("", 0o644) },
			[]string{`fifo: make "": empty path`}, []error{fs.ErrNotExist}},
		{"recreate regular file", func() error { return fifo.Recreate(reg, 0o644) },
			[]string{"fifo: recreate " + reg + ": not a fifo but a regular file, so it is left alone"}, []error{fifo.ErrNotFIFO}},
		{"recreate in missing dir", func() error { return fifo.Recreate(inMissingDir, 0o644) },
			[]string{"fifo: recreate " + inMissingDir}, []error{fs.ErrNotExist}},
		{"is missing", func() error { return firstErr(fifo.Is(missing)) },
			[]string{"fifo: stat " + missing + ": no such file or directory"}, []error{fs.ErrNotExist}},
		{"open write missing", func() error { return firstErr(fifo.OpenWrite(context.Background(), missing)) },
			[]string{"fifo: open " + missing + " for writing: no such file or directory"}, []error{fs.ErrNotExist}},
		{"open write regular file", func() error { return firstErr(fifo.OpenWrite(context.Background(), reg)) },
			[]string{"fifo: open " + reg + " for writing: not a fifo but a regular file"}, []error{fifo.ErrNotFIFO}},
		{"open write directory", func() error { return firstErr(fifo.OpenWrite(context.Background(), dir)) },
			[]string{"not a fifo but a directory"}, []error{fifo.ErrNotFIFO}},
		{"open write cancelled", func() error { return firstErr(fifo.OpenWrite(cancelled, p)) },
			[]string{"fifo: open " + p + " for writing: context canceled"}, []error{context.Canceled}},
		{"open write expired", func() error { return firstErr(fifo.OpenWrite(expired, p)) },
			[]string{"fifo: open " + p + " for writing: context deadline exceeded"}, []error{context.DeadlineExceeded}},
		{"open write nil context", func() error { return firstErr(fifo.OpenWrite(nil, missing)) }, //nolint:staticcheck // nil on purpose
			[]string{"for writing"}, []error{fs.ErrNotExist}},
		{"open read missing", func() error { return firstErr(fifo.OpenRead(context.Background(), missing)) },
			[]string{"fifo: open " + missing + " for reading: no such file or directory"}, []error{fs.ErrNotExist}},
		{"open read regular file", func() error { return firstErr(fifo.OpenRead(context.Background(), reg)) },
			[]string{"fifo: open " + reg + " for reading: not a fifo"}, []error{fifo.ErrNotFIFO}},
		{"open read cancelled", func() error { return firstErr(fifo.OpenRead(cancelled, p)) },
			[]string{"fifo: open " + p + " for reading: context canceled"}, []error{context.Canceled}},
		{"open read empty path", func() error { return firstErr(fifo.OpenRead(context.Background(), "")) },
			[]string{`fifo: open "" for reading: empty path`}, []error{fs.ErrNotExist}},
		{"nonblock bad flag rdwr", func() error { return firstErr(fifo.OpenNonblock(p, os.O_RDWR)) },
			[]string{"fifo: open " + p + ": bad flag 0x2"}, []error{syscall.EINVAL}},
		{"nonblock bad flag create", func() error { return firstErr(fifo.OpenNonblock(p, os.O_WRONLY|os.O_CREATE)) },
			[]string{"fifo: open " + p + ": bad flag"}, []error{syscall.EINVAL}},
		{"nonblock no reader", func() error { return firstErr(fifo.OpenNonblock(p, os.O_WRONLY)) },
			[]string{"fifo: open " + p + " for writing (O_NONBLOCK): no such device or address"},
			[]error{fifo.ErrNoReader, syscall.ENXIO}},
		{"nonblock missing", func() error { return firstErr(fifo.OpenNonblock(missing, os.O_RDONLY)) },
			[]string{"fifo: open " + missing + " for reading (O_NONBLOCK)"}, []error{fs.ErrNotExist}},
		{"nonblock regular file", func() error { return firstErr(fifo.OpenNonblock(reg, os.O_WRONLY)) },
			[]string{"not a fifo but a regular file"}, []error{fifo.ErrNotFIFO}},
		{"read-write regular file", func() error { return firstErr(fifo.OpenReadWrite(reg)) },
			[]string{"fifo: open " + reg + " for reading and writing: not a fifo"}, []error{fifo.ErrNotFIFO}},
		{"read-write missing", func() error { return firstErr(fifo.OpenReadWrite(missing)) },
			[]string{"fifo: open " + missing + " for reading and writing"}, []error{fs.ErrNotExist}},
		{"openers missing", func() error { return firstErr(fifo.Openers(missing)) },
			[]string{"fifo: openers of " + missing}, []error{fs.ErrNotExist}},
		{"openers regular file", func() error { return firstErr(fifo.Openers(reg)) },
			[]string{"fifo: openers of " + reg + ": not a fifo"}, []error{fifo.ErrNotFIFO}},
		{"status gone pid", func() error { return firstErr(fifo.ProcStatus(gone)) },
			[]string{fmt.Sprintf("fifo: status of pid %d: no such process", gone)},
			[]error{fs.ErrNotExist, fifo.ErrNoProcess, syscall.ESRCH}},
		{"status negative pid", func() error { return firstErr(fifo.ProcStatus(-1)) },
			[]string{"fifo: status of pid -1: bad pid"}, []error{syscall.EINVAL}},
		{"tasks gone pid", func() error { return firstErr(fifo.Tasks(gone)) },
			[]string{fmt.Sprintf("fifo: tasks of pid %d: no such process", gone)}, []error{fs.ErrNotExist}},
		{"tasks zero pid", func() error { return firstErr(fifo.Tasks(0)) },
			[]string{"fifo: tasks of pid 0: bad pid"}, []error{syscall.EINVAL}},
		{"wait gone pid", func() error { return firstErr(fifo.WaitBlocked(context.Background(), gone)) },
			[]string{fmt.Sprintf("fifo: wait for pid %d to block: no such process", gone)}, []error{fs.ErrNotExist}},
		{"wait bad kind", func() error { return firstErr(fifo.WaitBlocked(context.Background(), os.Getpid(), fifo.NotBlocked)) },
			[]string{"bad kind not blocked"}, []error{syscall.EINVAL}},
		{"pgrep empty", func() error { return firstErr(fifo.Pgrep("")) },
			[]string{`fifo: pgrep "": empty pattern`}, []error{syscall.EINVAL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "fifo: ") || msg[6] < 'a' || msg[6] > 'z' {
				t.Errorf("message %q does not start with lowercase %q", msg, "fifo: ")
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%q, %v) = false", msg, target)
				}
			}
		})
	}
	if b, err := os.ReadFile(reg); err != nil || string(b) != "keep me\n" {
		t.Errorf("the regular file was changed: %q, %v", b, err)
	}
}

func TestMakeAndRecreate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for i := 0; i < 2; i++ { // the second Make finds the FIFO there
		if err := fifo.Make(p, 0o600); err != nil {
			t.Fatalf("Make #%d: %v", i+1, err)
		}
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != os.ModeNamedPipe|0o600 {
		t.Errorf("mode = %v, want %v", fi.Mode(), os.ModeNamedPipe|0o600)
	}
	// Hold the old FIFO open, so that its inode cannot be reused.
	old, err := fifo.OpenReadWrite(p)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	before, err := old.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := fifo.Recreate(p, 0o640); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("Recreate kept the old FIFO")
	}
	if o, err := fifo.Openers(p); err != nil || len(o) != 0 {
		t.Errorf("Openers of the new FIFO = %v, %v; the old one's opener must not show", o, err)
	}
	if ok, err := fifo.Is(p); !ok || err != nil {
		t.Errorf("Is after Recreate = %v, %v", ok, err)
	}
	q := filepath.Join(dir, "new")
	if err := fifo.Recreate(q, 0o600); err != nil {
		t.Errorf("Recreate of a missing path: %v", err)
	}
	if ok, err := fifo.Is(q); !ok || err != nil {
		t.Errorf("Is = %v, %v", ok, err)
	}
	if ok, err := fifo.Is(dir); ok || err != nil {
		t.Errorf("Is(dir) = %v, %v", ok, err)
	}
}

// TestOpenWriteTimeout checks the timeout bounds of OpenWrite and OpenRead.
func TestOpenTimeout(t *testing.T) {
	p := newFIFO(t)
	const d = 300 * time.Millisecond
	opens := map[string]func(context.Context, string) (*os.File, error){
		"OpenWrite": fifo.OpenWrite,
		"OpenRead":  fifo.OpenRead,
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			begin := time.Now()
			f, err := open(ctxFor(t, d), p)
			took := time.Since(begin)
			if f != nil {
				f.Close()
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
			if took < d*8/10 || took > 2*time.Second {
				t.Errorf("gave up after %v, want %v…2s", took, d*8/10)
			}
		})
	}
}

// TestCancelLeaksNothing cancels many opens, by context and by interrupt,
// and checks that no descriptor, goroutine or blocked thread is left.
func TestCancelLeaksNothing(t *testing.T) {
	p := newFIFO(t)
	primePoller(t, p)
	var intr atomic.Pointer[chan struct{}]
	fifo.SetInterrupt(func() <-chan struct{} {
		if c := intr.Load(); c != nil {
			return *c
		}
		return nil
	})
	t.Cleanup(func() { fifo.SetInterrupt(nil) })

	fds, goroutines := fdCount(t), runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		for _, open := range []func(context.Context, string) (*os.File, error){fifo.OpenWrite, fifo.OpenRead} {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
			_, err := open(ctx, p)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v", err)
			}
			ch := make(chan struct{})
			intr.Store(&ch)
			time.AfterFunc(15*time.Millisecond, func() { close(ch) })
			_, err = open(context.Background(), p)
			if !errors.Is(err, fifo.ErrInterrupted) {
				t.Fatalf("err = %v", err)
			}
			intr.Store(nil)
		}
	}
	if n := fdCount(t); n != fds {
		t.Errorf("descriptors: %d before, %d after", fds, n)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("goroutines: %d before, %d after", goroutines, n)
	}
	tasks, err := fifo.Tasks(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if task.Block != fifo.NotBlocked {
			t.Errorf("a thread of this process is %v", task)
		}
	}
	if o, err := fifo.Openers(p); err != nil || len(o) != 0 {
		t.Errorf("Openers after cancelled opens = %v, %v", o, err)
	}
}

// TestInterrupt checks that every waiting call ends on the interrupt hook,
// even with a context that never ends while it waits, and with a hook whose
// channel changes during the wait (a later cell's interrupt). The context
// ends only at cleanup, so that a call that ignores the hook fails the test
// instead of hanging it.
func TestInterrupt(t *testing.T) {
	p := newFIFO(t)
	sleeper := start(t, "sleep", "30")
	late, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	calls := map[string]func() error{
		"OpenWrite": func() error { _, err := fifo.OpenWrite(late, p); return err },
		"OpenRead":  func() error { _, err := fifo.OpenRead(late, p); return err },
		"WaitBlocked": func() error {
			_, err := fifo.WaitBlocked(late, sleeper.pid())
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			first, second := make(chan struct{}), make(chan struct{})
			var cur atomic.Pointer[chan struct{}]
			cur.Store(&first)
			fifo.SetInterrupt(func() <-chan struct{} { return *cur.Load() })
			defer fifo.SetInterrupt(nil)
			time.AfterFunc(100*time.Millisecond, func() { cur.Store(&second) })
			time.AfterFunc(200*time.Millisecond, func() { close(second) })
			begin := time.Now()
			done := make(chan error, 1)
			go func() { done <- call() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Second):
				t.Fatal("the call did not end within 2 s; the interrupt came after 200 ms")
			}
			took := time.Since(begin)
			if !errors.Is(err, fifo.ErrInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want an interrupt", err)
			}
			if !strings.HasSuffix(err.Error(), ": interrupted") {
				t.Errorf("message %q", err)
			}
			if took < 150*time.Millisecond || took > time.Second {
				t.Errorf("ended after %v, want 200ms…1s", took)
			}
		})
	}
}

// TestOpenReadSemantics checks when OpenRead returns, for writers that
// write, that only attach, and that come and go without writing.
func TestOpenReadSemantics(t *testing.T) {
	tests := []struct {
		name     string
		script   string // run by sh with the FIFO as $0
		want     string // what a read to EOF gives
		minRead  time.Duration
		maxOpen  time.Duration
		readWait bool // the read waits for the writer to finish
	}{
		{"writes", `echo Hello > "$0"`, "Hello\n", 0, 2 * time.Second, false},
		{"writes late", `sleep 0.3; echo Hello > "$0"`, "Hello\n", 0, 2 * time.Second, false},
		{"attaches and waits", `exec 3>"$0"; sleep 0.5; echo late >&3`, "late\n", 400 * time.Millisecond, 400 * time.Millisecond, true},
		{"comes and goes", `: > "$0"`, "", 0, 2 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newFIFO(t)
			cmd := start(t, "sh", "-c", tt.script, p)
			begin := time.Now()
			r, err := fifo.OpenRead(ctxFor(t, wait), p)
			opened := time.Since(begin)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if opened > tt.maxOpen {
				t.Errorf("OpenRead took %v, want ≤ %v", opened, tt.maxOpen)
			}
			b, err := io.ReadAll(r)
			if err != nil || string(b) != tt.want {
				t.Errorf("read %q, %v; want %q", b, err, tt.want)
			}
			if tt.readWait && time.Since(begin) < tt.minRead {
				t.Errorf("read ended after %v, before the writer wrote", time.Since(begin))
			}
			if err := cmd.exited(t); err != nil {
				t.Errorf("writer: %v", err)
			}
		})
	}
}

// TestCancelDisturbsNoOne checks that a cancelled OpenRead does not release
// a reader blocked in open, and a cancelled OpenWrite does not release a
// blocked writer: both stay blocked, and later get the real partner.
func TestCancelDisturbsNoOne(t *testing.T) {
	t.Run("reader", func(t *testing.T) {
		p := newFIFO(t)
		cat := start(t, "cat", p)
		if _, err := fifo.WaitBlocked(ctxFor(t, wait), cat.pid(), fifo.BlockOpen); err != nil {
			t.Fatal(err)
		}
		if _, err := fifo.OpenRead(ctxFor(t, 200*time.Millisecond), p); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("OpenRead: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
		if task, err := fifo.WaitBlocked(ctxFor(t, wait), cat.pid(), fifo.BlockOpen); err != nil || !cat.running() {
			t.Fatalf("cat is no longer blocked in open: %v %v", task, err)
		}
		w, err := fifo.OpenWrite(ctxFor(t, wait), p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(w, "real")
		w.Close()
		if err := cat.exited(t); err != nil || cat.out.String() != "real\n" {
			t.Errorf("cat: %v, output %q", err, cat.out.String())
		}
	})
	t.Run("writer", func(t *testing.T) {
		p := newFIFO(t)
		sh := start(t, "sh", "-c", `echo real > "$0"`, p)
		if _, err := fifo.WaitBlocked(ctxFor(t, wait), sh.pid(), fifo.BlockOpen); err != nil {
			t.Fatal(err)
		}
		// OpenWrite sees no reader (the shell is a writer) and gives up.
		if _, err := fifo.OpenWrite(ctxFor(t, 200*time.Millisecond), p); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("OpenWrite: %v", err)
		}
		if task, err := fifo.WaitBlocked(ctxFor(t, wait), sh.pid(), fifo.BlockOpen); err != nil || !sh.running() {
			t.Fatalf("the writer is no longer blocked in open: %v %v", task, err)
		}
		r, err := fifo.OpenRead(ctxFor(t, wait), p)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil || string(b) != "real\n" {
			t.Errorf("read %q, %v", b, err)
		}
	})
}

// fdFlags returns the descriptor flags (FD_CLOEXEC) of f without switching
// it to blocking mode as f.Fd() would.
func fdFlags(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFD, 0) }); err != nil {
		t.Fatal(err)
	}
	if ferr != nil {
		t.Fatal(ferr)
	}
	return flags
}

// TestCloseOnExec checks that every open sets O_CLOEXEC, both with fcntl
// and by a child process's view of its inherited descriptors.
func TestCloseOnExec(t *testing.T) {
	p := newFIFO(t)
	reader, err := fifo.OpenNonblock(p, os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	files := map[string]*os.File{"OpenNonblock read": reader}
	open := func(name string, f *os.File, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { f.Close() })
		files[name] = f
	}
	w, err := fifo.OpenNonblock(p, os.O_WRONLY)
	open("OpenNonblock write", w, err)
	w, err = fifo.OpenWrite(ctxFor(t, wait), p)
	open("OpenWrite", w, err)
	r, err := fifo.OpenRead(ctxFor(t, wait), p)
	open("OpenRead", r, err)
	rw, err := fifo.OpenReadWrite(p)
	open("OpenReadWrite", rw, err)

	for name, f := range files {
		if fdFlags(t, f)&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s: FD_CLOEXEC not set", name)
		}
	}
	// A child started now must not hold the FIFO.
	out, err := exec.Command("sh", "-c", `ls -l /proc/$$/fd`).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), p) {
		t.Errorf("a child inherited the FIFO:\n%s", out)
	}
	// And the openers are only this process, once per file.
	o, err := fifo.Openers(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(o) != len(files) {
		t.Errorf("Openers = %v, want %d entries", o, len(files))
	}
	for _, op := range o {
		if op.PID != os.Getpid() || op.Flags&unix.O_CLOEXEC == 0 {
			t.Errorf("opener %v, flags %#o", op, op.Flags)
		}
	}
}

// TestNonblockSemantics follows demo 8: the O_NONBLOCK rules of TLPI 44.9.
func TestNonblockSemantics(t *testing.T) {
	p := newFIFO(t)
	buf := make([]byte, 16)
	r, err := fifo.OpenNonblock(p, os.O_RDONLY|syscall.O_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("read with no writer = %d, %v; want 0, EOF", n, err)
	}
	r.Close()
	if _, err := fifo.OpenNonblock(p, os.O_WRONLY); !errors.Is(err, fifo.ErrNoReader) {
		t.Errorf("write open with no reader: %v", err)
	}
	r, err = fifo.OpenNonblock(p, os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := fifo.OpenNonblock(p, os.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	r.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	begin := time.Now()
	if _, err := r.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read with a writer and no data: %v", err)
	}
	if took := time.Since(begin); took < 150*time.Millisecond || took > 2*time.Second {
		t.Errorf("deadline read took %v", took)
	}
	r.SetReadDeadline(time.Time{})
	w.Write([]byte("x"))
	w.Close()
	if b, err := io.ReadAll(r); string(b) != "x" || err != nil {
		t.Errorf("read after close = %q, %v", b, err)
	}
}

// TestBrokenPipe checks that a write after the reader has gone gives EPIPE
// and does not kill the process (demo 10).
func TestBrokenPipe(t *testing.T) {
	p := newFIFO(t)
	head := start(t, "head", "-c", "6", p)
	w, err := fifo.OpenWrite(ctxFor(t, wait), p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte("Hello, world\n")); err != nil {
		t.Fatal(err)
	}
	if err := head.exited(t); err != nil || head.out.String() != "Hello," {
		t.Fatalf("head: %v, %q", err, head.out.String())
	}
	_, err = w.Write([]byte("more\n"))
	if !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write after the reader left: %v", err)
	}
}

// TestReadWritePitfall follows demo 6: the extra O_RDWR descriptor hides
// EOF from cat until it is closed, and Openers shows it.
func TestReadWritePitfall(t *testing.T) {
	p := newFIFO(t)
	begin := time.Now()
	extra, err := fifo.OpenReadWrite(p)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("OpenReadWrite took %v", took)
	}
	cat := start(t, "cat", p)
	for i := 1; i <= 3; i++ {
		echo := exec.Command("sh", "-c", fmt.Sprintf(`echo "Hello %d" > "$0"`, i), p)
		if err := runWithin(echo, 2*time.Second); err != nil {
			t.Fatalf("echo %d: %v", i, err)
		}
	}
	task, err := fifo.WaitBlocked(ctxFor(t, wait), cat.pid(), fifo.BlockRead)
	if err != nil {
		t.Fatal(err)
	}
	if task.Block != fifo.BlockRead || !cat.running() {
		t.Errorf("cat: %v, running %v", task, cat.running())
	}
	o, err := fifo.Openers(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []fifo.Opener{
		{PID: os.Getpid(), Mode: fifo.ModeReadWrite},
		{PID: cat.pid(), Comm: "cat", Mode: fifo.ModeRead},
	}
	if len(o) != 2 {
		t.Fatalf("Openers = %v", o)
	}
	slices.SortFunc(o, func(a, b fifo.Opener) int {
		if a.PID == os.Getpid() {
			return -1
		}
		if b.PID == os.Getpid() {
			return 1
		}
		return 0
	})
	for i := range want {
		if o[i].PID != want[i].PID || o[i].Mode != want[i].Mode || (want[i].Comm != "" && o[i].Comm != want[i].Comm) {
			t.Errorf("opener %d = %+v, want %+v", i, o[i], want[i])
		}
	}
	extra.Close()
	if err := cat.exited(t); err != nil || cat.out.String() != "Hello 1\nHello 2\nHello 3\n" {
		t.Errorf("cat: %v, %q", err, cat.out.String())
	}
}

// runWithin runs cmd and fails if it takes longer than d.
func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("%v did not finish within %v", cmd.Args, d)
	}
}

// acceptedOpenWChans are the wchan names §2.4 of the seminar spec lists
// for a task blocked in a FIFO open.
var acceptedOpenWChans = []string{"wait_for_partner", "fifo_open", "pipe_wait"}

func TestTasksAndStatusOfBlockedOpen(t *testing.T) {
	p := newFIFO(t)
	cat := start(t, "cat", p)
	if _, err := fifo.WaitBlocked(ctxFor(t, wait), cat.pid(), fifo.BlockOpen); err != nil {
		t.Fatal(err)
	}
	st, err := fifo.ProcStatus(cat.pid())
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "cat" || !strings.HasPrefix(st.State, "S") || st.PID != cat.pid() ||
		st.PPID != os.Getpid() || st.Threads != 1 || st.Fields["Name"] != "cat" {
		t.Errorf("status = %v, fields %v", st, st.Fields)
	}
	tasks, err := fifo.Tasks(cat.pid())
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 {
		t.Fatalf("tasks = %v", tasks)
	}
	tk := tasks[0]
	if tk.TID != cat.pid() || tk.Block != fifo.BlockOpen {
		t.Errorf("task = %v", tk)
	}
	if !slices.Contains(acceptedOpenWChans, tk.WChan) && !strings.HasPrefix(tk.SyscallName(), "open") {
		t.Errorf("task %v: wchan %q and syscall %q are not those of an open", tk, tk.WChan, tk.SyscallName())
	}
	// Our own child: its system call and arguments are readable.
	if !strings.HasPrefix(tk.SyscallName(), "open") || tk.Path != p || tk.Flags&unix.O_ACCMODE != unix.O_RDONLY {
		t.Errorf("task %v: syscall %q path %q flags %#o", tk, tk.SyscallName(), tk.Path, tk.Flags)
	}
	if want := fmt.Sprintf("%s(%q, O_RDONLY", tk.SyscallName(), p); !strings.HasPrefix(tk.Call(), want) {
		t.Errorf("Call() = %q, want prefix %q", tk.Call(), want)
	}
	if s := tk.String(); !strings.Contains(s, "cat[") || !strings.Contains(s, "blocked in open") {
		t.Errorf("String() = %q", s)
	}
}

func TestWaitBlockedFindsDescendant(t *testing.T) {
	p := newFIFO(t)
	sh := start(t, "sh", "-c", `cat "$0"; echo done`, p)
	task, err := fifo.WaitBlocked(ctxFor(t, wait), sh.pid(), fifo.BlockOpen)
	if err != nil {
		t.Fatal(err)
	}
	if task.PID == sh.pid() || task.Name != "cat" || task.Block != fifo.BlockOpen {
		t.Errorf("blocked task = %v (pid %d), want the cat child of %d", task, task.PID, sh.pid())
	}
	st, err := fifo.ProcStatus(task.PID)
	if err != nil || st.PPID != sh.pid() {
		t.Errorf("status of the blocked task's process = %v, %v", st, err)
	}
	w, err := fifo.OpenWrite(ctxFor(t, wait), p)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "hi")
	w.Close()
	if err := sh.exited(t); err != nil || sh.out.String() != "hi\ndone\n" {
		t.Errorf("sh: %v, %q", err, sh.out.String())
	}
}

func TestWaitBlockedWrite(t *testing.T) {
	p := newFIFO(t)
	r, err := fifo.OpenNonblock(p, os.O_RDONLY) // a reader that never reads
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := start(t, "sh", "-c", `exec head -c 1000000 /dev/zero > "$0"`, p)
	task, err := fifo.WaitBlocked(ctxFor(t, wait), head.pid())
	if err != nil {
		t.Fatal(err)
	}
	if task.Block != fifo.BlockWrite {
		t.Errorf("task = %v, want blocked in write", task)
	}
	if task.FD != 1 || task.Path != p {
		t.Errorf("task = %v: fd %d path %q, want fd 1 on %s", task, task.FD, task.Path, p)
	}
	r.Close()
	err = head.exited(t)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Errorf("writer whose reader left: %v, want a failure (SIGPIPE or EPIPE)", err)
	}
}

// TestWaitBlockedExit checks that WaitBlocked gives up when the process
// exits, even before its parent has reaped it.
func TestWaitBlockedExit(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	_, err := fifo.WaitBlocked(ctxFor(t, wait), cmd.Process.Pid)
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, fifo.ErrNoProcess) {
		t.Errorf("err = %v", err)
	}
}

// TestGoWriterBlockedInOpen runs this test binary as a Go program blocked
// in os.OpenFile, which waits on one of several threads.
func TestGoWriterBlockedInOpen(t *testing.T) {
	if p := os.Getenv("FIFO_TEST_OPENWRITE"); p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			f.Close()
		}
		return
	}
	p := newFIFO(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestGoWriterBlockedInOpen$")
	cmd.Env = append(os.Environ(), "FIFO_TEST_OPENWRITE="+p)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	task, err := fifo.WaitBlocked(ctxFor(t, wait), cmd.Process.Pid, fifo.BlockOpen)
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := fifo.Tasks(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 2 {
		t.Errorf("a Go program with %d task(s): %v", len(tasks), tasks)
	}
	blocked := 0
	for _, tk := range tasks {
		if tk.Block == fifo.BlockOpen {
			blocked++
		}
	}
	if blocked != 1 || task.Path != p {
		t.Errorf("%d tasks blocked in open, found %v", blocked, task)
	}
	r, err := fifo.OpenRead(ctxFor(t, wait), p)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func TestProcStatusSelf(t *testing.T) {
	st, err := fifo.ProcStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	if st.PID != os.Getpid() || st.PPID != os.Getppid() || st.Name != strings.TrimSpace(string(comm)) ||
		st.Threads < 1 || st.Fields["Pid"] != strconv.Itoa(os.Getpid()) {
		t.Errorf("status = %v", st)
	}
}

func TestSignalNames(t *testing.T) {
	cmd := start(t, "sh", "-c", `trap "" PIPE; trap "echo x" USR1; exec sleep 30`)
	var st *fifo.Status
	deadline := time.Now().Add(wait)
	for {
		var err error
		st, err = fifo.ProcStatus(cmd.pid())
		if err != nil {
			t.Fatal(err)
		}
		if st.Name == "sleep" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// exec keeps ignored signals ignored and resets caught ones.
	if ign := fifo.SignalNames(st.SigIgn); !slices.Contains(ign, "SIGPIPE") || slices.Contains(ign, "SIGUSR1") {
		t.Errorf("SigIgn %#x = %v", st.SigIgn, ign)
	}
	tests := []struct {
		mask uint64
		want []string
	}{
		{0, nil},
		{1 << (13 - 1), []string{"SIGPIPE"}},
		{1<<(2-1) | 1<<(9-1) | 1<<(15-1), []string{"SIGINT", "SIGKILL", "SIGTERM"}},
		{1 << (40 - 1), []string{"SIGRT40"}},
	}
	for _, tt := range tests {
		if got := fifo.SignalNames(tt.mask); !slices.Equal(got, tt.want) {
			t.Errorf("SignalNames(%#x) = %v, want %v", tt.mask, got, tt.want)
		}
	}
}

func TestPgrep(t *testing.T) {
	arg := fmt.Sprintf("%d.%d", 1000+os.Getpid()%1000, time.Now().Nanosecond()%1000)
	cmd := start(t, "sleep", arg)
	pids, err := fifo.Pgrep("sleep " + arg)
	if err != nil || !slices.Equal(pids, []int{cmd.pid()}) {
		t.Errorf("Pgrep = %v, %v; want [%d]", pids, err, cmd.pid())
	}
	self, err := fifo.Pgrep(os.Args[0])
	if err != nil || slices.Contains(self, os.Getpid()) {
		t.Errorf("Pgrep of this program = %v, %v; it must leave itself out", self, err)
	}
	cmd.cmd.Process.Kill()
	cmd.exited(t)
	if pids, err := fifo.Pgrep("sleep " + arg); err != nil || len(pids) != 0 {
		t.Errorf("Pgrep after exit = %v, %v", pids, err)
	}
}

func TestModeAndBlockStrings(t *testing.T) {
	tests := []struct {
		v    fmt.Stringer
		want string
	}{
		{fifo.ModeRead, "read"},
		{fifo.ModeWrite, "write"},
		{fifo.ModeReadWrite, "read-write"},
		{fifo.Mode(9), "Mode(9)"},
		{fifo.NotBlocked, "not blocked"},
		{fifo.BlockOpen, "blocked in open"},
		{fifo.BlockRead, "blocked in read"},
		{fifo.BlockWrite, "blocked in write"},
		{fifo.Block(7), "Block(7)"},
		{fifo.Opener{PID: 12, Comm: "cat", FD: 3, Mode: fifo.ModeRead}, "cat (pid 12) fd 3: read"},
		{&fifo.Status{Name: "cat", State: "S (sleeping)", PID: 12, PPID: 1, Threads: 1}, `pid 12 "cat" S (sleeping), ppid 1, 1 thread(s)`},
		{(*fifo.Status)(nil), "<nil>"},
		{fifo.Task{Name: "bash", TID: 5, State: "R (running)", Syscall: -1, FD: -1, Flags: -1}, "bash[5] R (running)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
