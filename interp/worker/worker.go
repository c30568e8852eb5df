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

// Main runs the worker until its control socket closes. setUp, if not nil,
// is called once the interpreter is ready, before the first request.
func Main(setUp func()) error {
	token := os.Getenv(proto.TokenEnv)
	if token == "" {
		return errors.New("worker: run by the kernel only (no marker token in the environment)")
	}
	os.Unsetenv(proto.TokenEnv)
	startProfiles(os.Getenv(profileEnv))
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
	unix.CloseOnExec(proto.ControlFD)
	// Non-blocking, the control socket is read through Go's netpoller: the
	// goroutine that waits for requests parks instead of holding a thread
	// in read(2), and the thread that it wakes for a cell goes on to run
	// the cell; and it is read and written with raw system calls, which
	// leave the runtime's monitor asleep (see proto.RawFile). A blocking
	// socket still works, through a thread of its own.
	nonblock := unix.SetNonblock(proto.ControlFD, true) == nil
	f := os.NewFile(proto.ControlFD, "control")
	if f == nil {
		return errors.New("worker: no control socket on fd 3")
	}
	var ctl io.ReadWriter = f
	if nonblock {
		ctl = proto.NewRawFile(f)
	}

	w := &Worker{
		token:      token,
		ctl:        ctl,
		stdin:      stdin,
		execs:      make(chan request, 16),
		jobReplies: map[uint64]chan []jobs.Job{},
		cancel:     func() {},
	}
	w.stdio.renew(w.stdin)
	w.interruptCh.Store(make(chan struct{}))
	w.dbg = newDebugger(w)
	w.sess, err = newSession(w)
	if err != nil {
		return err
	}
	display.SetPublisher(w)
	jobs.SetSource(w)
	fifo.SetInterrupt(w.interrupted)
	if setUp != nil {
		setUp()
	}

	keepMonitorAwake()
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
	stopProfiles()
	runningPrograms.killAll()
	_ = syscall.Kill(-os.Getpid(), syscall.SIGKILL)
	os.Exit(0)
}

// Worker runs cells for one kernel.
type Worker struct {
	token string
	ctl   io.ReadWriter // the control socket
	encMu sync.Mutex    // serialises writes to ctl
	stdin *stdinPipe
	execs chan request
	sess  *session
	dbg   *debugger
	stdio cellStdio // the cells' os.Stdout and os.Stderr

	mu          sync.Mutex
	running     uint64 // ID of the running request, 0 when idle
	allowStdin  bool
	askedInput  bool
	cancel      context.CancelFunc
	interruptCh atomic.Value // chan struct{}, closed when the running cell is interrupted

	jobsMu     sync.Mutex
	jobsID     uint64                     // the IDs of AskJobs
	jobReplies map[uint64]chan []jobs.Job // AskJobs waiting for their answers, by ID

	displaySeq atomic.Uint64
	outMu      sync.Mutex   // orders marker writes
	watchers   atomic.Int32 // stdin watcher goroutines running (0 or 1)

	noteOnce sync.Once // the note that whole programs run in the interpreter

	goPanics  []goPanic // goroutine panics not yet reported; guarded by mu
	panicStop bool      // a goroutine panic stopped the running cell; guarded by mu
	// fin ends a cell that waits for a finalizer that will not run.
	fin finWatch
}

// emit sends one event, for request id (0 for none), to the kernel. An
// event that cannot be encoded is reported on the cell's stderr; a display
// is then replaced by that note, so that its sync marker finds an event.
func (w *Worker) emit(id uint64, m proto.Message) {
	w.encMu.Lock()
	err := proto.Write(w.ctl, id, m)
	w.encMu.Unlock()
	if err == nil {
		return
	}
	if !errors.Is(err, proto.ErrEncode) {
		os.Exit(0) // the kernel is gone
	}
	note := "gokernel: " + err.Error()
	if d, ok := m.(proto.Display); ok {
		w.emit(id, proto.Display{Seq: d.Seq, Action: d.Action, Data: map[string]any{"text/plain": note}, DisplayID: d.DisplayID})
		return
	}
	w.writeStream(2, note+"\n")
}

// A request is an Exec or Eval for the exec loop, with its ID.
type request struct {
	id   uint64
	exec *proto.Exec // or
	eval *proto.Eval
}

// handOff lets the exec loop, just handed a request, run on this thread at
// once: otherwise it waited until this goroutine had tried its next read,
// found nothing and parked (BenchmarkTrivialCell in package interp: median
// 233 → 215 µs, five runs of each build in turn). Another P takes this
// goroutine meanwhile, so that a Cancel or Input is still read during the
// cell.
func (w *Worker) handOff() { runtime.Gosched() }

