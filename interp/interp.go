package interp

import (
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/jobs"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/magics"
)

// Timing of the worker protocol.
const (
	// endWait bounds the wait for a request's end markers after its result,
	// and for a display event after its sync marker.
	endWait = 2 * time.Second
	// cancelWait is how long an interrupted request may take to finish
	// before the worker is replaced.
	cancelWait = 2 * time.Second
	// callWait bounds complete and inspect requests.
	callWait = 3 * time.Second
)

// Options configure an Interpreter.
type Options struct {
	// WorkerArgv starts a worker process. The default runs this program
	// with the single argument "worker".
	WorkerArgv []string
	// Dir is the worker's working directory; the default is the kernel's.
	Dir string
	// Env is the worker's environment; the default is the kernel's.
	Env []string
	// Version is reported as the implementation version.
	Version string
	// Log receives the kernel-side log lines.
	Log *log.Logger
}

// An Interpreter runs Go cells in a worker process and implements
// kernel.Interpreter. It replaces the worker when it dies, and tells the
// user that the variables of earlier cells were lost.
type Interpreter struct {
	opts Options

	magics *magics.Registry
	jobs   *magics.Jobs

	// life serialises starting, replacing and closing workers. It is held
	// only for bounded work (worker.kill and a process start), never while
	// waiting for a cell; mu is never held while waiting at all.
	life sync.Mutex

	mu      sync.Mutex
	w       *worker
	out     kernel.Output // where worker output goes: the running cell, or the last one
	frames  []string      // panic frames yaegi printed during the running request
	running string        // the cell of the running request, such as "In[3]"
	seq     uint64
	closed  bool

	dbg debugSide
}

// New starts an Interpreter and its first worker.
func New(opts Options) (*Interpreter, error) {
	if opts.WorkerArgv == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("interp: find own executable: %w", err)
		}
		opts.WorkerArgv = []string{exe, "worker"}
	}
	if opts.Dir == "" {
		opts.Dir, _ = os.Getwd()
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.Log == nil {
		opts.Log = log.New(os.Stderr, "gokernel: ", log.LstdFlags)
	}
	jobs := magics.NewJobs()
	i := &Interpreter{opts: opts, jobs: jobs, magics: magics.Builtin(jobs)}
	w, err := i.start()
	if err != nil {
		return nil, err
	}
	i.w = w
	return i, nil
}

func (i *Interpreter) start() (*worker, error) {
	return startWorker(i.opts.WorkerArgv, i.opts.Dir, i.opts.Env, i.stream, i.display, i.jobList)
}

// jobList is the kernel's job table, as package interp/jobs shows it.
func (i *Interpreter) jobList() []jobs.Job {
	var out []jobs.Job
	for _, j := range i.jobs.List() {
		out = append(out, jobs.Job{N: j.N, Name: j.Name, PID: j.PID, Cmd: j.Cmd, Running: j.Running, Code: j.Code, Signal: int(j.Signal)})
	}
	return out
}

// yaegiFile matches the file name that the worker's //line directives
// give yaegi; yaegi writes it in the panic traces it prints to stderr.
var yaegiFile = regexp.MustCompile(`(In\[\d+\])/_\.go:`)

// panicFrame matches a line that yaegi prints to stderr for each
// interpreted frame a panic unwinds: "In[3]/_.go:2:1: panic: main(...)".
var panicFrame = regexp.MustCompile(`(?m)^(In\[\d+\])/_\.go:(\d+:\d+: panic: .*\(\.\.\.\))\n`)

// stream forwards worker output to the current cell's Output. The panic
// frames yaegi prints are kept for the traceback of the cell's error
// instead.
func (i *Interpreter) stream(name, text string) {
	if name == "stderr" && strings.Contains(text, "/_.go:") {
		for _, m := range panicFrame.FindAllStringSubmatch(text, -1) {
			i.mu.Lock()
			i.frames = append(i.frames, m[1]+":"+m[2])
			i.mu.Unlock()
		}
		text = panicFrame.ReplaceAllString(text, "")
		text = yaegiFile.ReplaceAllString(text, "$1:")
		if text == "" {
			return
		}
	}
	i.mu.Lock()
	out := i.out
	i.mu.Unlock()
	if out != nil {
		out.Stream(name, text)
		return
	}
	i.opts.Log.Printf("worker %s before any cell: %s", name, strings.TrimRight(text, "\n"))
}

