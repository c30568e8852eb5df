package worker

import (
	"runtime/debug"
	"sync"
	"time"
)

// A cell that computes for long spends a third of its time in Go's
// collector: yaegi allocates a frame on every interpreted call and a
// value on most operations (ken/divconst.go: 15 s of CPU at the default
// GOGC of 100, 10.6 s at 400). Once a cell has run for boostAfter, the
// worker lets its heap grow to boostPercent before each collection, and
// goes back to the default when the cell ends. Short cells, which are
// most cells, never change it, so the worker's memory between cells stays
// as it was.
const (
	boostAfter   = 500 * time.Millisecond
	boostPercent = 400
)

// gcBoost raises the collector's target percentage while one long cell
// runs.
type gcBoost struct {
	t      *time.Timer
	mu     sync.Mutex
	done   bool // stop has run: boost must not raise it any more
	raised bool // boost raised it from prev
	prev   int
}

// startGCBoost raises the target after boostAfter unless stop comes first.
func startGCBoost() *gcBoost {
	b := &gcBoost{}
	b.t = time.AfterFunc(boostAfter, b.boost)
	return b
}

func (b *gcBoost) boost() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	prev := debug.SetGCPercent(boostPercent)
	if prev < 0 || prev >= boostPercent {
		// GOGC=off, or already as high: leave it.
		debug.SetGCPercent(prev)
		return
	}
	b.prev, b.raised = prev, true
}

// stop puts the target back as it was before the cell.
func (b *gcBoost) stop() {
	b.t.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if b.raised {
		debug.SetGCPercent(b.prev)
	}
}