// readRequests serves the control socket. Exec and Eval requests queue for
// the exec loop; the others are served at once, even while a cell runs.
func (w *Worker) readRequests() error {
	dec := json.NewDecoder(bufio.NewReaderSize(w.ctl, 64<<10))
	for {
		id, m, err := proto.ReadRequest(dec)
		if proto.Skippable(err) {
			fmt.Fprintln(os.Stderr, "worker:", err)
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker: control socket: %w", err)
		}
		switch m := m.(type) {
		case proto.Exec:
			w.execs <- request{id: id, exec: &m}
			w.handOff()
		case proto.Eval:
			w.execs <- request{id: id, eval: &m}
			w.handOff()
		case proto.Cancel:
			w.interrupt(id)
		case proto.Input:
			w.mu.Lock()
			w.askedInput = false
			w.mu.Unlock()
			if err := w.stdin.write(m.Text); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		case proto.NoInput:
			if m.Note != "" {
				w.writeStream(2, m.Note)
			}
			w.giveEOF()
		case proto.Complete:
			go func() { w.emit(id, w.sess.complete(m)) }()
		case proto.Inspect:
			go func() { w.emit(id, w.sess.inspect(m)) }()
		case proto.Debug:
			go func() { w.emit(id, proto.DebugReply{DAP: w.dbg.handle(m.DAP)}) }()
		case proto.Chdir:
			w.emit(id, done(os.Chdir(m.Dir)))
		case proto.Setenv:
			if m.Unset {
				err = os.Unsetenv(m.Name)
			} else {
				err = os.Setenv(m.Name, m.Value)
			}
			w.emit(id, done(err))
		case proto.JobTable:
			w.jobsMu.Lock()
			ch := w.jobReplies[id]
			delete(w.jobReplies, id)
			w.jobsMu.Unlock()
			if ch != nil {
				ch <- m.Jobs
			}
		case proto.Names:
			var names proto.NameList
			for _, n := range w.sess.state.Names() {
				names.Names = append(names.Names, n.Name)
			}
			w.emit(id, names)
		}
	}
}

// done answers a request that only succeeds or fails.
func done(err error) proto.Done {
	if err != nil {
		return proto.Done{Err: &proto.Error{Name: proto.EnameError, Value: err.Error()}}
	}
	return proto.Done{}
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

func (w *Worker) run(req request) {
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	w.running = req.id
	w.allowStdin = req.exec != nil && req.exec.AllowStdin
	w.askedInput = false
	w.cancel = cancel
	w.panicStop = false
	w.interruptCh.Store(make(chan struct{}))
	w.mu.Unlock()

	watch := w.startStdinWatch()
	before := w.numGoroutine()

	w.stdio.renew(w.stdin)
	boost := startGCBoost()
	var res proto.Result
	if req.exec != nil {
		w.dbg.enterCell(*req.exec)
		res = w.sess.exec(ctx, *req.exec)
		for _, problem := range w.sess.declareCopies(req.exec.Cell) {
			w.dbg.note(problem)
		}
	} else {
		w.dbg.enterCell(proto.Exec{}) // no cell: its programs are not kept
		res = proto.Result{Exprs: w.sess.evalExprs(ctx, req.eval.Exprs)}
	}
	boost.stop()
	w.mu.Lock()
	stopped := w.panicStop
	w.mu.Unlock()
	if ctx.Err() != nil {
		res.Value = nil
		res.Err = &proto.Error{Name: proto.EnameInterrupted, Value: proto.Interrupted,
			Traceback: []string{proto.EnameInterrupted + ": " + proto.Interrupted + "; " + proto.StateKept}}
		if w.fin.took(req.id) {
			res.Err = &proto.Error{Name: proto.EnameInterpreter, Value: finWaitValue, Traceback: []string{
				"InterpreterError: " + finWaitValue + ".",
				"The cell set finalizers (runtime.SetFinalizer), called runtime.GC, and then waited: the interpreter keeps values alive longer than compiled Go does, so its finalizers run late or never, and the cell would have waited forever.",
				"A cell that declares func main runs as a whole program, compiled by Go.",
			}}
		}
		if stopped {
			// A goroutine's panic stopped it: goroutineError says so. Its
			// other goroutines may stay blocked in host calls, as they
			// would have died with a Go program: that is no reason to
			// replace the worker and report an interrupt.
			res.Err = nil
		} else {
			res.Stuck = !w.settle(before, settleWait)
		}
	}
	watch.stop()
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
		res.Value = nil
		res.Err = goroutineError(panics, res.Err, stopped)
	}

	w.emit(req.id, res) // after all the cell's own writes to fd 1 and fd 2: see package proto
}

