package worker

import (
	"fmt"
	"strings"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// goroutinePanicked records the panic of a goroutine that a cell started
// with a go statement (gosrc.HostSymbols): the goroutine recovered it and
// ended. The running cell reports it when it ends; when no cell runs, the
// next one does.
func (w *Worker) goroutinePanicked(pos string, v any) {
	msg := fmt.Sprint(v)
	if text, ok := gosrc.GoPanicText(msg); ok {
		msg = text
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.goPanics = append(w.goPanics, "panic in the goroutine started at "+pos+": "+msg)
}

// goroutineError is the error of a cell during or before which goroutines
// panicked: the cell's own error, if any, with the panics added to its
// traceback, or else an error of its own.
func goroutineError(panics []string, cellErr *proto.Error) *proto.Error {
	note := "The goroutine ended; the worker and the notebook's variables are kept."
	if len(panics) > 1 {
		note = "The goroutines ended; the worker and the notebook's variables are kept."
	}
	if cellErr != nil {
		cellErr.Traceback = append(append(cellErr.Traceback, panics...), note)
		return cellErr
	}
	first, _, _ := strings.Cut(panics[0], "\n")
	return &proto.Error{Name: "GoroutinePanic", Value: first, Traceback: append(panics, note)}
}
