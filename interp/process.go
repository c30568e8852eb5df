package interp

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/jobs"
)

// A worker is one running gokernel-worker process: its control socket,
// its two output pipes and the goroutines that read them. It is owned by
// the supervisor, which alone starts, kills and replaces it.
type worker struct {
	cmd   *exec.Cmd
	pid   int
	token string

	ctl   *os.File
	ctlW  proto.RawFile // writes to ctl
	encMu sync.Mutex    // serialises writes to ctl
	hooks hooks

	callMu sync.Mutex
	ids    *atomic.Uint64   // the kernel's one request counter, shared by its workers
	calls  map[uint64]*call // the requests waiting for their answers, by ID
	gone   bool             // the control socket has closed: no more answers come

	mu       sync.Mutex
	cond     *sync.Cond
	displays map[uint64]proto.Display
	frames   []proto.PanicFrame // the panic frames of the running request, or of a crash

	pipes   [2]*pipeReader // the read ends of stdout and stderr
	crash   *crashFilter   // takes a runtime crash dump out of stderr
	readers sync.WaitGroup // the pipe readers; done when both pipes hit EOF
	exited  chan struct{}  // closed when the process has been reaped
	state   *os.ProcessState
	waitErr error

	killOnce sync.Once
	killed   chan struct{} // closed when kill has finished
}

// hooks are where a worker's output and questions go: the Interpreter's
// methods.
type hooks struct {
	stream  func(stream, text string)        // output text
	display func(proto.Display)              // rich output, in its place among the text
	debug   func(proto.DebugEvent)           // a debugger event
	jobs    func() []jobs.Job                // the kernel's job table, for cells that ask
	logf    func(format string, args ...any) // the kernel log
}

// A call is a request waiting for its answer. Exec and Eval calls also
// get the running cell's stdin requests.
type call struct {
	id     uint64
	reply  chan proto.Message      // the answer; closed if the worker dies first
	inputs chan proto.InputRequest // Exec and Eval: the cell blocks reading stdin
}

// Bounds of the waits in kill. A worker killed with SIGKILL is reaped
// within milliseconds; pipes still open after pipeWait are held by a
// process that left the worker's process group, and are closed on our side.
const (
	reapWait = time.Second
	pipeWait = 500 * time.Millisecond
)

// startWorker starts a worker process whose output goes to sink.
//
// The worker dies with the kernel: it gets SIGTERM when the thread that
// started it ends (Pdeathsig belongs to that thread, so a goroutine stays
// locked to it for the worker's whole life), and it ends when its control
// socket closes. Either way it kills its own process group, so processes
// that cells started go too. Close also kills that group.
func startWorker(argv []string, dir string, env []string, ids *atomic.Uint64, h hooks) (*worker, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("interp: marker token: %w", err)
	}
	w := &worker{
		token:    hex.EncodeToString(tok),
		hooks:    h,
		ids:      ids,
		calls:    map[uint64]*call{},
		displays: map[uint64]proto.Display{},
		exited:   make(chan struct{}),
		killed:   make(chan struct{}),
	}
	w.cond = sync.NewCond(&w.mu)
	w.crash = newCrashFilter(func(s string) { h.stream("stderr", s) })

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("interp: control socket: %w", err)
	}
	// Our end is non-blocking, so that os.File uses the poller and Close
	// ends a pending Read even while another process holds the other end.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, fmt.Errorf("interp: control socket: %w", err)
	}
	w.ctl = os.NewFile(uintptr(fds[0]), "worker-control")
	w.ctlW = proto.NewRawFile(w.ctl)
	child := os.NewFile(uintptr(fds[1]), "worker-control-child")
	defer child.Close()

	// pipeReaders read the read ends; they put them in Go's netpoller only
	// while output trickles (see pipes.go).
	var readers [2]*pipeReader
	var writers [2]*os.File
	closeAll := func() {
		w.ctl.Close()
		for i := range readers {
			if readers[i] != nil {
				readers[i].close()
			}
			if writers[i] != nil {
				writers[i].Close()
			}
		}
	}
	for i, name := range [2]string{"stdout", "stderr"} {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			closeAll()
			return nil, fmt.Errorf("interp: %s pipe: %w", name, err)
		}
		writers[i] = os.NewFile(uintptr(p[1]), "worker-"+name)
		if err := unix.SetNonblock(p[0], true); err != nil {
			unix.Close(p[0])
			closeAll()
			return nil, fmt.Errorf("interp: %s pipe: %w", name, err)
		}
		text := func(s string) { h.stream(name, s) }
		if name == "stderr" {
			text = w.crash.write
		}
		readers[i] = newPipeReader(p[0], newMarkerReader(w.token, text, w.marker))
	}
	outW, errW := writers[0], writers[1]

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(env, proto.TokenEnv+"="+w.token)
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.ExtraFiles = []*os.File{child}
	// SIGTERM, not SIGKILL: the worker then ends its process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	w.cmd = cmd

	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: Pdeathsig watches this thread
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		err := cmd.Wait()
		w.state, w.waitErr = cmd.ProcessState, err
		close(w.exited)
		w.mu.Lock()
		w.cond.Broadcast() // wake waitCond
		w.mu.Unlock()
	}()
	err = <-started
	outW.Close()
	errW.Close()
	if err != nil {
		w.ctl.Close()
		readers[0].close()
		readers[1].close()
		return nil, fmt.Errorf("interp: start worker: %w", err)
	}
	w.pid = cmd.Process.Pid
	w.pipes = readers

	for _, p := range readers {
		w.readers.Add(1)
		go func() {
			defer w.readers.Done()
			defer p.close()
			p.run()
		}()
	}
	go w.readEvents()
	return w, nil
}