// settle waits until no more goroutines run than before the cell. A
// goroutine that stays is blocked in a host call that yaegi cannot stop.
func (w *Worker) settle(before int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if w.numGoroutine() <= before {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stdinPoll is how often the worker looks whether the running cell blocks
// reading fd 0, from stdinPoll into the cell on.
const stdinPoll = 20 * time.Millisecond

// A stdinWatch runs watchStdin for one cell, from stdinPoll into the cell
// on. A cell that ends sooner, as most do, costs a timer: no goroutine is
// started, and no thread is woken to run one.
//
// Its goroutine is the worker's, not the cell's, and it comes in the
// middle of the cell: [Worker.numGoroutine] leaves it out, so that a
// cell that counts goroutines before and after some work (a leak check)
// does not see it appear.
type stdinWatch struct {
	t       *time.Timer
	done    chan struct{} // closed by stop
	stopped chan struct{} // closed when watchStdin has returned
}

// startStdinWatch starts the stdin watcher of the running cell.
func (w *Worker) startStdinWatch() *stdinWatch {
	sw := &stdinWatch{done: make(chan struct{}), stopped: make(chan struct{})}
	sw.t = time.AfterFunc(stdinPoll, func() {
		w.watchers.Add(1)
		defer w.watchers.Add(-1)
		defer close(sw.stopped)
		w.watchStdin(sw.done)
	})
	return sw
}

// numGoroutine is runtime.NumGoroutine without the stdin watcher, as the
// cells' runtime.NumGoroutine and the settling after an interrupt count.
// The worker's other goroutines live from its start to its end, so they
// change no count a cell compares.
func (w *Worker) numGoroutine() int {
	return runtime.NumGoroutine() - int(w.watchers.Load())
}

// stop stops the watcher and waits for it to end.
func (sw *stdinWatch) stop() {
	close(sw.done)
	if !sw.t.Stop() {
		<-sw.stopped // it had started
	}
}

// watchStdin asks for input whenever the running cell blocks reading fd 0,
// looking at once and then every stdinPoll until done is closed.
func (w *Worker) watchStdin(done <-chan struct{}) {
	t := time.NewTicker(stdinPoll)
	defer t.Stop()
	for {
		w.checkStdin()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// checkStdin asks the kernel for a line of input, or gives the read end of
// file, if the running cell blocks reading fd 0 and has not been answered.
func (w *Worker) checkStdin() {
	w.mu.Lock()
	asked, allow, id := w.askedInput, w.allowStdin, w.running
	w.mu.Unlock()
	if asked || !blockedOnStdin(runningPrograms.running(), w.stdio.stdinFD()) || w.stdin.readable() {
		return
	}
	if !allow {
		w.writeStream(2, proto.NoStdin)
		w.giveEOF()
		return
	}
	w.mu.Lock()
	w.askedInput = true
	w.mu.Unlock()
	w.emit(id, proto.InputRequest{})
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

// Publish implements display.Publisher: it places a sync marker in stdout
// and sends the display event that belongs there.
func (w *Worker) Publish(kind string, b display.Bundle, metadata map[string]any, id string) {
	seq := w.displaySeq.Add(1)
	ev := proto.Display{Seq: seq, Action: kind, Data: b, Metadata: metadata, DisplayID: id}
	if kind == proto.ActionClear {
		ev.Wait = id == "wait"
		ev.DisplayID = ""
	}
	w.outMu.Lock()
	writeAll(1, []byte(proto.Marker(w.token, "sync", seq)))
	w.outMu.Unlock()
	w.emit(0, ev)
}

// Jobs implements jobs.Source: it asks the kernel, which owns the job
// table.
func (w *Worker) Jobs() ([]jobs.Job, error) {
	ch := make(chan []jobs.Job, 1)
	w.jobsMu.Lock()
	w.jobsID++
	id := w.jobsID
	w.jobReplies[id] = ch
	w.jobsMu.Unlock()
	defer func() {
		w.jobsMu.Lock()
		delete(w.jobReplies, id)
		w.jobsMu.Unlock()
	}()
	w.emit(id, proto.AskJobs{})
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case js := <-ch:
		return js, nil
	case <-t.C:
		return nil, errors.New("jobs: the kernel did not answer")
	}
}
