package worker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"image"
	"image/png"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/beacceaf/gokernel/interp/display"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// debugger serves the Debug Adapter Protocol for the session: breakpoints,
// stepping, goroutines as threads, frames, scopes and variables, on top of
// yaegi's Interpreter.Debug. The kernel process answers the Jupyter part
// that needs no interpreter (dumpCell and the hash fields of debugInfo).
//
// Every unit of a cell is compiled to a Program and remembered under the
// path the front end knows its cell by, so that a breakpoint can be set in
// a function that an earlier cell defined, even one that ran before the
// debugger was attached. Only while a front end is attached do units run
// under yaegi's debugger; otherwise they run exactly as Eval runs them.
type debugger struct {
	w   *Worker
	seq atomic.Int64 // the seq of the last DAP message sent

	mu       sync.Mutex
	attached bool
	cell     string                       // the cell that runs, such as "In[3]"
	unitLine int                          // the cell line where its running unit starts
	cellPath map[string]string            // cell → the path the front end names it by
	code     map[string]string            // path → the cell's Go code
	progs    map[string][]*interp.Program // path → the programs of its cells
	bps      map[string][]int             // path → breakpoint lines; nil once cleared
	dirty    bool                         // bps must be given to yaegi again
	cur      *interp.Debugger             // the debugger of the running unit
	stops    map[int]*interp.DebugEvent   // stopped goroutines, by id
	last     map[int]lastStop             // where each goroutine was last shown stopped
	stepping bool                         // the main thread steps: the cell's next unit stops at its start
	pausing  map[int]bool                 // goroutines whose pause goes on to a line of a cell
	frames   []*interp.DebugFrame         // stack frame ids - 1, while stopped
	refs     []varRef                     // variablesReference - 1

	panics    bool               // setExceptionBreakpoints asked to stop on panics
	pstop     *panicStop         // the main thread, stopped on a panic of the cell
	plines    []goLine           // the panic lines yaegi wrote while the unit ran
	mainEnter *interp.DebugEvent // the running unit's main goroutine entry: its frame is the cell's
	copies    []globalCopy       // copyToGlobals to new names, declared when the cell ends

	catching atomic.Bool // attached and stopping on panics: collect panic lines
}

// varRef is what a variablesReference names: a list of variables, and the
// value they are the parts of (for paging through an array or slice).
type varRef struct {
	list func() []variable
	v    reflect.Value
}

// lastStop is where a goroutine was last shown stopped, and how the user
// resumed it from there (0 for continue). Steps stop at every node with a
// position; the debugger shows one stop a line, as Go debuggers do.
type lastStop struct {
	file        string
	line, depth int
	mode        interp.DebugEventReason
}

// variable is a named value that the front end may show and expand.
type variable struct {
	name string
	v    reflect.Value
	typ  string // its declared type, such as P for a struct a cell declared; "" for v's own
}

func newDebugger(w *Worker) *debugger {
	return &debugger{
		w:        w,
		cellPath: map[string]string{},
		code:     map[string]string{},
		progs:    map[string][]*interp.Program{},
		bps:      map[string][]int{},
		stops:    map[int]*interp.DebugEvent{},
		last:     map[int]lastStop{},
		pausing:  map[int]bool{},
	}
}

// enterCell notes that cell req is about to run, and the path the front
// end knows it by.
func (d *debugger) enterCell(req proto.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cell = req.Cell
	d.stepping = false
	d.last = map[int]lastStop{}
	d.pausing = map[int]bool{}
	if req.Path != "" {
		d.cellPath[req.Cell] = req.Path
		d.code[req.Path] = req.Code
	}
}

// evalSrc compiles and runs src as Eval does, remembering its program.
func (s *session) evalSrc(ctx context.Context, src string) (reflect.Value, error) {
	p, err := s.compileUnit(src)
	if err != nil {
		return reflect.Value{}, err
	}
	return s.execProg(ctx, p)
}

// compileUnit compiles src, a unit of a cell, and notes the cell line
// where it starts, from its //line directive: a stack trace shows the
// unit's top-level statement as the cell's frame.
func (s *session) compileUnit(src string) (*interp.Program, error) {
	line := 0
	if _, rest, ok := strings.Cut(src, "//line "); ok {
		rest, _, _ = strings.Cut(rest, "\n")
		if f := strings.Split(rest, ":"); len(f) >= 3 {
			line, _ = strconv.Atoi(f[len(f)-2])
		}
	}
	s.w.dbg.mu.Lock()
	s.w.dbg.unitLine = line
	s.w.dbg.mu.Unlock()
	return s.i.Compile(src)
}

// execProg runs p: under yaegi's debugger while a front end is attached,
// plainly otherwise.
func (s *session) execProg(ctx context.Context, p *interp.Program) (reflect.Value, error) {
	if !s.w.dbg.record(p) {
		return s.i.ExecuteWithContext(ctx, p)
	}
	return s.w.dbg.run(ctx, s.i, p)
}