// display forwards a worker display event to the current cell's Output,
// and a debugger event to the kernel.
func (i *Interpreter) display(ev proto.Event) {
	if ev.Op == proto.EvDebug {
		i.debugEvent(ev)
		return
	}
	i.mu.Lock()
	out := i.out
	i.mu.Unlock()
	if out == nil {
		return
	}
	out.Flush()
	switch ev.Kind {
	case "update":
		out.Update(ev.Data, ev.Metadata, ev.DisplayID)
	case "clear":
		out.ClearOutput(ev.Wait)
	default:
		out.Display(ev.Data, ev.Metadata, ev.DisplayID)
	}
}

// Info implements kernel.Interpreter.
func (i *Interpreter) Info() kernel.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return kernel.Info{
		Implementation:        "gokernel",
		ImplementationVersion: i.opts.Version,
		Banner: fmt.Sprintf("gokernel %s: Go %s cells, interpreted by yaegi in a worker process.\n"+
			"Variables persist between cells; %%lsmagic lists the magics.", i.opts.Version, goVersion),
		HelpLinks: []kernel.HelpLink{
			{Text: "gokernel README", URL: "https://github.com/beacceaf/gokernel#readme"},
			{Text: "gokernel magics", URL: "https://github.com/beacceaf/gokernel#magics"},
			{Text: "gokernel troubleshooting", URL: "https://github.com/beacceaf/gokernel#troubleshooting"},
			{Text: "Go documentation", URL: "https://go.dev/doc/"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
		},
		Language: kernel.LanguageInfo{
			Name: "go", Version: goVersion, MIMEType: "text/x-go", FileExtension: ".go",
			PygmentsLexer: "go", CodeMirrorMode: "go", NBConvertExporter: "script",
		},
	}
}

// worker returns a live worker, starting a new one when the old one has
// died. replaced tells the caller that state was lost since the last cell.
// It may wait for a dead worker to be cleaned up, within worker.kill's
// bounds, but never holds i.mu while it does.
func (i *Interpreter) worker() (w *worker, replaced string, err error) {
	i.life.Lock()
	defer i.life.Unlock()
	i.mu.Lock()
	old, closed := i.w, i.closed
	i.mu.Unlock()
	if closed {
		return nil, "", fmt.Errorf("interp: closed")
	}
	if old != nil && !old.exitedNow() {
		return old, "", nil
	}
	if old != nil {
		old.kill()
		replaced = old.exitReason()
		if summary := i.crashReport(old); len(summary) > 0 {
			replaced += ": " + summary[len(summary)-1]
		}
		i.jobs.EndAll()
	}
	w, err = i.swap(old)
	if err != nil {
		return nil, "", err
	}
	return w, replaced, nil
}

// current returns the worker if it is alive, without starting one.
func (i *Interpreter) current() (*worker, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed || i.w == nil || i.w.dead() {
		return nil, errWorkerGone
	}
	return i.w, nil
}

// replace kills w and, if it was the current worker, starts another.
func (i *Interpreter) replace(w *worker) {
	i.life.Lock()
	defer i.life.Unlock()
	w.kill()
	i.jobs.EndAll()
	i.mu.Lock()
	cur, closed := i.w, i.closed
	i.mu.Unlock()
	if cur != w || closed {
		return
	}
	if _, err := i.swap(w); err != nil {
		i.opts.Log.Printf("starting a new worker: %v", err)
	}
}

// swap starts a new worker in place of old. i.life is held.
func (i *Interpreter) swap(old *worker) (*worker, error) {
	nw, err := i.start()
	i.mu.Lock()
	defer i.mu.Unlock()
	if err != nil {
		if i.w == old {
			i.w = nil
		}
		return nil, err
	}
	i.w = nw
	return nw, nil
}

