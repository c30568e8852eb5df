package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/display"
	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/jobs"
)

// maxStack bounds the Go stack of the worker, so that runaway recursion in
// a cell ends the worker in about a second instead of four.
const maxStack = 256 << 20

// settleWait is how long an interrupted cell's goroutines get to go away
// before the worker says the cell is stuck in a host call.
const settleWait = time.Second

// Main runs the worker until its control socket closes.
func Main() error {
	token := os.Getenv(proto.TokenEnv)
	if token == "" {
		return errors.New("worker: run by the kernel only (no marker token in the environment)")
	}
	os.Unsetenv(proto.TokenEnv)
	debug.SetMaxStack(maxStack)
	// A fatal error (a goroutine's panic, a stack overflow) prints its
	// message without pages of interpreter stack frames.
	debug.SetTraceback("none")
	// yaegi's compiler reports some panics through the standard logger
	// before it recovers them; the cell's error says the same thing.
	log.SetOutput(quietCompiler{os.Stderr})
	// When the kernel dies, the worker takes the processes that cells
	// started (its process group) with it.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-sigs
		endGroup()
	}()
	if os.Getppid() == 1 {
		endGroup() // the kernel died before the signal was armed
	}

	stdin, err := newStdinPipe()
	if err != nil {
		return err
	}
	ctl := os.NewFile(proto.ControlFD, "control")
	if ctl == nil {
		return errors.New("worker: no control socket on fd 3")
	}
	unix.CloseOnExec(proto.ControlFD)

	w := &Worker{
		token:      token,
		ctl:        ctl,
		enc:        json.NewEncoder(ctl),
		stdin:      stdin,
		execs:      make(chan proto.Request, 16),
		jobReplies: make(chan []jobs.Job, 1),
		cancel:     func() {},
	}
	w.interruptCh.Store(make(chan struct{}))
	w.dbg = newDebugger(w)
	w.sess, err = newSession(w)
	if err != nil {
		return err
	}
	display.SetPublisher(w)
	jobs.SetSource(w)
	fifo.SetInterrupt(w.interrupted)

	go w.execLoop()
	err = w.readRequests()
	// The kernel has gone or closed the socket: end the processes cells
	// started, and the worker with them.
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	endGroup()
	return err
}

// quietCompiler drops the lines that yaegi's compiler logs before it
// panics ("nil type"), and passes every other log line on: slog's default
// handler, for one, writes through the standard logger.
type quietCompiler struct{ w io.Writer }

func (q quietCompiler) Write(p []byte) (int, error) {
	if bytes.HasSuffix(p, []byte(" nil type\n")) {
		return len(p), nil
	}
	return q.w.Write(p)
}

// endGroup kills the worker's process group: the worker, which leads it,
// and every process a cell started and did not move elsewhere.
func endGroup() {
	runningPrograms.killAll()
	_ = syscall.Kill(-os.Getpid(), syscall.SIGKILL)
	os.Exit(0)
}

// Worker runs cells for one kernel.
type Worker struct {
	token string
	ctl   *os.File
	enc   *json.Encoder
	encMu sync.Mutex
	stdin *stdinPipe
	execs chan proto.Request
	sess  *session
	dbg   *debugger

	mu          sync.Mutex
	running     uint64 // ID of the running request, 0 when idle
	allowStdin  bool
	askedInput  bool
	cancel      context.CancelFunc
	interruptCh atomic.Value // chan struct{}, closed when the running cell is interrupted

	jobReplies chan []jobs.Job // answers to EvJobs

	displaySeq atomic.Uint64
	outMu      sync.Mutex // orders marker writes

	noteOnce sync.Once // the note that whole programs run in the interpreter

	goPanics  []goPanic // goroutine panics not yet reported; guarded by mu
	panicStop bool      // a goroutine panic stopped the running cell; guarded by mu
}

// emit sends one event to the kernel.
func (w *Worker) emit(ev proto.Event) {
	w.encMu.Lock()
	defer w.encMu.Unlock()
	if err := w.enc.Encode(ev); err != nil {
		os.Exit(0) // the kernel is gone
	}
}