// isAttached tells whether a front end is attached.
func (d *debugger) isAttached() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attached
}

// record remembers p under the running cell's path and tells whether a
// front end is attached.
func (d *debugger) record(p *interp.Program) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if path, ok := d.cellPath[d.cell]; ok {
		d.progs[path] = append(d.progs[path], p)
		if _, has := d.bps[path]; has {
			d.dirty = true
		}
	}
	return d.attached
}

// terminateWait bounds how long an interrupted unit waits for yaegi's
// debugger to finish, when a goroutine of the cell is stuck in a host call.
const terminateWait = time.Second

// run runs p under yaegi's debugger and waits for it. yaegi's debugger
// waits for every goroutine the unit started, so the unit ends when they
// have ended.
func (d *debugger) run(ctx context.Context, i *interp.Interpreter, p *interp.Program) (reflect.Value, error) {
	terminated := make(chan struct{})
	var dbg *interp.Debugger // set before the unit starts, and so before any event
	events := func(e *interp.DebugEvent) {
		if e.Reason() == interp.DebugTerminate {
			close(terminated)
			return
		}
		d.event(dbg, e)
	}
	dbg = i.Debug(ctx, p, events, &interp.DebugOptions{GoRoutineStartAt1: true})
	d.mu.Lock()
	d.plines, d.mainEnter = nil, nil
	d.cur = dbg
	d.dirty = true
	d.applyLocked()
	stepping := d.stepping
	d.mu.Unlock()

	// A step that ran off the end of the cell's previous unit goes on
	// into this one.
	var err error
	if stepping {
		err = dbg.Step(mainThread, interp.DebugStepInto)
	} else {
		err = dbg.Continue(mainThread)
	}
	if err != nil {
		dbg.Terminate()
	}
	// The terminate event comes after the unit's result is set, and just
	// before yaegi clears its debugger; wait for that too, so that the next
	// unit does not run under this one's debugger, and this one's clearing
	// does not remove the next one's.
	var v reflect.Value
	select {
	case <-terminated:
		waitCleared(i)
		if err == nil {
			v, err = dbg.Wait()
		}
	case <-ctx.Done():
		// Interrupted: stopped goroutines no longer wait to be resumed,
		// and yaegi's Step and Continue would block for good on them.
		stopped := d.detach()
		select {
		case <-terminated:
			waitCleared(i)
		case <-time.After(terminateWait):
		}
		v, err = reflect.Value{}, ctx.Err()
		d.continued(stopped)
	}
	d.continued(d.detach())
	if err != nil && ctx.Err() == nil {
		d.stopOnPanic(ctx, err)
	}
	return v, err
}

// detach forgets the running unit's debugger and its stopped goroutines,
// and returns their ids.
func (d *debugger) detach() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ids []int
	for id := range d.stops {
		ids = append(ids, id)
	}
	d.cur = nil
	d.stops = map[int]*interp.DebugEvent{}
	d.frames, d.refs = nil, nil
	return ids
}

// continued tells the front end that the goroutines ids run again.
func (d *debugger) continued(ids []int) {
	for _, id := range ids {
		d.emit("continued", map[string]any{"threadId": id, "allThreadsContinued": true})
	}
}

// waitCleared waits, for at most terminateWait, until the goroutine of
// yaegi's Interpreter.Debug has cleared the interpreter's debugger, which it
// does in its last deferred call, after the terminate event. yaegi offers
// no way to wait for that, so the unexported field is read; the goroutine
// does nothing after writing it.
func waitCleared(i *interp.Interpreter) {
	f := reflect.ValueOf(i).Elem().FieldByName("debugger")
	if !f.IsValid() || f.Kind() != reflect.Pointer {
		return // not the yaegi this was written for: nothing to wait on
	}
	deadline := time.Now().Add(terminateWait)
	for !f.IsNil() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Microsecond)
	}
}

// mainThread is the id of a unit's main goroutine.
const mainThread = 1