// Execute implements kernel.Interpreter. A cell is Go code, possibly with
// magic and shell lines between its statements, or one cell magic; see
// package magics. Go code runs in the worker, magics in this process.
func (i *Interpreter) Execute(ctx context.Context, req *kernel.ExecuteRequest, out kernel.Output) *kernel.ExecuteResult {
	i.mu.Lock()
	i.out = out
	i.mu.Unlock()
	i.jobs.SetOutput(out)
	defer i.jobs.SetOutput(nil)

	segs, err := magics.Parse(req.Code)
	if err == nil {
		err = i.magics.Check(segs)
	}
	if err != nil {
		return &kernel.ExecuteResult{Err: magics.AsKernelError(err)}
	}
	cell := fmt.Sprintf("In[%d]", req.Count)
	res := &kernel.ExecuteResult{}
	env := &magicEnv{i: i, out: out, cell: cell, req: req}
	for k, seg := range segs {
		last := k == len(segs)-1
		switch {
		case seg.Kind == magics.Go:
			r := i.runGo(ctx, cell, seg.Padded(), req, out, last)
			if r.Err != nil {
				return r
			}
			res.Value = r.Value
		case seg.Kind == magics.Help && !strings.HasPrefix(seg.Name, "%"):
			r := i.pager(ctx, seg.Name)
			if r.Err != nil {
				return r
			}
			res.Payload = append(res.Payload, r.Payload...)
		default:
			res.Value = nil
			if err := i.magics.Run(ctx, seg, out, env); err != nil {
				if ctx.Err() != nil {
					return errResult("Interrupted", "the cell was interrupted")
				}
				return &kernel.ExecuteResult{Err: magics.AsKernelError(err)}
			}
		}
	}
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = i.evalExprs(ctx, req.UserExpressions)
	}
	return res
}

// runGo runs Go code in the worker as cell. show asks for the value of a
// trailing expression.
func (i *Interpreter) runGo(ctx context.Context, cell, code string, req *kernel.ExecuteRequest, out kernel.Output, show bool) *kernel.ExecuteResult {
	w, replaced, err := i.worker()
	if err != nil {
		return errResult("WorkerError", err.Error())
	}
	if replaced != "" {
		out.Stream("stderr", fmt.Sprintf("The Go worker had stopped (%s), so a new one was started: "+
			"the variables, functions and imports of earlier cells are gone.\n", replaced))
	}
	id := i.nextID()
	i.mu.Lock()
	i.frames = nil
	i.running = cell
	i.mu.Unlock()
	err = w.send(proto.Request{
		ID: id, Op: proto.OpExec, Cell: cell, Code: code, Path: cellPath(req.Code),
		AllowStdin: req.AllowStdin, Silent: req.Silent || !show,
	})
	if err != nil {
		return i.died(w, out)
	}
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() { defer close(watched); watchBlocked(w.pid, i.workerDir, out, stop) }()
	defer func() { close(stop); <-watched }()
	return i.await(ctx, w, id, out)
}

// workerDir is the worker's working directory, read from /proc, so that
// os.Chdir in a Go cell and %cd agree.
func (i *Interpreter) workerDir() string {
	i.mu.Lock()
	w, dir := i.w, i.opts.Dir
	i.mu.Unlock()
	if w != nil && !w.dead() {
		if d, err := os.Readlink("/proc/" + strconv.Itoa(w.pid) + "/cwd"); err == nil {
			return d
		}
	}
	return dir
}

func (i *Interpreter) nextID() uint64 {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.seq++
	return i.seq
}

// evalExprs evaluates expressions in the worker, for user_expressions.
func (i *Interpreter) evalExprs(ctx context.Context, exprs map[string]string) map[string]kernel.ExpressionResult {
	out := map[string]kernel.ExpressionResult{}
	w, _, err := i.worker()
	if err != nil {
		for name := range exprs {
			out[name] = kernel.ExpressionResult{Err: &kernel.Error{Name: "WorkerError", Value: err.Error(), Traceback: []string{err.Error()}}}
		}
		return out
	}
	id := i.nextID()
	if err := w.send(proto.Request{ID: id, Op: proto.OpEval, Exprs: exprs}); err != nil {
		return out
	}
	i.mu.Lock()
	sink := i.out
	i.mu.Unlock()
	res := i.await(ctx, w, id, sink)
	if res.Err != nil {
		for name := range exprs {
			out[name] = kernel.ExpressionResult{Err: res.Err}
		}
		return out
	}
	return res.UserExpressions
}