// marker handles a marker seen on stdout. A sync marker releases the
// display event with the same number, so that rich output keeps its place
// among the text.
func (w *worker) marker(kind string, seq uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch kind {
	case "sync":
		if w.waitCond(displayWait, func() bool { _, ok := w.displays[seq]; return ok }) {
			ev := w.displays[seq]
			delete(w.displays, seq)
			w.mu.Unlock()
			w.hooks.display(ev)
			w.mu.Lock()
		}
	}
}

// waitCond waits on w.cond until done is true, the worker has exited, or
// timeout has passed, and tells whether done is true. w.mu is held. Each
// change waited for broadcasts w.cond: a display event, the
// worker's exit, and the timeout, so no waiter polls.
func (w *worker) waitCond(timeout time.Duration, done func() bool) bool {
	if done() {
		return true
	}
	expired := false
	t := time.AfterFunc(timeout, func() {
		w.mu.Lock()
		expired = true
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer t.Stop()
	for !done() {
		if expired || w.dead() {
			return false
		}
		w.cond.Wait()
	}
	return true
}

func (w *worker) dead() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// exitedNow tells whether the worker has exited, even if it has not been
// reaped yet: a zombie is found with waitid(WNOWAIT), which leaves it for
// cmd.Wait. A cell is then never sent to a worker that is already dead.
func (w *worker) exitedNow() bool {
	if w.dead() {
		return true
	}
	var info unix.Siginfo
	// A raw call, as in proto.RawFile: with WNOHANG it never blocks.
	_, _, errno := syscall.RawSyscall6(syscall.SYS_WAITID, unix.P_PID, uintptr(w.pid),
		uintptr(unsafe.Pointer(&info)), unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, 0, 0)
	if errno != 0 {
		return errno == unix.ECHILD // reaped already
	}
	return info.Signo == int32(unix.SIGCHLD)
}

// readEvents reads the control socket until the worker closes it, and
// routes each event: answers by ID to the call waiting for them, the
// rest to the hooks.
func (w *worker) readEvents() {
	defer w.endCalls()
	dec := json.NewDecoder(bufio.NewReaderSize(proto.NewRawFile(w.ctl), 64<<10))
	for {
		id, m, err := proto.ReadEvent(dec)
		if proto.Skippable(err) {
			w.hooks.logf("worker pid %d: %v (a worker of another version?)", w.pid, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				w.hooks.logf("worker pid %d: control socket: %v", w.pid, err)
			}
			return
		}
		switch m := m.(type) {
		case proto.Display:
			w.mu.Lock()
			w.displays[m.Seq] = m
			w.cond.Broadcast()
			w.mu.Unlock()
		case proto.PanicFrame:
			w.mu.Lock()
			w.frames = append(w.frames, m)
			w.mu.Unlock()
		case proto.DebugEvent:
			w.hooks.debug(m) // the debugger's events go out at once
		case proto.AskJobs:
			go w.send(id, proto.JobTable{Jobs: w.hooks.jobs()})
		case proto.InputRequest:
			w.callMu.Lock()
			c := w.calls[id]
			w.callMu.Unlock()
			if c != nil && c.inputs != nil {
				select {
				case c.inputs <- m:
				default: // the cell asks once at a time; never block the reader
				}
			}
		default: // an answer
			w.callMu.Lock()
			c := w.calls[id]
			delete(w.calls, id)
			w.callMu.Unlock()
			if c != nil {
				c.reply <- m
			}
		}
	}
}

// endCalls fails every waiting call: the worker will not answer.
func (w *worker) endCalls() {
	w.callMu.Lock()
	defer w.callMu.Unlock()
	w.gone = true
	for id, c := range w.calls {
		close(c.reply)
		delete(w.calls, id)
	}
}

// takeFrames returns the panic frames the worker has sent since the last
// take, and forgets them.
func (w *worker) takeFrames() []proto.PanicFrame {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.frames
	w.frames = nil
	return f
}

// send writes one message to the worker, for request id (0 for none).
func (w *worker) send(id uint64, m proto.Message) error {
	w.encMu.Lock()
	defer w.encMu.Unlock()
	if err := proto.Write(w.ctlW, id, m); err != nil {
		return fmt.Errorf("interp: send to worker: %w", err)
	}
	return nil
}

// start sends request m under a new ID and returns the call that waits
// for its answer. withInput makes the call receive stdin requests, for
// Exec and Eval.
func (w *worker) start(m proto.Message, withInput bool) (*call, error) {
	c := &call{id: w.ids.Add(1), reply: make(chan proto.Message, 1)}
	if withInput {
		c.inputs = make(chan proto.InputRequest, 1)
	}
	w.callMu.Lock()
	if w.gone {
		w.callMu.Unlock()
		return nil, errWorkerGone
	}
	w.calls[c.id] = c
	w.callMu.Unlock()
	if err := w.send(c.id, m); err != nil {
		w.forget(c)
		return nil, err
	}
	return c, nil
}

// forget stops waiting for c's answer; a late answer is dropped.
func (w *worker) forget(c *call) {
	w.callMu.Lock()
	defer w.callMu.Unlock()
	delete(w.calls, c.id)
}

// drainOutput hands on all the output that the worker wrote before it
// answered the request that has just been answered: it reads both pipes
// empty, without waiting.
func (w *worker) drainOutput() {
	for _, p := range w.pipes {
		p.drain()
	}
}

// kill ends the worker's whole process group, whether or not the worker
// itself has already exited: processes that its cells started may still
// hold its pipes. It then waits, within bounds, for the worker to be
// reaped and for its pipes to be drained, and closes its side of the
// control socket and the pipes, so that no reader goroutine outlives it.
// kill is safe to call more than once and from several goroutines; every
// call returns when the first has finished, within about
// reapWait+pipeWait.
func (w *worker) kill() {
	w.killOnce.Do(func() {
		defer close(w.killed)
		// The group outlives its leader while any member lives, so its id
		// is not reused while there is something to kill.
		_ = syscall.Kill(-w.pid, syscall.SIGKILL)
		if !w.dead() {
			_ = syscall.Kill(w.pid, syscall.SIGKILL) // not reaped: the pid is still ours
		}
		select {
		case <-w.exited:
		case <-time.After(reapWait):
		}
		w.ctl.Close()
		if !w.waitPipes(pipeWait) {
			// A process outside the group holds a pipe open: stop reading.
			for _, p := range w.pipes {
				p.stop()
			}
			w.waitPipes(pipeWait)
		}
	})
	<-w.killed
}

// close asks the worker to exit by closing its control socket, then kills
// its process group, after the grace period if the worker has not gone.
func (w *worker) close(grace time.Duration) {
	w.ctl.Close()
	select {
	case <-w.exited:
	case <-time.After(grace):
	}
	w.kill()
}

// waitPipes waits for both pipe readers to reach end of file, and tells
// whether they did within timeout.
func (w *worker) waitPipes(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { w.readers.Wait(); close(done) }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// exitReason says in plain words how the worker ended.
func (w *worker) exitReason() string {
	st := w.state
	if st == nil {
		if w.waitErr != nil {
			return w.waitErr.Error()
		}
		return "it ended"
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		return fmt.Sprintf("it was killed by signal %d (%s)", int(sig), signalName(sig))
	}
	return fmt.Sprintf("it exited with status %d", st.ExitCode())
}

func signalName(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	return sig.String()
}

var errWorkerGone = errors.New("interp: the worker process is gone")

// call sends request m and waits for its answer, or for ctx to end. It
// works while a cell runs.
func (w *worker) call(ctx context.Context, m proto.Message) (proto.Message, error) {
	c, err := w.start(m, false)
	if err != nil {
		return nil, err
	}
	select {
	case ev, ok := <-c.reply:
		if !ok {
			return nil, errWorkerGone
		}
		return ev, nil
	case <-ctx.Done():
		w.forget(c)
		return nil, ctx.Err()
	}
}