// event turns one of yaegi's debug events into DAP events.
func (d *debugger) event(dbg *interp.Debugger, e *interp.DebugEvent) {
	id := e.GoRoutine()
	reason := ""
	switch e.Reason() {
	case interp.DebugEnterGoRoutine:
		if id != mainThread {
			d.emit("thread", map[string]any{"reason": "started", "threadId": id})
			return
		}
		// The main goroutine's frame is the cell's top level.
		d.mu.Lock()
		if d.cur == dbg {
			d.mainEnter = e
		}
		d.mu.Unlock()
		return
	case interp.DebugExitGoRoutine:
		if id != mainThread {
			d.emit("thread", map[string]any{"reason": "exited", "threadId": id})
		}
		return
	case interp.DebugBreak:
		reason = "breakpoint"
	case interp.DebugStepInto, interp.DebugStepOver, interp.DebugStepOut:
		reason = "step"
	case interp.DebugPause:
		reason = "pause"
	case interp.DebugEntry:
		reason = "entry"
	default:
		return
	}
	// A stop outside the cell's code (yaegi's wrapper of a statement), or
	// a step's stop on the line already shown, goes on unseen.
	var file string
	var line int
	if fs := e.Frames(0, 1); len(fs) > 0 {
		pos := fs[0].Position()
		file, line = pos.Filename, pos.Line
	}
	depth := e.FrameDepth()
	d.mu.Lock()
	if d.cur != dbg {
		// A goroutine that outlived the statement that started it: that
		// statement's debugger has ended, and yaegi returns from the
		// goroutine's function here. Say so where the user looks.
		d.mu.Unlock()
		if e.Reason() == interp.DebugBreak {
			d.note(fmt.Sprintf("gokernel debugger: a goroutine reached the breakpoint at %s:%d after the statement that started it "+
				"had ended, and yaegi's debugger returned from its function there. Wait for goroutines in the statement that starts them.\n",
				cellOf(file), line))
		}
		return
	}
	last, had := d.last[id]
	mode := interp.DebugEventReason(0)
	switch {
	case reason == "step":
		mode = e.Reason()
	case reason == "pause":
		mode = interp.DebugStepInto
	case reason == "breakpoint" && had:
		mode = last.mode
	}
	sameLine := had && last.file == file && last.line == line && last.depth == depth && mode != 0
	if cellOf(file) == "" || sameLine {
		d.pausing[id] = d.pausing[id] || reason == "pause"
		d.mu.Unlock()
		go d.autoResume(dbg, id, mode)
		return
	}
	if d.pausing[id] {
		reason = "pause"
		delete(d.pausing, id)
	}
	d.last[id] = lastStop{file: file, line: line, depth: depth}
	d.stops[id] = e
	d.mu.Unlock()
	d.emit("stopped", map[string]any{"reason": reason, "threadId": id, "allThreadsStopped": false, "preserveFocusHint": false})
}

// autoResume resumes goroutine id from a stop that is not shown: with a
// step of mode, or with continue when mode is 0.
func (d *debugger) autoResume(dbg *interp.Debugger, id int, mode interp.DebugEventReason) {
	d.mu.Lock()
	live := d.cur == dbg
	d.mu.Unlock()
	if !live {
		return // interrupted: the goroutine does not wait any more
	}
	if mode == 0 {
		_ = dbg.Continue(id)
		return
	}
	_ = step(dbg, id, mode)
}