// await waits for the result of request id, serving stdin requests and
// interrupts on the way.
func (i *Interpreter) await(ctx context.Context, w *worker, id uint64, out kernel.Output) *kernel.ExecuteResult {
	inputCtx, cancelInput := context.WithCancel(ctx)
	defer cancelInput()
	var cancelled <-chan time.Time
	done := ctx.Done()
	for {
		var ev proto.Event
		var ok bool
		select {
		case ev, ok = <-w.events:
			if !ok {
				return i.died(w, out)
			}
		case <-w.exited:
			return i.died(w, out)
		case <-done:
			done = nil
			_ = w.send(proto.Request{ID: id, Op: proto.OpCancel})
			cancelled = time.After(cancelWait)
			continue
		case <-cancelled:
			i.replace(w)
			return errResult("Interrupted", "the cell did not stop when interrupted", stuckText)
		}
		switch ev.Op {
		case proto.EvInput:
			go i.input(inputCtx, w, ev, out)
		case proto.EvResult:
			if ev.ID != id {
				continue // a late answer to an earlier, abandoned request
			}
			w.waitEnds(id, endWait)
			w.crash.release() // the worker lives: what looked like a crash was output
			i.mu.Lock()
			frames := i.frames
			i.frames = nil
			i.mu.Unlock()
			if ev.Err != nil && (ev.Err.Name == "Panic" || ev.Err.Name == "RuntimeError") {
				ev.Err.Traceback = append(ev.Err.Traceback, frames...)
			}
			if ev.Stuck {
				i.replace(w)
				return errResult("Interrupted", "the cell was stuck in a call that cannot be interrupted", stuckText)
			}
			return result(ev)
		}
	}
}

const stuckText = "The cell was blocked in a system call (such as open, read or sleep) that Go cannot cancel, " +
	"so the Go worker was stopped and a new one started: the variables, functions and imports of earlier cells are gone."

// input asks the user for a line on behalf of a blocked stdin read.
func (i *Interpreter) input(ctx context.Context, w *worker, ev proto.Event, out kernel.Output) {
	text, err := out.Input(ctx, ev.Prompt, ev.Password)
	if err != nil {
		msg := fmt.Sprintf("stdin: %v; the read gets end of file.\n", err)
		if err == kernel.ErrNoStdin {
			msg = "stdin: this front end does not accept input (allow_stdin is false, as in nbconvert), so the read gets end of file.\n"
		}
		_ = w.send(proto.Request{Op: proto.OpNoInput, Text: msg})
		return
	}
	_ = w.send(proto.Request{Op: proto.OpInput, Text: text + "\n"})
}

// died reports the death of the worker during a cell, after its last
// output has been shown (worker.kill drains the pipes, within bounds).
// A Go runtime crash dump is logged in full; the user gets its header,
// such as "fatal error: stack overflow", the cell, and the last frames of
// the cell's code that yaegi printed.
func (i *Interpreter) died(w *worker, out kernel.Output) *kernel.ExecuteResult {
	select {
	case <-w.exited:
	case <-time.After(reapWait):
	}
	w.kill()
	reason := w.exitReason()
	summary := i.crashReport(w)
	i.mu.Lock()
	frames, cell := i.frames, i.running
	i.frames = nil
	i.mu.Unlock()
	i.replace(w)

	value := "the Go worker process died: " + reason
	var tb []string
	if len(summary) > 0 {
		value = summary[len(summary)-1] + ": the Go worker process died"
		tb = append(tb, summary...)
		if cell != "" {
			tb = append(tb, "in "+cell)
		}
		tb = append(tb, frames[max(0, len(frames)-crashFrames):]...)
	}
	tb = append(tb, "The Go worker process running this cell died ("+reason+"). A new worker has been started: "+
		"the variables, functions and imports of earlier cells are gone. Run the cells you need again.")
	if len(summary) > 0 {
		tb = append(tb, "The Go runtime's full trace is in the kernel's log.")
	}
	return errResult("WorkerDied", value, tb...)
}

// crashFrames is how many frames of the cell's own code a crash report
// shows, the innermost last.
const crashFrames = 5

// crashReport logs w's crash dump in full, if it left one, and returns
// the dump's header lines.
func (i *Interpreter) crashReport(w *worker) []string {
	dump := w.crash.take()
	if dump == "" {
		return nil
	}
	i.opts.Log.Printf("the Go worker (pid %d) crashed; the Go runtime wrote:\n%s", w.pid, strings.TrimRight(dump, "\n"))
	return dumpSummary(dump)
}

