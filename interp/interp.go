package interp

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"regexp"
	"runtime"
	"slices"
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
	// displayWait bounds the wait for a display event after its sync
	// marker.
	displayWait = 2 * time.Second
	// cancelWait is how long an interrupted request may take to finish
	// before the worker is replaced.
	cancelWait = 2 * time.Second
	// callWait bounds complete and inspect requests.
	callWait = 3 * time.Second
)

// Options configure an Interpreter. New reads them once; %cd and %env
// then change the worker's directory and environment through the
// supervisor.
type Options struct {
	// WorkerArgv starts a worker process: the gokernel-worker program
	// (cmd/gokernel-worker) and its arguments. It is required.
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
	sup    *supervisor

	mu      sync.Mutex    // never held while waiting
	out     kernel.Output // where worker output goes: the running cell, or the last one
	running string        // the cell of the running request, such as "In[3]"

	dbg debugSide
}

// New starts an Interpreter and its first worker.
func New(opts Options) (*Interpreter, error) {
	if len(opts.WorkerArgv) == 0 {
		return nil, errors.New("interp: no worker program (Options.WorkerArgv is empty)")
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
	i.sup = &supervisor{
		argv:  opts.WorkerArgv,
		log:   opts.Log,
		hooks: hooks{stream: i.stream, display: i.display, debug: i.debugEvent, jobs: i.jobList, logf: opts.Log.Printf},
		ended: jobs.EndAll,
		dir:   opts.Dir,
		env:   slices.Clone(opts.Env),
	}
	if _, _, err := i.sup.get(); err != nil {
		return nil, err
	}
	return i, nil
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
// give yaegi, as it appears in stderr text such as a crash dump.
var yaegiFile = regexp.MustCompile(`(In\[\d+\])/_\.go:`)

// stream forwards worker output to the current cell's Output.
func (i *Interpreter) stream(name, text string) {
	if name == "stderr" && strings.Contains(text, "/_.go:") {
		text = yaegiFile.ReplaceAllString(text, "$1:")
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

// display forwards a worker display event to the current cell's Output.
func (i *Interpreter) display(ev proto.Display) {
	i.mu.Lock()
	out := i.out
	i.mu.Unlock()
	if out == nil {
		return
	}
	out.Flush()
	switch ev.Action {
	case proto.ActionUpdate:
		out.Update(ev.Data, ev.Metadata, ev.DisplayID)
	case proto.ActionClear:
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
					return errResult(proto.EnameInterrupted, proto.Interrupted)
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
	w, lost, err := i.sup.get()
	if err != nil {
		return errResult(proto.EnameWorker, err.Error())
	}
	if lost != "" {
		out.Stream("stderr", fmt.Sprintf("The Go worker had stopped (%s), so a new one was started: %s.\n", lost, proto.StateLost))
	}
	i.mu.Lock()
	i.running = cell
	i.mu.Unlock()
	w.takeFrames() // those of a request that ended before, such as a goroutine's
	c, err := w.start(proto.Exec{
		Cell: cell, Code: code, Path: cellPath(req.Code),
		AllowStdin: req.AllowStdin, Silent: req.Silent || !show,
	}, true)
	if err != nil {
		return i.died(w)
	}
	watch := startBlockedWatch(w.pid, i.workerDir, out)
	defer watch.Stop()
	return i.await(ctx, w, c, out)
}

// workerDir is the worker's working directory, read from /proc, so that
// os.Chdir in a Go cell and %cd agree.
func (i *Interpreter) workerDir() string {
	if w := i.sup.live(); w != nil {
		if d, err := os.Readlink("/proc/" + strconv.Itoa(w.pid) + "/cwd"); err == nil {
			return d
		}
	}
	return i.sup.startDir()
}

// evalExprs evaluates expressions in the worker, for user_expressions.
func (i *Interpreter) evalExprs(ctx context.Context, exprs map[string]string) map[string]kernel.ExpressionResult {
	out := map[string]kernel.ExpressionResult{}
	fail := func(e *kernel.Error) map[string]kernel.ExpressionResult {
		for name := range exprs {
			out[name] = kernel.ExpressionResult{Err: e}
		}
		return out
	}
	w, _, err := i.sup.get()
	if err != nil {
		return fail(&kernel.Error{Name: proto.EnameWorker, Value: err.Error(), Traceback: []string{err.Error()}})
	}
	c, err := w.start(proto.Eval{Exprs: exprs}, true)
	if err != nil {
		return out
	}
	i.mu.Lock()
	sink := i.out
	i.mu.Unlock()
	res := i.await(ctx, w, c, sink)
	if res.Err != nil {
		return fail(res.Err)
	}
	return res.UserExpressions
}

// await waits for the result of call c, serving stdin requests and
// interrupts on the way. A worker that dies, or does not stop within
// cancelWait of an interrupt, is replaced.
func (i *Interpreter) await(ctx context.Context, w *worker, c *call, out kernel.Output) *kernel.ExecuteResult {
	inputCtx, cancelInput := context.WithCancel(ctx)
	defer cancelInput()
	var cancelled <-chan time.Time
	done := ctx.Done()
	for {
		select {
		case m, ok := <-c.reply:
			if !ok {
				return i.died(w)
			}
			res, isResult := m.(proto.Result)
			if !isResult {
				return errResult(proto.EnameInternal, fmt.Sprintf("the Go worker answered a cell with %s", m.Kind()))
			}
			w.drainOutput()
			w.crash.release() // the worker lives: what looked like a crash was output
			addFrames(res.Err, w.takeFrames())
			if res.Stuck {
				i.sup.replace(w)
				return errResult(proto.EnameInterrupted, "the cell was stuck in a call that cannot be interrupted", stuckText)
			}
			return result(res)
		case req := <-c.inputs:
			go i.input(inputCtx, w, req, out)
		case <-w.exited:
			return i.died(w)
		case <-done:
			done = nil
			_ = w.send(c.id, proto.Cancel{})
			cancelled = time.After(cancelWait)
		case <-cancelled:
			w.forget(c)
			i.sup.replace(w)
			return errResult(proto.EnameInterrupted, "the cell did not stop when interrupted", stuckText)
		}
	}
}

const stuckText = "The cell was blocked in a system call (such as open, read or sleep) that Go cannot cancel, " +
	"so the Go worker was stopped and a new one started: " + proto.StateLost + "."

// input asks the user for a line on behalf of a blocked stdin read.
func (i *Interpreter) input(ctx context.Context, w *worker, req proto.InputRequest, out kernel.Output) {
	text, err := out.Input(ctx, req.Prompt, req.Password)
	if err != nil {
		note := fmt.Sprintf("stdin: %v; the read gets end of file.\n", err)
		if err == kernel.ErrNoStdin {
			note = proto.NoStdin
		}
		_ = w.send(0, proto.NoInput{Note: note})
		return
	}
	_ = w.send(0, proto.Input{Text: text + "\n"})
}

// died reports the death of the worker during a cell, after its last
// output has been shown (the supervisor drains the pipes, within bounds)
// and a new worker has been started. A Go runtime crash dump is logged in
// full; the user gets its header, such as "fatal error: stack overflow",
// the cell, and the last frames of the cell's code that the worker sent.
func (i *Interpreter) died(w *worker) *kernel.ExecuteResult {
	select {
	case <-w.exited:
	case <-time.After(reapWait):
	}
	i.sup.replace(w)
	reason := w.exitReason()
	summary := i.sup.crashReport(w)
	frames := w.takeFrames()
	i.mu.Lock()
	cell := i.running
	i.mu.Unlock()

	value := "the Go worker process died: " + reason
	var tb []string
	if len(summary) > 0 {
		value = summary[len(summary)-1] + ": the Go worker process died"
		tb = append(tb, summary...)
		if cell != "" {
			tb = append(tb, "in "+cell)
		}
		for _, f := range frames[max(0, len(frames)-crashFrames):] {
			tb = append(tb, f.String())
		}
	}
	tb = append(tb, "The Go worker process running this cell died ("+reason+"). A new worker has been started: "+
		proto.StateLost+". Run the cells you need again.")
	if len(summary) > 0 {
		tb = append(tb, "The Go runtime's full trace is in the kernel's log.")
	}
	return errResult(proto.EnameWorkerDied, value, tb...)
}

// crashFrames is how many frames of the cell's own code a crash report
// shows, the innermost last.
const crashFrames = 5

func errResult(name, value string, traceback ...string) *kernel.ExecuteResult {
	tb := append([]string{name + ": " + value}, traceback...)
	return &kernel.ExecuteResult{Err: &kernel.Error{Name: name, Value: value, Traceback: colourTraceback(tb)}}
}

func result(r proto.Result) *kernel.ExecuteResult {
	res := &kernel.ExecuteResult{}
	if r.Err != nil {
		res.Err = toError(r.Err)
		return res
	}
	if r.Value != nil {
		res.Value = kernel.Text(*r.Value)
	}
	if len(r.Exprs) > 0 {
		res.UserExpressions = map[string]kernel.ExpressionResult{}
		for name, v := range r.Exprs {
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
		return errResult(proto.EnameName, fmt.Sprintf("%s: no documentation found", name))
	}
	return &kernel.ExecuteResult{Payload: []map[string]any{{
		"source": "page", "data": map[string]any(in.Data), "start": 0,
	}}}
}

// Complete implements kernel.Interpreter.
func (i *Interpreter) Complete(ctx context.Context, code string, cursor int) kernel.Completion {
	c, err := query[proto.Completion](ctx, i, proto.Complete{Code: code, Cursor: cursor})
	if err != nil {
		return kernel.Completion{Start: cursor, End: cursor}
	}
	return kernel.Completion{Matches: c.Matches, Start: c.Start, End: c.End}
}

// Inspect implements kernel.Interpreter.
func (i *Interpreter) Inspect(ctx context.Context, code string, cursor, detail int) kernel.Inspection {
	in, err := query[proto.Inspection](ctx, i, proto.Inspect{Code: code, Cursor: cursor, Detail: detail})
	if err != nil || !in.Found {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: in.Doc}
}

// request sends req to a live worker, starting one if needed, and waits
// for its answer, of type A, for at most callWait.
func request[A proto.Message](ctx context.Context, i *Interpreter, req proto.Message) (A, error) {
	var zero A
	w, _, err := i.sup.get()
	if err != nil {
		return zero, err
	}
	return exchange[A](ctx, w, req)
}

// query is request for complete, inspect and the debugger: it never waits
// for a worker to be started or replaced; with no live worker it fails at
// once.
func query[A proto.Message](ctx context.Context, i *Interpreter, req proto.Message) (A, error) {
	var zero A
	w, err := i.sup.current()
	if err != nil {
		return zero, err
	}
	return exchange[A](ctx, w, req)
}

// exchange sends req to w and waits for its answer, of type A, for at
// most callWait.
func exchange[A proto.Message](ctx context.Context, w *worker, req proto.Message) (A, error) {
	var zero A
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	m, err := w.call(ctx, req)
	if err != nil {
		return zero, err
	}
	a, ok := m.(A)
	if !ok {
		return zero, fmt.Errorf("interp: the worker answered %s with %s", req.Kind(), m.Kind())
	}
	return a, nil
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
	err := i.jobs.Close()
	i.removeCellFiles()
	i.sup.close()
	return err
}

// addFrames adds to e's traceback the frames of the cell's code that a
// panic went through: after a cell's own panic, before the closing note
// of a goroutine's (see the worker's goroutineError).
func addFrames(e *proto.Error, frames []proto.PanicFrame) {
	if e == nil || len(frames) == 0 {
		return
	}
	lines := make([]string, len(frames))
	for k, f := range frames {
		lines[k] = f.String()
	}
	switch e.Name {
	case proto.EnamePanic, proto.EnameRuntime:
		e.Traceback = append(e.Traceback, lines...)
	case proto.EnameGoroutine:
		n := max(len(e.Traceback)-1, 0) // before the note, the last line
		e.Traceback = slices.Concat(e.Traceback[:n], lines, e.Traceback[n:])
	}
}
