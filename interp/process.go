package interp

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/jobs"
)

// A worker is one running `gokernel worker` process: its control socket,
// its two output pipes and the goroutines that read them. It is owned by
// an Interpreter, which replaces it when it dies.
type worker struct {
	cmd   *exec.Cmd
	pid   int
	token string

	ctl     *os.File
	enc     *json.Encoder
	encMu   sync.Mutex
	events  chan proto.Event // results and input requests of the running request
	display func(proto.Event)
	jobs    func() []jobs.Job // the kernel's job table, for cells that ask

	callMu sync.Mutex
	calls  map[uint64]chan proto.Event // complete and inspect requests waiting for answers
	nextID uint64

	mu       sync.Mutex
	cond     *sync.Cond
	ends     [2]uint64 // the last end marker seen on stdout, stderr
	displays map[uint64]proto.Event
	syncSeen uint64

	pipes   [2]*os.File    // the read ends of stdout and stderr
	crash   *crashFilter   // takes a runtime crash dump out of stderr
	readers sync.WaitGroup // the pipe readers; done when both pipes hit EOF
	exited  chan struct{}  // closed when the process has been reaped
	state   *os.ProcessState
	waitErr error

	killOnce sync.Once
	killed   chan struct{} // closed when kill has finished
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
func startWorker(argv []string, dir string, env []string, sink func(stream, text string), display func(proto.Event), jobList func() []jobs.Job) (*worker, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("interp: marker token: %w", err)
	}
	w := &worker{
		token:    hex.EncodeToString(tok),
		events:   make(chan proto.Event, 64),
		display:  display,
		jobs:     jobList,
		calls:    map[uint64]chan proto.Event{},
		nextID:   1 << 62,
		displays: map[uint64]proto.Event{},
		exited:   make(chan struct{}),
		killed:   make(chan struct{}),
	}
	w.cond = sync.NewCond(&w.mu)

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
	child := os.NewFile(uintptr(fds[1]), "worker-control-child")
	defer child.Close()

	outR, outW, err := os.Pipe()
	if err != nil {
		w.ctl.Close()
		return nil, fmt.Errorf("interp: stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		w.ctl.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("interp: stderr pipe: %w", err)
	}

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
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("interp: start worker: %w", err)
	}
	w.pid = cmd.Process.Pid
	w.enc = json.NewEncoder(w.ctl)
	w.pipes = [2]*os.File{outR, errR}

	w.crash = newCrashFilter(func(s string) { sink("stderr", s) })
	for i, p := range []*os.File{outR, errR} {
		name := [2]string{"stdout", "stderr"}[i]
		text := func(s string) { sink(name, s) }
		if name == "stderr" {
			text = w.crash.write
		}
		w.readers.Add(1)
		go func() {
			defer w.readers.Done()
			defer p.Close()
			newMarkerReader(p, w.token,
				text,
				func(kind string, seq uint64) { w.marker(i, kind, seq, sink) },
			).run()
		}()
	}
	go w.readEvents()
	return w, nil
}

// marker records a marker seen on pipe i (0 stdout, 1 stderr). A sync
// marker releases the display event with the same number, so that rich
// output keeps its place among the text.
func (w *worker) marker(i int, kind string, seq uint64, sink func(string, string)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch kind {
	case "end":
		w.ends[i] = seq
		w.cond.Broadcast()
	case "sync":
		if w.waitCond(endWait, func() bool { _, ok := w.displays[seq]; return ok }) {
			ev := w.displays[seq]
			delete(w.displays, seq)
			w.mu.Unlock()
			w.showDisplay(ev)
			w.mu.Lock()
		}
	}
}

// waitCond waits on w.cond until done is true, the worker has exited, or
// timeout has passed, and tells whether done is true. w.mu is held. Each
// change waited for broadcasts w.cond: an end marker, a display event, the
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
	err := unix.Waitid(unix.P_PID, w.pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	if err != nil {
		return errors.Is(err, unix.ECHILD) // reaped already
	}
	return info.Signo == int32(unix.SIGCHLD)
}

func (w *worker) showDisplay(ev proto.Event) { w.display(ev) }

// readEvents reads the control socket until the worker closes it.
func (w *worker) readEvents() {
	defer close(w.events)
	defer func() {
		w.callMu.Lock()
		for id, ch := range w.calls {
			close(ch)
			delete(w.calls, id)
		}
		w.callMu.Unlock()
	}()
	dec := json.NewDecoder(bufio.NewReaderSize(w.ctl, 64<<10))
	for {
		var ev proto.Event
		if err := dec.Decode(&ev); err != nil {
			return
		}
		if ev.Op == proto.EvJobs {
			go w.send(proto.Request{ID: ev.ID, Op: proto.OpJobs, Jobs: w.jobs()})
			continue
		}
		if ev.Op == proto.EvComplete || ev.Op == proto.EvInspect || ev.Op == proto.EvDone {
			w.callMu.Lock()
			ch := w.calls[ev.ID]
			delete(w.calls, ev.ID)
			w.callMu.Unlock()
			if ch != nil {
				ch <- ev
			}
			continue
		}
		if ev.Op == proto.EvDebug {
			w.display(ev) // the debugger's events go out at once
			continue
		}
		if ev.Op == proto.EvDisplay {
			w.mu.Lock()
			w.displays[ev.Seq] = ev
			w.cond.Broadcast()
			w.mu.Unlock()
			continue
		}
		w.events <- ev
	}
}

// send writes one request to the worker.
func (w *worker) send(req proto.Request) error {
	w.encMu.Lock()
	defer w.encMu.Unlock()
	if err := w.enc.Encode(req); err != nil {
		return fmt.Errorf("interp: send to worker: %w", err)
	}
	return nil
}

// waitEnds waits until both pipes have shown the end marker seq, the
// worker has died, or the timeout passes. A cell that closed its own fd 1
// never writes the marker; the timeout covers that.
func (w *worker) waitEnds(seq uint64, timeout time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waitCond(timeout, func() bool { return w.ends[0] >= seq && w.ends[1] >= seq })
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
				p.Close()
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

// call sends a request that is answered out of band, such as complete,
// and waits for its answer. It works while a cell runs.
func (w *worker) call(ctx context.Context, req proto.Request) (proto.Event, error) {
	ch := make(chan proto.Event, 1)
	w.callMu.Lock()
	w.nextID++
	req.ID = w.nextID
	w.calls[req.ID] = ch
	w.callMu.Unlock()
	if err := w.send(req); err != nil {
		w.callMu.Lock()
		delete(w.calls, req.ID)
		w.callMu.Unlock()
		return proto.Event{}, err
	}
	select {
	case ev, ok := <-ch:
		if !ok {
			return proto.Event{}, errWorkerGone
		}
		return ev, nil
	case <-ctx.Done():
		w.callMu.Lock()
		delete(w.calls, req.ID)
		w.callMu.Unlock()
		return proto.Event{}, ctx.Err()
	}
}