func errResult(name, value string, traceback ...string) *kernel.ExecuteResult {
	tb := append([]string{name + ": " + value}, traceback...)
	return &kernel.ExecuteResult{Err: &kernel.Error{Name: name, Value: value, Traceback: colourTraceback(tb)}}
}

func result(ev proto.Event) *kernel.ExecuteResult {
	res := &kernel.ExecuteResult{}
	if ev.Err != nil {
		res.Err = toError(ev.Err)
		return res
	}
	if ev.Value != nil {
		res.Value = kernel.Text(*ev.Value)
	}
	if len(ev.Exprs) > 0 {
		res.UserExpressions = map[string]kernel.ExpressionResult{}
		for name, v := range ev.Exprs {
			if v.Err != nil {
				res.UserExpressions[name] = kernel.ExpressionResult{Err: toError(v.Err)}
			} else if v.Text != nil {
				res.UserExpressions[name] = kernel.ExpressionResult{Value: kernel.Text(*v.Text)}
			}
		}
	}
	return res
}

func toError(e *proto.Error) *kernel.Error {
	return &kernel.Error{Name: e.Name, Value: e.Value, Traceback: colourTraceback(e.Traceback)}
}

// pager answers a cell such as "fmt.Println?" with the inspection of the
// name, through the pager payload, as IPython does.
func (i *Interpreter) pager(ctx context.Context, name string) *kernel.ExecuteResult {
	detail := len(name) - len(strings.TrimRight(name, "?"))
	name = strings.TrimRight(name, "?")
	in := i.Inspect(ctx, name, len(name), max(detail-1, 0))
	if !in.Found {
		return errResult("NameError", fmt.Sprintf("%s: no documentation found", name))
	}
	return &kernel.ExecuteResult{Payload: []map[string]any{{
		"source": "page", "data": map[string]any(in.Data), "start": 0,
	}}}
}

// Complete implements kernel.Interpreter.
func (i *Interpreter) Complete(ctx context.Context, code string, cursor int) kernel.Completion {
	ev, err := i.ask(ctx, proto.Request{Op: proto.OpComplete, Code: code, Cursor: cursor})
	if err != nil {
		return kernel.Completion{Start: cursor, End: cursor}
	}
	return kernel.Completion{Matches: ev.Matches, Start: ev.Start, End: ev.End}
}

// Inspect implements kernel.Interpreter.
func (i *Interpreter) Inspect(ctx context.Context, code string, cursor, detail int) kernel.Inspection {
	ev, err := i.ask(ctx, proto.Request{Op: proto.OpInspect, Code: code, Cursor: cursor, Detail: detail})
	if err != nil || !ev.Found {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: ev.Doc}
}

// call sends req to a live worker, starting one if needed, and waits for
// its answer for at most callWait.
func (i *Interpreter) call(ctx context.Context, req proto.Request) (proto.Event, error) {
	w, _, err := i.worker()
	if err != nil {
		return proto.Event{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	return w.call(ctx, req)
}

// ask is call for complete and inspect: it never waits for a worker to
// be replaced; with no live worker it fails at once.
func (i *Interpreter) ask(ctx context.Context, req proto.Request) (proto.Event, error) {
	w, err := i.current()
	if err != nil {
		return proto.Event{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	return w.call(ctx, req)
}

// IsComplete implements kernel.Interpreter. It needs no worker: gosrc
// reads the cell's magic lines as magics.Parse does.
func (i *Interpreter) IsComplete(ctx context.Context, code string) kernel.Completeness {
	status, indent := gosrc.IsComplete(code)
	return kernel.Completeness{Status: status, Indent: indent}
}

// Close implements kernel.Interpreter: it ends the worker and its process
// group.
func (i *Interpreter) Close() error {
	i.life.Lock()
	defer i.life.Unlock()
	i.mu.Lock()
	i.closed = true
	w := i.w
	i.w = nil
	i.mu.Unlock()
	err := i.jobs.Close()
	i.removeCellFiles()
	if w != nil {
		w.close(500 * time.Millisecond)
	}
	return err
}