// step steps goroutine id. yaegi marks a goroutine stopped just after it
// reports the stop; a step that comes in between is refused as running,
// and is tried again.
func step(dbg *interp.Debugger, id int, mode interp.DebugEventReason) error {
	var err error
	for range 200 {
		if err = dbg.Step(id, mode); !errors.Is(err, interp.ErrRunning) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return err
}

// applyLocked gives the breakpoints to the running unit's debugger when
// they have changed. A path whose breakpoints were cleared asks for line
// -1, which yaegi never finds: it resets the stale ones that way.
func (d *debugger) applyLocked() map[string][]interp.Breakpoint {
	if d.cur == nil || !d.dirty {
		return nil
	}
	d.dirty = false
	out := map[string][]interp.Breakpoint{}
	for path, lines := range d.bps {
		reqs := []interp.BreakpointRequest{interp.LineBreakpoint(-1)}
		for _, l := range lines {
			reqs = append(reqs, interp.LineBreakpoint(l))
		}
		res := make([]interp.Breakpoint, len(lines))
		for _, p := range d.progs[path] {
			for k, b := range d.cur.SetBreakpoints(interp.ProgramBreakpointTarget(p), reqs...)[1:] {
				if b.Valid {
					res[k] = b
				}
			}
		}
		out[path] = res
	}
	return out
}

// note tells the user something about the debugging: in the cell's
// output, and as a DAP output event for the front end's debug console.
func (d *debugger) note(text string) {
	d.w.writeStream(2, text)
	if d.isAttached() {
		d.emit("output", map[string]any{"category": "console", "output": text})
	}
}

// emit sends one DAP event to the kernel.
func (d *debugger) emit(event string, body any) {
	msg := map[string]any{"type": "event", "seq": d.seq.Add(1), "event": event}
	if body != nil {
		msg["body"] = body
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return
	}
	d.w.emit(proto.Event{Op: proto.EvDebug, DAP: data})
}

// dapRequest is a DAP request.
type dapRequest struct {
	Seq       int             `json:"seq"`
	Command   string          `json:"command"`
	Arguments json.RawMessage `json:"arguments"`
}

// dapArgs are the arguments of the requests this debugger serves.
type dapArgs struct {
	ThreadID           *int     `json:"threadId"`
	FrameID            *int     `json:"frameId"`
	VariablesReference *int     `json:"variablesReference"`
	Start              int      `json:"start"`
	Count              int      `json:"count"`
	Expression         *string  `json:"expression"`
	Context            string   `json:"context"`
	VariableName       *string  `json:"variableName"`
	SrcVariableName    string   `json:"srcVariableName"`
	DstVariableName    string   `json:"dstVariableName"`
	SrcFrameID         *int     `json:"srcFrameId"`
	Filters            []string `json:"filters"`
	Source             *struct {
		Path string `json:"path"`
	} `json:"source"`
	Breakpoints []struct {
		Line int `json:"line"`
	} `json:"breakpoints"`
	Lines []int `json:"lines"`
}

// handle answers one DAP request with its DAP response.
func (d *debugger) handle(raw json.RawMessage) json.RawMessage {
	var req dapRequest
	var body any
	err := json.Unmarshal(raw, &req)
	var args dapArgs
	if err == nil && len(req.Arguments) > 0 && string(req.Arguments) != "null" {
		if aerr := json.Unmarshal(req.Arguments, &args); aerr != nil {
			err = fmt.Errorf("bad arguments: %w", aerr)
		}
	}
	if err == nil {
		body, err = d.serveSafely(req.Command, args)
	}
	resp := map[string]any{
		"type": "response", "seq": d.seq.Add(1), "request_seq": req.Seq,
		"command": req.Command, "success": err == nil,
	}
	if err != nil {
		resp["message"] = err.Error()
	} else if body != nil {
		resp["body"] = body
	}
	data, merr := json.Marshal(resp)
	if merr != nil {
		data, _ = json.Marshal(map[string]any{
			"type": "response", "seq": d.seq.Add(1), "request_seq": req.Seq, "command": req.Command,
			"success": false, "message": fmt.Sprintf("internal error: %v", merr),
		})
	}
	return data
}

// serveSafely runs one command, turning a panic (reflect refuses some
// operations on values read from unexported fields, say) into the
// command's error: a request of the front end never ends the worker.
func (d *debugger) serveSafely(command string, a dapArgs) (body any, err error) {
	defer func() {
		if r := recover(); r != nil {
			body, err = nil, fmt.Errorf("internal error of gokernel's debugger in %s: %v", command, r)
		}
	}()
	return d.serve(command, a)
}

// errNotStopped is the error of a request that needs a stopped thread.
var errNotStopped = errors.New("no thread is stopped")

// serve runs one command.
func (d *debugger) serve(command string, a dapArgs) (any, error) {
	switch command {
	case "initialize":
		return map[string]any{
			"supportsConfigurationDoneRequest": true,
			"supportsEvaluateForHovers":        true,
			"supportsStepBack":                 false,
			"supportsSetVariable":              false,
			"supportsFunctionBreakpoints":      false,
			"supportsConditionalBreakpoints":   false,
			"supportsModulesRequest":           true,
			"supportsExceptionInfoRequest":     true,
			"exceptionBreakpointFilters":       []any{panicFilterDesc},
		}, nil
	case "attach":
		d.mu.Lock()
		d.attached, d.dirty = true, true
		d.catching.Store(d.panics)
		d.mu.Unlock()
		d.emit("initialized", nil)
		return nil, nil
	case "disconnect":
		return nil, d.disconnect()
	case "configurationDone":
		return nil, nil
	case "setExceptionBreakpoints":
		return d.setExceptionBreakpoints(a)
	case "exceptionInfo":
		return d.exceptionInfo(a)
	case "setBreakpoints":
		return d.setBreakpoints(a)
	case "debugInfo":
		return d.info(), nil
	case "threads":
		return d.threads(), nil
	case "stackTrace":
		return d.stackTrace(a)
	case "scopes":
		return d.scopes(a)
	case "variables":
		if a.VariablesReference == nil {
			return nil, errors.New("variables needs arguments.variablesReference")
		}
		return d.variables(*a.VariablesReference, a.Start, a.Count)
	case "continue":
		return map[string]any{"allThreadsContinued": false}, d.resume(a, 0)
	case "next":
		return nil, d.resume(a, interp.DebugStepOver)
	case "stepIn":
		return nil, d.resume(a, interp.DebugStepInto)
	case "stepOut":
		return nil, d.resume(a, interp.DebugStepOut)
	case "pause":
		return nil, d.pause(a)
	case "evaluate":
		return d.evaluate(a)
	case "source":
		return d.source(a)
	case "modules":
		return d.modules(), nil
	case "inspectVariables":
		if err := d.globalsReadable(); err != nil {
			return nil, err
		}
		return map[string]any{"variables": d.dapVars(d.w.sess.globals())}, nil
	case "richInspectVariables":
		return d.richInspect(a)
	case "copyToGlobals":
		return d.copyToGlobals(a)
	}
	return nil, fmt.Errorf("unknown DAP command %q", command)
}

// disconnect detaches the front end: breakpoints go, stopped goroutines
// continue, and later cells run at full speed.
func (d *debugger) disconnect() error {
	d.mu.Lock()
	d.attached = false
	d.stepping = false
	for path := range d.bps {
		d.bps[path] = nil
	}
	d.dirty = true
	d.applyLocked()
	cur, stopped := d.cur, d.stops
	d.stops = map[int]*interp.DebugEvent{}
	d.frames, d.refs = nil, nil
	d.panics = false
	d.catching.Store(false)
	d.releasePanicLocked()
	d.mu.Unlock()
	for id := range stopped {
		if cur != nil {
			_ = cur.Continue(id)
		}
		d.emit("continued", map[string]any{"threadId": id, "allThreadsContinued": true})
	}
	return nil
}

// storeBreakpoints records the lines of path and applies every breakpoint;
// checked reports whether yaegi could check this path's lines. The lock is
// released by defer, so that a panic in yaegi's SetBreakpoints (which
// becomes the request's error) cannot leave it held.
func (d *debugger) storeBreakpoints(path string, lines []int) (res []interp.Breakpoint, checked bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bps[path] = lines
	d.dirty = true
	res, checked = d.applyLocked()[path]
	return res, checked && len(d.progs[path]) > 0
}

func (d *debugger) setBreakpoints(a dapArgs) (any, error) {
	if a.Source == nil || a.Source.Path == "" {
		return nil, errors.New("setBreakpoints needs arguments.source.path")
	}
	path := a.Source.Path
	lines := a.Lines
	if a.Breakpoints != nil {
		lines = nil
		for _, b := range a.Breakpoints {
			lines = append(lines, b.Line)
		}
	}
	res, checked := d.storeBreakpoints(path, lines)
	out := make([]map[string]any, len(lines))
	for k, l := range lines {
		// Before a unit of the cell runs under the debugger, yaegi cannot
		// check a line: the breakpoint is accepted and set when it does.
		verified := !checked || res[k].Valid
		out[k] = map[string]any{"verified": verified, "line": l, "source": map[string]any{"path": path}}
		if !verified {
			out[k]["message"] = fmt.Sprintf("no statement on line %d", l)
		}
	}
	return map[string]any{"breakpoints": out}, nil
}

// info is debugInfo's body, without the hash fields the kernel adds.
func (d *debugger) info() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	bps := []map[string]any{}
	paths := make([]string, 0, len(d.bps))
	for p, lines := range d.bps {
		if len(lines) > 0 {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		var list []map[string]any
		for _, l := range d.bps[p] {
			list = append(list, map[string]any{"line": l})
		}
		bps = append(bps, map[string]any{"source": p, "breakpoints": list})
	}
	stopped := []int{}
	for id := range d.stops {
		stopped = append(stopped, id)
	}
	if d.pstop != nil {
		stopped = append(stopped, mainThread)
	}
	sort.Ints(stopped)
	return map[string]any{
		"isStarted": d.attached, "breakpoints": bps, "stoppedThreads": stopped,
		"richRendering": true, "exceptionPaths": []string{panicFilter}, "copyToGlobals": true,
	}
}

func (d *debugger) threads() map[string]any {
	d.mu.Lock()
	cur := d.cur
	d.mu.Unlock()
	threads := []map[string]any{}
	if d.panicStopped() {
		threads = append(threads, map[string]any{"id": mainThread, "name": "main"})
	}
	if cur != nil {
		for _, g := range cur.GoRoutines() {
			name := g.Name()
			if g.ID() == mainThread {
				name = "main"
			}
			threads = append(threads, map[string]any{"id": g.ID(), "name": name})
		}
	}
	return map[string]any{"threads": threads}
}

// stopped returns the event that stopped thread id.
func (d *debugger) stoppedLocked(id *int) (*interp.DebugEvent, error) {
	if id == nil {
		return nil, errors.New("needs arguments.threadId")
	}
	e, ok := d.stops[*id]
	if !ok {
		return nil, fmt.Errorf("thread %d is not stopped", *id)
	}
	return e, nil
}

func (d *debugger) stackTrace(a dapArgs) (any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a.ThreadID != nil && *a.ThreadID == mainThread && d.pstop != nil {
		return d.panicStackLocked(), nil
	}
	e, err := d.stoppedLocked(a.ThreadID)
	if err != nil {
		return nil, fmt.Errorf("stackTrace %w", err)
	}
	frames := []map[string]any{}
	for _, f := range e.Frames(0, e.FrameDepth()) {
		d.frames = append(d.frames, f)
		pos := f.Position()
		cell := cellOf(pos.Filename)
		name := f.Name()
		if name == "<init>" && cell != "" {
			name = cell
		}
		fr := map[string]any{"id": len(d.frames), "name": name, "line": pos.Line, "column": pos.Column}
		if path, ok := d.cellPath[cell]; ok {
			fr["source"] = map[string]any{"path": path, "name": cell}
		}
		frames = append(frames, fr)
	}
	// yaegi lists the top-level frame only when it is the only one. Below
	// the functions that the main thread is in, show the cell's statement
	// that called them (nil in frames: it has no locals).
	if len(frames) > 0 && *a.ThreadID == mainThread && frames[len(frames)-1]["name"] != d.cell && d.unitLine > 0 {
		d.frames = append(d.frames, nil)
		fr := map[string]any{"id": len(d.frames), "name": d.cell, "line": d.unitLine, "column": 1}
		if path, ok := d.cellPath[d.cell]; ok {
			fr["source"] = map[string]any{"path": path, "name": d.cell}
		}
		frames = append(frames, fr)
	}
	return map[string]any{"stackFrames": frames, "totalFrames": len(frames)}, nil
}

// cellOf returns the cell of a file name that the worker's //line
// directives give yaegi, "In[3]/_.go", or "".
func cellOf(file string) string {
	const suffix = "/_.go"
	if len(file) > len(suffix) && file[len(file)-len(suffix):] == suffix {
		return file[:len(file)-len(suffix)]
	}
	return ""
}

func (d *debugger) scopes(a dapArgs) (any, error) {
	if a.FrameID == nil {
		return nil, errors.New("scopes needs arguments.frameId")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if *a.FrameID < 1 || *a.FrameID > len(d.frames) {
		return nil, fmt.Errorf("no frame %d", *a.FrameID)
	}
	f := d.frames[*a.FrameID-1]
	var locals, closure []variable
	for _, sc := range frameScopes(f) {
		for _, v := range sc.Variables() {
			if sc.IsClosure() {
				closure = append(closure, variable{name: v.Name, v: v.Value, typ: declaredType(sc, v.Name)})
			} else {
				locals = append(locals, variable{name: v.Name, v: v.Value, typ: declaredType(sc, v.Name)})
			}
		}
	}
	scopes := []map[string]any{
		{"name": "Locals", "presentationHint": "locals", "expensive": false, "variablesReference": d.refLocked(locals)},
	}
	if len(closure) > 0 {
		scopes = append(scopes, map[string]any{"name": "Closure", "expensive": false, "variablesReference": d.refLocked(closure)})
	}
	if p := d.pstop; p != nil && f == nil {
		scopes = append(scopes, map[string]any{"name": "Panic", "expensive": false,
			"variablesReference": d.refLocked([]variable{{name: "value", v: p.value}})})
	}
	scopes = append(scopes, map[string]any{"name": "Globals", "expensive": false, "variablesReference": d.refLocked(d.globalsLocked())})
	return map[string]any{"scopes": scopes}, nil
}

// declaredType is the type that yaegi knows variable name of scope sc
// by, as a cell would write it, or "".
func declaredType(sc *interp.DebugFrameScope, name string) string {
	return mainPrefix.ReplaceAllString(yaegiTypeName(sc, name), "")
}

// frameScopes returns the scopes of f, none for the cell's frame (nil).
func frameScopes(f *interp.DebugFrame) []*interp.DebugFrameScope {
	if f == nil {
		return nil
	}
	return f.Scopes()
}

// refLocked returns a new variablesReference for vars.
func (d *debugger) refLocked(vars []variable) int {
	d.refs = append(d.refs, varRef{list: func() []variable { return vars }})
	return len(d.refs)
}

// variables lists the variables of reference ref; with count > 0, only
// count of them from start, as a client that pages through a long slice
// asks.
func (d *debugger) variables(ref, start, count int) (any, error) {
	if start < 0 || count < 0 {
		return nil, fmt.Errorf("variables: start and count must not be negative")
	}
	d.mu.Lock()
	if ref < 1 || ref > len(d.refs) {
		d.mu.Unlock()
		return nil, fmt.Errorf("no variables with reference %d", ref)
	}
	r := d.refs[ref-1]
	d.mu.Unlock()
	var vars []variable
	if v := indexable(r.v); count > 0 && v.IsValid() {
		for i := start; i < v.Len() && i < start+count; i++ {
			vars = append(vars, variable{name: "[" + strconv.Itoa(i) + "]", v: v.Index(i)})
		}
	} else {
		vars = r.list()
		if count > 0 || start > 0 {
			vars = vars[min(start, len(vars)):]
			if count > 0 {
				vars = vars[:min(count, len(vars))]
			}
		}
	}
	return map[string]any{"variables": d.dapVars(vars)}, nil
}

// indexable returns v when its parts are elements (an array or a slice,
// through pointers), or an invalid value.
func indexable(v reflect.Value) reflect.Value {
	v = deref(v)
	if v.IsValid() && (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) {
		return v
	}
	return reflect.Value{}
}

// dapVars describes vars as DAP variables, with references for those
// that have parts.
func (d *debugger) dapVars(vars []variable) []map[string]any {
	out := make([]map[string]any, 0, len(vars))
	for _, v := range vars {
		ref := 0
		if kids := parts(v.v); kids != nil {
			d.mu.Lock()
			d.refs = append(d.refs, varRef{list: kids, v: v.v})
			ref = len(d.refs)
			d.mu.Unlock()
		}
		typ := v.typ
		if typ == "" {
			typ = typeName(v.v)
		}
		dv := map[string]any{
			"name": v.name, "value": show(v.v), "type": typ,
			"evaluateName": v.name, "variablesReference": ref,
		}
		if iv := indexable(v.v); iv.IsValid() && iv.Len() > maxParts {
			dv["indexedVariables"] = iv.Len()
		}
		out = append(out, dv)
	}
	return out
}

// resume continues or steps the given thread, or with none every stopped
// one. A mode of 0 continues.
func (d *debugger) resume(a dapArgs, mode interp.DebugEventReason) error {
	d.mu.Lock()
	if d.pstop != nil && (a.ThreadID == nil || *a.ThreadID == mainThread) {
		// A panic stop ends as the cell ends: with its panic.
		d.releasePanicLocked()
		d.mu.Unlock()
		return nil
	}
	cur := d.cur
	var ids []int
	if a.ThreadID != nil {
		if _, ok := d.stops[*a.ThreadID]; !ok {
			d.mu.Unlock()
			return fmt.Errorf("thread %d is not stopped", *a.ThreadID)
		}
		ids = []int{*a.ThreadID}
	} else {
		for id := range d.stops {
			ids = append(ids, id)
		}
	}
	if cur == nil || len(ids) == 0 {
		d.mu.Unlock()
		return errNotStopped
	}
	for _, id := range ids {
		delete(d.stops, id)
		if l, ok := d.last[id]; ok {
			l.mode = mode
			d.last[id] = l
		}
		if id == mainThread {
			d.stepping = mode == interp.DebugStepOver || mode == interp.DebugStepInto
		}
	}
	d.frames, d.refs = nil, nil
	d.mu.Unlock()

	for _, id := range ids {
		d.emit("continued", map[string]any{"threadId": id, "allThreadsContinued": false})
		if mode == 0 {
			if err := cur.Continue(id); err != nil {
				return fmt.Errorf("continue thread %d: %w", id, err)
			}
			continue
		}
		if err := step(cur, id, mode); err != nil {
			return fmt.Errorf("step thread %d: %w", id, err)
		}
	}
	return nil
}

func (d *debugger) pause(a dapArgs) error {
	d.mu.Lock()
	cur := d.cur
	d.mu.Unlock()
	if cur == nil {
		return errors.New("no cell is running")
	}
	if a.ThreadID != nil {
		if !cur.Interrupt(*a.ThreadID, interp.DebugPause) {
			return fmt.Errorf("no thread %d", *a.ThreadID)
		}
		return nil
	}
	for _, g := range cur.GoRoutines() {
		cur.Interrupt(g.ID(), interp.DebugPause)
	}
	return nil
}

// frameAt returns frame id's frame, nil for none or for a frame without
// variables.
func (d *debugger) frameAt(id *int) *interp.DebugFrame {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id != nil && *id >= 1 && *id <= len(d.frames) {
		return d.frames[*id-1]
	}
	return nil
}

// lookup finds a variable by name: among the locals of frame (when not
// nil), then among the session's globals and the copies that wait to
// become globals.
func (d *debugger) lookup(name string, frame *int) (reflect.Value, bool) {
	if f := d.frameAt(frame); f != nil {
		for _, sc := range frameScopes(f) {
			for _, v := range sc.Variables() {
				if v.Name == name {
					return v.Value, true
				}
			}
		}
	}
	if d.globalsReadable() != nil {
		return reflect.Value{}, false
	}
	d.mu.Lock()
	globals := d.globalsLocked()
	d.mu.Unlock()
	for _, v := range globals {
		if v.name == name {
			return v.v, true
		}
	}
	return reflect.Value{}, false
}

// globalsLocked lists the session's variables and the copies that wait
// to be declared.
func (d *debugger) globalsLocked() []variable {
	out := d.w.sess.globals()
	if len(d.copies) == 0 {
		return out
	}
	have := map[string]bool{}
	for _, v := range out {
		have[v.name] = true
	}
	for _, c := range d.copies {
		if !have[c.name] {
			out = append(out, variable{name: c.name, v: c.v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// globalsReadable tells whether the session's variables can be read: not
// while a cell runs, which may be writing them, unless it is stopped.
func (d *debugger) globalsReadable() error {
	d.w.mu.Lock()
	running := d.w.running != 0
	d.w.mu.Unlock()
	d.mu.Lock()
	stopped := len(d.stops) > 0 || d.pstop != nil
	d.mu.Unlock()
	if running && !stopped {
		return errors.New("a cell is running: its variables can be read when it stops at a breakpoint or ends")
	}
	return nil
}

// env is the evaluator's view of frame: its locals, the notebook's
// variables, and the packages the notebook imported.
func (d *debugger) env(frame *int) evalEnv {
	return evalEnv{
		lookup: func(name string) (reflect.Value, bool) { return d.lookup(name, frame) },
		kind: func(name string) string {
			n, _ := d.w.sess.state.Lookup(name)
			return n.Kind
		},
		imports: d.w.sess.state.Imports(),
		pkg: func(path string) (map[string]reflect.Value, bool) {
			syms, _, ok := packages().lookup(path)
			return syms, ok
		},
	}
}

// evaluate evaluates an expression in a stopped frame, or, with no
// frame, among the notebook's variables (see debugeval.go for what it
// evaluates). In the repl context an assignment "x = expr" sets x.
func (d *debugger) evaluate(a dapArgs) (any, error) {
	if a.Expression == nil {
		return nil, errors.New("evaluate needs arguments.expression")
	}
	if a.FrameID != nil && d.frameAt(a.FrameID) == nil {
		d.mu.Lock()
		known := *a.FrameID >= 1 && *a.FrameID <= len(d.frames)
		d.mu.Unlock()
		if !known {
			return nil, fmt.Errorf("no frame %d", *a.FrameID)
		}
	}
	if err := d.globalsReadable(); err != nil && d.frameAt(a.FrameID) == nil {
		return nil, err
	}
	vals, err := d.env(a.FrameID).evalString(*a.Expression, a.Context == "repl")
	if err != nil {
		return nil, err
	}
	if len(vals) != 1 {
		texts, types := make([]string, len(vals)), make([]string, len(vals))
		for k, v := range vals {
			texts[k], types[k] = show(v), typeName(v)
		}
		return map[string]any{"result": strings.Join(texts, ", "), "type": "(" + strings.Join(types, ", ") + ")", "variablesReference": 0}, nil
	}
	vars := d.dapVars([]variable{{name: *a.Expression, v: vals[0]}})
	return map[string]any{"result": vars[0]["value"], "type": vars[0]["type"], "variablesReference": vars[0]["variablesReference"]}, nil
}

// richInspect answers richInspectVariables: the value of a variable (of
// frameId's frame when given) as a MIME bundle. As ipykernel does, a name
// that is not an identifier (a group such as "special variables") gets an
// empty bundle.
func (d *debugger) richInspect(a dapArgs) (any, error) {
	if a.VariableName == nil {
		return nil, errors.New("richInspectVariables needs arguments.variableName")
	}
	name := *a.VariableName
	if !token.IsIdentifier(name) {
		return map[string]any{"data": map[string]any{}, "metadata": map[string]any{}}, nil
	}
	if err := d.globalsReadable(); err != nil && d.frameAt(a.FrameID) == nil {
		return nil, err
	}
	v, ok := d.lookup(name, a.FrameID)
	if !ok {
		return nil, fmt.Errorf("no variable %q", name)
	}
	return map[string]any{"data": richBundle(v), "metadata": map[string]any{}}, nil
}

// richBundle is v as a MIME bundle: a display.Bundle as it is, an image
// (a value of a compiled type that implements image.Image) as PNG, and
// anything else as text.
func richBundle(v reflect.Value) map[string]any {
	u := deref(v)
	if u.IsValid() && u.CanInterface() {
		if b, ok := u.Interface().(display.Bundle); ok {
			return b
		}
	}
	for _, c := range []reflect.Value{unwrap(v), u} {
		if !c.IsValid() || !c.CanInterface() {
			continue
		}
		if img, ok := c.Interface().(image.Image); ok {
			var buf bytes.Buffer
			if err := catch(func() { _ = png.Encode(&buf, img) }); err == nil && buf.Len() > 0 {
				b := img.Bounds()
				return map[string]any{
					"image/png":  base64.StdEncoding.EncodeToString(buf.Bytes()),
					"text/plain": fmt.Sprintf("[%s %dx%d]", typeName(c), b.Dx(), b.Dy()),
				}
			}
		}
	}
	return map[string]any{"text/plain": show(v)}
}

// source answers the source request: the code of a cell that ran, or, as
// ipykernel does, the file at the path (a dumped cell that has not run).
func (d *debugger) source(a dapArgs) (any, error) {
	if a.Source == nil || a.Source.Path == "" {
		return nil, errors.New("source needs arguments.source.path")
	}
	d.mu.Lock()
	code, ok := d.code[a.Source.Path]
	d.mu.Unlock()
	if !ok {
		data, err := os.ReadFile(a.Source.Path)
		if err != nil {
			return nil, fmt.Errorf("source unavailable: no cell ran from %s", a.Source.Path)
		}
		code = string(data)
	}
	return map[string]any{"content": code, "mimeType": "text/x-go"}, nil
}

// modules lists the cells that ran, by the paths the front end knows them
// by, for JupyterLab's Kernel Sources panel.
func (d *debugger) modules() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	cells := make([]string, 0, len(d.cellPath))
	for c := range d.cellPath {
		cells = append(cells, c)
	}
	sort.Strings(cells)
	mods := []map[string]any{}
	for k, c := range cells {
		mods = append(mods, map[string]any{"id": k + 1, "name": c, "path": d.cellPath[c]})
	}
	return map[string]any{"modules": mods, "totalModules": len(mods)}
}

// globals returns the session's variables and constants, in name order.
func (s *session) globals() []variable {
	vals := s.i.Globals()
	var out []variable
	for _, n := range s.state.Names() {
		if n.Kind != "var" && n.Kind != "const" {
			continue
		}
		if v, ok := vals[n.Name]; ok {
			out = append(out, variable{name: n.Name, v: v, typ: n.Type})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