// readRequests serves the control socket. Exec and eval requests queue for
// the exec loop; the others are served at once, even while a cell runs.
func (w *Worker) readRequests() error {
	dec := json.NewDecoder(bufio.NewReaderSize(w.ctl, 64<<10))
	for {
		var req proto.Request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker: control socket: %w", err)
		}
		switch req.Op {
		case proto.OpExec, proto.OpEval:
			w.execs <- req
		case proto.OpCancel:
			w.interrupt(req.ID)
		case proto.OpInput:
			w.mu.Lock()
			w.askedInput = false
			w.mu.Unlock()
			if err := w.stdin.write(req.Text); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		case proto.OpNoInput:
			if req.Text != "" {
				w.writeStream(2, req.Text)
			}
			w.giveEOF()
		case proto.OpComplete:
			go func() { w.emit(w.sess.complete(req)) }()
		case proto.OpInspect:
			go func() { w.emit(w.sess.inspect(req)) }()
		case proto.OpDebug:
			go func() { w.emit(proto.Event{ID: req.ID, Op: proto.EvDone, DAP: w.dbg.handle(req.DAP)}) }()
		case proto.OpChdir:
			w.emit(done(req, os.Chdir(req.Text)))
		case proto.OpSetenv:
			var err error
			if req.Unset {
				err = os.Unsetenv(req.Name)
			} else {
				err = os.Setenv(req.Name, req.Text)
			}
			w.emit(done(req, err))
		case proto.OpJobs:
			select {
			case w.jobReplies <- req.Jobs:
			default:
			}
		case proto.OpNames:
			ev := done(req, nil)
			for _, n := range w.sess.state.Names() {
				ev.Matches = append(ev.Matches, n.Name)
			}
			w.emit(ev)
		}
	}
}

// done answers a request that only succeeds or fails.
func done(req proto.Request, err error) proto.Event {
	ev := proto.Event{ID: req.ID, Op: proto.EvDone}
	if err != nil {
		ev.Err = &proto.Error{Name: "Error", Value: err.Error()}
	}
	return ev
}

