package interp

import (
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/kernel"
)

// Timing of the worker protocol.
const (
	// endWait bounds the wait for a request's end markers after its result.
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

	mu     sync.Mutex
	w      *worker
	out    kernel.Output // where worker output goes: the running cell, or the last one
	seq    uint64
	closed bool
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
	i := &Interpreter{opts: opts}
	w, err := i.start()
	if err != nil {
		return nil, err
	}
	i.w = w
	return i, nil
}

func (i *Interpreter) start() (*worker, error) {
	return startWorker(i.opts.WorkerArgv, i.opts.Dir, i.opts.Env, i.stream, i.display)
}

// stream forwards worker output to the current cell's Output.
func (i *Interpreter) stream(name, text string) {
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
func (i *Interpreter) display(ev proto.Event) {
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
func (i *Interpreter) worker() (w *worker, replaced string, err error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.closed {
		return nil, "", fmt.Errorf("interp: closed")
	}
	if i.w != nil && !i.w.dead() {
		return i.w, "", nil
	}
	if i.w != nil {
		replaced = i.w.exitReason()
		i.w.kill()
	}
	w, err = i.start()
	if err != nil {
		return nil, "", err
	}
	i.w = w
	return w, replaced, nil
}

// replace kills w, if it is still the current worker, and starts another.
func (i *Interpreter) replace(w *worker) {
	w.kill()
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.w != w || i.closed {
		return
	}
	nw, err := i.start()
	if err != nil {
		i.opts.Log.Printf("starting a new worker: %v", err)
		i.w = nil
		return
	}
	i.w = nw
}

var inspectCell = regexp.MustCompile(`^\s*([\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*)(\?\??)\s*$`)

// Execute implements kernel.Interpreter.
func (i *Interpreter) Execute(ctx context.Context, req *kernel.ExecuteRequest, out kernel.Output) *kernel.ExecuteResult {
	i.mu.Lock()
	i.out = out
	i.mu.Unlock()

	if m := inspectCell.FindStringSubmatch(req.Code); m != nil {
		return i.pager(ctx, m[1], len(m[2]))
	}

	w, replaced, err := i.worker()
	if err != nil {
		return errResult("WorkerError", err.Error())
	}
	if replaced != "" {
		out.Stream("stderr", fmt.Sprintf("The Go worker had stopped (%s), so a new one was started: "+
			"the variables, functions and imports of earlier cells are gone.\n", replaced))
	}
	i.mu.Lock()
	i.seq++
	id := i.seq
	i.mu.Unlock()

	err = w.send(proto.Request{
		ID: id, Op: proto.OpExec, Cell: fmt.Sprintf("In[%d]", req.Count), Code: req.Code,
		AllowStdin: req.AllowStdin, Silent: req.Silent, Exprs: req.UserExpressions,
	})
	if err != nil {
		return i.died(w, out)
	}
	return i.await(ctx, w, id, out)
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
// output has been shown.
func (i *Interpreter) died(w *worker, out kernel.Output) *kernel.ExecuteResult {
	select {
	case <-w.exited:
	case <-time.After(2 * time.Second):
	}
	w.kill()
	reason := w.exitReason()
	i.replace(w)
	return errResult("WorkerDied", "the Go worker process died: "+reason,
		"The Go worker process running this cell died ("+reason+"). A new worker has been started: "+
			"the variables, functions and imports of earlier cells are gone. Run the cells you need again.")
}

func errResult(name, value string, traceback ...string) *kernel.ExecuteResult {
	tb := append([]string{name + ": " + value}, traceback...)
	return &kernel.ExecuteResult{Err: &kernel.Error{Name: name, Value: value, Traceback: tb}}
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
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	return &kernel.Error{Name: e.Name, Value: e.Value, Traceback: tb}
}

// pager answers a cell such as "fmt.Println?" with the inspection of the
// name, through the pager payload, as IPython does.
func (i *Interpreter) pager(ctx context.Context, name string, detail int) *kernel.ExecuteResult {
	in := i.Inspect(ctx, name, len(name), detail-1)
	if !in.Found {
		return errResult("NameError", fmt.Sprintf("%s: no documentation found", name))
	}
	return &kernel.ExecuteResult{Payload: []map[string]any{{
		"source": "page", "data": map[string]any(in.Data), "start": 0,
	}}}
}

// Complete implements kernel.Interpreter.
func (i *Interpreter) Complete(ctx context.Context, code string, cursor int) kernel.Completion {
	ev, err := i.call(ctx, proto.Request{Op: proto.OpComplete, Code: code, Cursor: cursor})
	if err != nil {
		return kernel.Completion{Start: cursor, End: cursor}
	}
	return kernel.Completion{Matches: ev.Matches, Start: ev.Start, End: ev.End}
}

// Inspect implements kernel.Interpreter.
func (i *Interpreter) Inspect(ctx context.Context, code string, cursor, detail int) kernel.Inspection {
	ev, err := i.call(ctx, proto.Request{Op: proto.OpInspect, Code: code, Cursor: cursor, Detail: detail})
	if err != nil || !ev.Found {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: ev.Doc}
}

func (i *Interpreter) call(ctx context.Context, req proto.Request) (proto.Event, error) {
	w, _, err := i.worker()
	if err != nil {
		return proto.Event{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, callWait)
	defer cancel()
	return w.call(ctx, req)
}

// IsComplete implements kernel.Interpreter. It needs no worker.
func (i *Interpreter) IsComplete(ctx context.Context, code string) kernel.Completeness {
	status, indent := gosrc.IsComplete(code)
	return kernel.Completeness{Status: status, Indent: indent}
}

// Close implements kernel.Interpreter: it ends the worker and its process
// group.
func (i *Interpreter) Close() error {
	i.mu.Lock()
	i.closed = true
	w := i.w
	i.w = nil
	i.mu.Unlock()
	if w != nil {
		w.close(500 * time.Millisecond)
	}
	return nil
}
