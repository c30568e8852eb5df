package worker

import (
	"os"
	"regexp"

	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// panicFrameLine matches the line that yaegi writes to the interpreter's
// stderr for each interpreted frame a panic unwinds, such as
// "In[3]/_.go:2:1: panic: main(...)".
var panicFrameLine = regexp.MustCompile(`^(In\[\d+\])/_\.go:(\d+:\d+): panic: (.*)\(\.\.\.\)\n$`)

// preludeFrameLine matches the frame lines of the Prelude's helpers
// (gosrc.Prelude), which have no file name: "95:5: panic: main.__gk_shift(...)".
var preludeFrameLine = regexp.MustCompile(`^\d+:\d+: panic: main\.__gk\w*\(\.\.\.\)\n$`)

// frameWriter is the interpreters' stderr. It passes what it gets on to
// fd 2, except yaegi's panic frame lines, which it sends to the kernel as
// PanicFrame events of the running request, so that the cell's error can
// show them without the kernel parsing stderr. yaegi writes each such line
// with one Write, before the panic goes on, so the events come before the
// request's Result, and before the worker dies of the panic.
//
// The interpreters' stderr is not an *os.File, so yaegi leaves a cell's
// os.Stderr alone: it is the worker's fd 2, as it would be anyway.
type frameWriter struct{ w *Worker }

func (f frameWriter) Write(p []byte) (int, error) {
	if preludeFrameLine.Match(p) {
		return len(p), nil // a helper of gosrc's Prelude, not the cell's code
	}
	if m := panicFrameLine.FindSubmatch(p); m != nil {
		f.w.mu.Lock()
		id := f.w.running
		f.w.mu.Unlock()
		f.w.emit(id, proto.PanicFrame{Cell: string(m[1]), Pos: string(m[2]), Func: string(m[3])})
		return len(p), nil
	}
	return os.Stderr.Write(p)
}
