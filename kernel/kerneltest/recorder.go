package kerneltest

import (
	"context"
	"strings"
	"sync"

	"github.com/beacceaf/gokernel/kernel"
)

// An Event is one thing a Recorder was given.
type Event struct {
	Kind      string // "stream", "display", "update" or "clear"
	Stream    string // "stdout" or "stderr", for Kind "stream"
	Text      string
	Bundle    kernel.Bundle
	DisplayID string
	Wait      bool
}

// A Recorder is a kernel.Output that records what it is given, for tests.
// It is safe for concurrent use. Its Input answers from Inputs, in order,
// and fails with kernel.ErrNoStdin when none is left.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	Inputs []string
}

var _ kernel.Output = (*Recorder)(nil)

// Stream implements kernel.Output. Consecutive text of one stream is
// merged into one event.
func (r *Recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.events); n > 0 && r.events[n-1].Kind == "stream" && r.events[n-1].Stream == name {
		r.events[n-1].Text += text
		return
	}
	r.events = append(r.events, Event{Kind: "stream", Stream: name, Text: text})
}

// Display implements kernel.Output.
func (r *Recorder) Display(b kernel.Bundle, metadata map[string]any, id string) {
	r.add(Event{Kind: "display", Bundle: b, DisplayID: id})
}

// Update implements kernel.Output.
func (r *Recorder) Update(b kernel.Bundle, metadata map[string]any, id string) {
	r.add(Event{Kind: "update", Bundle: b, DisplayID: id})
}

// ClearOutput implements kernel.Output.
func (r *Recorder) ClearOutput(wait bool) { r.add(Event{Kind: "clear", Wait: wait}) }

// Flush implements kernel.Output; a Recorder has nothing buffered.
func (r *Recorder) Flush() {}

// Input implements kernel.Output.
func (r *Recorder) Input(ctx context.Context, prompt string, password bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.Inputs) == 0 {
		return "", kernel.ErrNoStdin
	}
	s := r.Inputs[0]
	r.Inputs = r.Inputs[1:]
	return s, nil
}

func (r *Recorder) add(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Events returns a copy of what was recorded so far.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Stdout returns all text written to stdout.
func (r *Recorder) Stdout() string { return r.text("stdout") }

// Stderr returns all text written to stderr.
func (r *Recorder) Stderr() string { return r.text("stderr") }

func (r *Recorder) text(stream string) string {
	var b strings.Builder
	for _, e := range r.Events() {
		if e.Kind == "stream" && e.Stream == stream {
			b.WriteString(e.Text)
		}
	}
	return b.String()
}
