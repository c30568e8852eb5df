package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/traefik/yaegi/interp"

	"github.com/beacceaf/gokernel/interp/gosrc"
)

// Stopping on panics. yaegi's debugger has no event for a panic, and by
// the time a unit's Execute returns one, the panicking frames are gone.
// What remains, and what the debugger shows, is:
//   - the statement of the cell that panicked, exactly: yaegi's debugger
//     notes in the cell's frame the node it runs;
//   - the functions the panic came through, innermost first, from the
//     "panic: main.f(...)" lines yaegi writes as it unwinds; each is shown
//     at the line of its declaration, as yaegi does not record where in
//     the function the panic happened;
//   - the panic value, and the notebook's variables.
//
// Only a panic that ends the cell's main thread stops ("uncaught"): one
// that the cell recovers does not, and a goroutine's panic is reported as
// before, when the cell ends.

// panicFilter is the one exception filter: stop when a cell panics.
const panicFilter = "panic"

// panicFilterDesc announces panicFilter in the initialize reply.
var panicFilterDesc = map[string]any{
	"filter": panicFilter, "label": "Panics",
	"description": "Stop when a panic ends the cell (after the panicking functions have returned: their locals are gone)",
	"default":     false, "supportsCondition": false,
}

// panicStop is the main thread, stopped because the cell panicked.
type panicStop struct {
	err    *errorDesc
	value  reflect.Value
	frames []panicFrame
	lines  []string // yaegi's panic lines
	resume chan struct{}
}

// goLine is a line written by Go goroutine goid.
type goLine struct {
	goid int64
	text string
}

// errorDesc is what the user sees of a panic.
type errorDesc struct {
	name, value string
	traceback   []string
}

// panicFrame is one frame of a panic stop.
type panicFrame struct {
	name, cell string
	line, col  int
}

// setExceptionBreakpoints turns stopping on panics on (filter "panic")
// or off (no filters).
func (d *debugger) setExceptionBreakpoints(a dapArgs) (any, error) {
	if a.Filters == nil {
		return nil, errors.New("setExceptionBreakpoints needs arguments.filters")
	}
	on := false
	out := []map[string]any{}
	for _, f := range a.Filters {
		if f != panicFilter {
			return nil, fmt.Errorf("unknown exception filter %q: gokernel's debugger offers %q", f, panicFilter)
		}
		on = true
		out = append(out, map[string]any{"verified": true})
	}
	d.mu.Lock()
	d.panics = on
	d.catching.Store(on && d.attached)
	d.mu.Unlock()
	return map[string]any{"breakpoints": out}, nil
}

// stopOnPanic stops the main thread when err, the result of a unit run
// under the debugger, is a panic of the cell and the front end asked to
// stop on panics. It returns when the user resumes the thread, detaches,
// or interrupts the cell.
func (d *debugger) stopOnPanic(ctx context.Context, err error) {
	var p interp.Panic
	if !errors.As(err, &p) {
		return
	}
	desc := d.w.sess.describe(err, gosrc.Unit{})
	if desc.Name != "Panic" && desc.Name != "RuntimeError" {
		return // os.Exit, a compile-time fault of yaegi, ...
	}
	d.mu.Lock()
	if !d.panics || !d.attached || d.pstop != nil {
		d.mu.Unlock()
		return
	}
	ps := &panicStop{
		err:    &errorDesc{desc.Name, desc.Value, desc.Traceback},
		value:  reflect.ValueOf(p.Value),
		frames: d.panicFramesLocked(),
		lines:  d.mainPanicLinesLocked(),
		resume: make(chan struct{}),
	}
	d.pstop = ps
	d.mu.Unlock()
	d.emit("stopped", map[string]any{
		"reason": "exception", "description": "Paused on panic", "text": desc.Name + ": " + desc.Value,
		"threadId": mainThread, "allThreadsStopped": true, "preserveFocusHint": false,
	})
	select {
	case <-ps.resume:
	case <-ctx.Done():
		d.mu.Lock()
		d.releasePanicLocked()
		d.mu.Unlock()
	}
	d.emit("continued", map[string]any{"threadId": mainThread, "allThreadsContinued": true})
}

// releasePanicLocked ends a panic stop.
func (d *debugger) releasePanicLocked() {
	if d.pstop != nil {
		close(d.pstop.resume)
		d.pstop = nil
		d.frames, d.refs = nil, nil
	}
}

// panicStopped tells whether the main thread is stopped on a panic.
func (d *debugger) panicStopped() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pstop != nil
}

// panicLine is a line that yaegi writes for each function a panic leaves:
// "In[2]/_.go:3:6: panic: main.add(...)".
var panicLine = regexp.MustCompile(`^(.*/_\.go):(\d+):(\d+): panic: (.*)\(\.\.\.\)$`)