// giveEOF ends the blocked stdin read, if any, with end of file.
func (w *Worker) giveEOF() {
	w.mu.Lock()
	w.askedInput = false
	w.mu.Unlock()
	if err := w.stdin.reset(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// interrupt cancels request id if it is running.
func (w *Worker) interrupt(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running != id || id == 0 {
		return
	}
	w.cancel()
	go releaseFifoOpens()
	if ch := w.interruptCh.Load().(chan struct{}); ch != nil {
		select {
		case <-ch:
		default:
			close(ch)
		}
	}
	if w.askedInput {
		go w.giveEOF()
	}
}

// interrupted returns a channel that is closed when the running cell is
// interrupted. Interruptible host functions, such as time.Sleep, wait on it.
func (w *Worker) interrupted() <-chan struct{} {
	return w.interruptCh.Load().(chan struct{})
}

// execLoop runs exec and eval requests one at a time.
func (w *Worker) execLoop() {
	for req := range w.execs {
		w.run(req)
	}
}

func (w *Worker) run(req proto.Request) {
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	w.running = req.ID
	w.allowStdin = req.AllowStdin
	w.askedInput = false
	w.cancel = cancel
	w.panicStop = false
	w.interruptCh.Store(make(chan struct{}))
	w.mu.Unlock()

	watchDone := make(chan struct{})
	watchStopped := make(chan struct{})
	go func() { defer close(watchStopped); w.watchStdin(watchDone) }()
	before := runtime.NumGoroutine()

	var ev proto.Event
	switch req.Op {
	case proto.OpExec:
		w.dbg.enterCell(req)
		ev = w.sess.exec(ctx, req)
		for _, problem := range w.sess.declareCopies(req.Cell) {
			w.dbg.note(problem)
		}
	case proto.OpEval:
		w.dbg.enterCell(req) // no cell: its programs are not kept
		ev = proto.Event{Exprs: w.sess.evalExprs(ctx, req.Exprs)}
	}
	w.mu.Lock()
	stopped := w.panicStop
	w.mu.Unlock()
	if ctx.Err() != nil {
		ev.Value = nil
		ev.Err = &proto.Error{Name: "Interrupted", Value: "the cell was interrupted",
			Traceback: []string{"Interrupted: the cell was interrupted; variables of earlier cells are kept"}}
		if stopped {
			// A goroutine's panic stopped it: goroutineError says so. Its
			// other goroutines may stay blocked in host calls, as they
			// would have died with a Go program: that is no reason to
			// replace the worker and report an interrupt.
			ev.Err = nil
		} else {
			ev.Stuck = !settle(before, settleWait)
		}
	}
	close(watchDone)
	<-watchStopped
	cancel()

	w.mu.Lock()
	w.running = 0
	// A fresh channel: goroutines of this cell that wait in interruptible
	// calls after it ended are not woken by this cell's interrupt.
	w.interruptCh.Store(make(chan struct{}))
	panics := w.goPanics
	w.goPanics = nil
	w.mu.Unlock()
	if len(panics) > 0 {
		ev.Value = nil
		ev.Err = goroutineError(panics, ev.Err, stopped)
	}

	w.writeMarkers(req.ID)
	ev.ID = req.ID
	ev.Op = proto.EvResult
	w.emit(ev)
}

// settle waits until no more goroutines run than before the cell. A
// goroutine that stays is blocked in a host call that yaegi cannot stop.
func settle(before int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if runtime.NumGoroutine() <= before {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// watchStdin asks for input whenever the running cell blocks reading fd 0.
func (w *Worker) watchStdin(done <-chan struct{}) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		w.mu.Lock()
		asked, allow, id := w.askedInput, w.allowStdin, w.running
		w.mu.Unlock()
		if asked || !blockedOnStdin(runningPrograms.running()) || w.stdin.readable() {
			continue
		}
		if !allow {
			w.writeStream(2, "stdin: this front end does not accept input (allow_stdin is false, as in nbconvert), so the read gets end of file.\n")
			w.giveEOF()
			continue
		}
		w.mu.Lock()
		w.askedInput = true
		w.mu.Unlock()
		w.emit(proto.Event{ID: id, Op: proto.EvInput})
	}
}

// writeStream writes text straight to fd 1 or fd 2.
func (w *Worker) writeStream(fd int, text string) {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	writeAll(fd, []byte(text))
}

func writeAll(fd int, b []byte) {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err != nil {
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			return
		}
		b = b[n:]
	}
}

// writeMarkers marks the end of request id's output on both pipes.
func (w *Worker) writeMarkers(id uint64) {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	writeAll(1, []byte(proto.Marker(w.token, "end", id)))
	writeAll(2, []byte(proto.Marker(w.token, "end", id)))
}

// Publish implements display.Publisher: it places a sync marker in stdout
// and sends the display event that belongs there.
func (w *Worker) Publish(kind string, b display.Bundle, metadata map[string]any, id string) {
	seq := w.displaySeq.Add(1)
	ev := proto.Event{Op: proto.EvDisplay, Seq: seq, Kind: kind, Data: b, Metadata: metadata, DisplayID: id}
	if kind == "clear" {
		ev.Wait = id == "wait"
		ev.DisplayID = ""
	}
	w.outMu.Lock()
	writeAll(1, []byte(proto.Marker(w.token, "sync", seq)))
	w.outMu.Unlock()
	w.emit(ev)
}

// jobsMu lets one cell goroutine at a time ask for the job table.
var jobsMu sync.Mutex

// Jobs implements jobs.Source: it asks the kernel, which owns the job
// table.
func (w *Worker) Jobs() ([]jobs.Job, error) {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	select { // forget an answer that came too late for an earlier call
	case <-w.jobReplies:
	default:
	}
	w.emit(proto.Event{Op: proto.EvJobs})
	select {
	case js := <-w.jobReplies:
		return js, nil
	case <-time.After(5 * time.Second):
		return nil, errors.New("jobs: the kernel did not answer")
	}
}
