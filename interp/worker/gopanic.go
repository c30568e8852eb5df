package worker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// A goPanic is the end of a goroutine that a cell started with a go
// statement and that panicked, or called os.Exit (exit is then set).
type goPanic struct {
	text string
	exit bool
}

// goroutinePanicked records the panic of a goroutine that a cell started
// with a go statement (gosrc.HostSymbols): the goroutine recovered it and
// ended. The running cell stops and reports it; when no cell runs, the
// next one reports it.
func (w *Worker) goroutinePanicked(pos string, v any) {
	w.goroutineEnded("the goroutine started at "+pos, v)
}

// goroutineEnded records the end of goroutine who ("the goroutine started
// at In[3]:4:2") by panic value v, which it recovered.
func (w *Worker) goroutineEnded(who string, v any) {
	p := goPanic{text: "panic in " + who + ": "}
	if code, ok := v.(exitCode); ok {
		p = goPanic{text: fmt.Sprintf("%s called os.Exit(%d)", who, int(code)), exit: true}
	} else if text, ok := gosrc.GoPanicText(fmt.Sprint(v)); ok {
		p.text += text
	} else {
		p.text += fmt.Sprint(v)
	}
	w.mu.Lock()
	w.goPanics = append(w.goPanics, p)
	id := w.running
	stop := id != 0 && !w.panicStop
	w.panicStop = w.panicStop || stop
	w.mu.Unlock()
	if stop {
		// A Go program ends when one of its goroutines panics: so does the
		// running cell, instead of waiting, perhaps forever, for what the
		// goroutine would have done.
		w.interrupt(id)
	}
}

// goroutineError is the error of a cell during or before which goroutines
// panicked: the cell's own error, if any, with the panics added to its
// traceback, or else an error of its own, named Exit when the first of
// them called os.Exit, as a cell that calls it is.
//
// stopped says that the first panic stopped the cell.
func goroutineError(panics []goPanic, cellErr *proto.Error, stopped bool) *proto.Error {
	texts := make([]string, len(panics))
	for k, p := range panics {
		texts[k] = p.text
	}
	note := "The goroutine ended; the worker and the notebook's variables are kept."
	if len(panics) > 1 {
		note = "The goroutines ended; the worker and the notebook's variables are kept."
	}
	if stopped {
		note = "The cell stopped there, as a Go program stops when a goroutine panics; the worker and the notebook's variables are kept."
	}
	if cellErr != nil {
		cellErr.Traceback = append(append(cellErr.Traceback, texts...), note)
		return cellErr
	}
	first, _, _ := strings.Cut(texts[0], "\n")
	name := proto.EnameGoroutine
	if panics[0].exit {
		name = proto.EnameExit
	}
	return &proto.Error{Name: name, Value: first, Traceback: append(texts, note)}
}

// afterFunc is time.AfterFunc for cells. Go runs f on a goroutine of its
// own, where a panic would end the worker: f's panic is recovered and
// reported as a go statement's is.
func (w *Worker) afterFunc(d time.Duration, f func()) *time.Timer {
	return time.AfterFunc(d, w.guard("the func that time.AfterFunc ran", f))
}

// contextAfterFunc is context.AfterFunc for cells, as afterFunc is
// time.AfterFunc.
func (w *Worker) contextAfterFunc(ctx context.Context, f func()) (stop func() bool) {
	return context.AfterFunc(ctx, w.guard("the func that context.AfterFunc ran", f))
}

// guard returns f, made to recover its panic and report it as the end of
// goroutine who.
func (w *Worker) guard(who string, f func()) func() {
	return func() {
		defer func() {
			if v := recover(); v != nil {
				w.goroutineEnded(who, v)
			}
		}()
		f()
	}
}