// panicFramesLocked builds the frames of a panic stop from the panic lines
// of the main thread and the cell's frame.
func (d *debugger) panicFramesLocked() []panicFrame {
	var out []panicFrame
	for _, l := range d.mainPanicLinesLocked() {
		m := panicLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[4], "main.")
		if m[4] == "main" {
			continue // the unit itself: the cell's frame comes below
		}
		cell := cellOf(m[1])
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		if l := declLine(d.code[d.cellPath[cell]], name); l > 0 {
			line, col = l, 1
		}
		out = append(out, panicFrame{name: name, cell: cell, line: line, col: col})
	}
	line, col := d.unitLine, 1
	if d.mainEnter != nil {
		if fs := d.mainEnter.Frames(0, 1); len(fs) > 0 {
			if pos := fs[0].Position(); cellOf(pos.Filename) == d.cell {
				line, col = pos.Line, pos.Column
			}
		}
	}
	return append(out, panicFrame{name: d.cell, cell: d.cell, line: line, col: col})
}

// declLine returns the line of code where function (or method) name is
// declared, or 0.
func declLine(code, name string) int {
	if code == "" || name == "" {
		return 0
	}
	re, err := regexp.Compile(`^func\s*(\([^)]*\)\s*)?` + regexp.QuoteMeta(name) + `\s*[(\[]`)
	if err != nil {
		return 0
	}
	for k, l := range strings.Split(code, "\n") {
		if re.MatchString(l) {
			return k + 1
		}
	}
	return 0
}

// mainPanicLinesLocked returns the panic lines of the main thread: those
// of the goroutine that wrote the line of the unit itself ("main(...)").
func (d *debugger) mainPanicLinesLocked() []string {
	main := int64(-1)
	for _, l := range d.plines {
		if strings.HasSuffix(l.text, ": panic: main(...)") {
			main = l.goid
		}
	}
	var out []string
	for _, l := range d.plines {
		if l.goid == main {
			out = append(out, l.text)
		}
	}
	return out
}

// panicStackLocked is the stackTrace of a panic stop. Its frames have no
// locals (nil in frames).
func (d *debugger) panicStackLocked() map[string]any {
	frames := []map[string]any{}
	for _, f := range d.pstop.frames {
		d.frames = append(d.frames, nil)
		fr := map[string]any{"id": len(d.frames), "name": f.name, "line": f.line, "column": f.col}
		if path, ok := d.cellPath[f.cell]; ok {
			fr["source"] = map[string]any{"path": path, "name": f.cell}
		}
		frames = append(frames, fr)
	}
	return map[string]any{"stackFrames": frames, "totalFrames": len(frames)}
}

// exceptionInfo describes the panic a thread stopped on.
func (d *debugger) exceptionInfo(a dapArgs) (any, error) {
	if a.ThreadID == nil {
		return nil, errors.New("exceptionInfo needs arguments.threadId")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if *a.ThreadID != mainThread || d.pstop == nil {
		return nil, fmt.Errorf("thread %d is not stopped on a panic", *a.ThreadID)
	}
	p := d.pstop
	return map[string]any{
		"exceptionId": p.err.name,
		"description": p.err.value,
		"breakMode":   "unhandled",
		"details": map[string]any{
			"message":    p.err.value,
			"typeName":   typeName(p.value),
			"stackTrace": strings.Join(append(append([]string{}, p.err.traceback...), p.lines...), "\n"),
		},
	}, nil
}

// goid returns the id of the calling goroutine, from the header of its
// stack trace.
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		n, _ := strconv.ParseInt(string(b[:i]), 10, 64)
		return n
	}
	return 0
}

// panicWatch is the writer that yaegi writes its panic lines to: it
// passes everything on, and while the debugger stops on panics it keeps
// the lines, with the goroutine that wrote each.
type panicWatch struct {
	io.Writer
	d *debugger
}

// Write implements io.Writer.
func (p panicWatch) Write(b []byte) (int, error) {
	n, err := p.Writer.Write(b)
	if p.d.catching.Load() {
		id := goid()
		p.d.mu.Lock()
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if panicLine.MatchString(l) {
				p.d.plines = append(p.d.plines, goLine{id, l})
			}
		}
		p.d.mu.Unlock()
	}
	return n, err
}

// watchPanics makes i write its panic lines through a panicWatch. yaegi
// writes them to its stderr option, read at each panic; the other users
// of that option (the interpreted os.Stderr, log, print) took it when the
// interpreter was made, and keep the file. The field is unexported, so it
// is set through its address; a yaegi without it is left alone.
func watchPanics(i *interp.Interpreter, d *debugger) {
	opt := reflect.ValueOf(i).Elem().FieldByName("opt")
	if !opt.IsValid() {
		return
	}
	f := opt.FieldByName("stderr")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*io.Writer)(nil)).Elem() || !f.CanAddr() {
		return
	}
	w := (*io.Writer)(unsafe.Pointer(f.UnsafeAddr()))
	*w = panicWatch{Writer: *w, d: d}
}
