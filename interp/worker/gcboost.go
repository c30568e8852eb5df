package worker

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// A cell that computes for long spends a third of its time in Go's
// collector: yaegi allocates a frame on every interpreted call and a
// value on most operations (ken/divconst.go: 15 s of CPU at the default
// GOGC of 100, 10.9 s at 400, 9.2 s at 1600). Once a cell has run for
// boostAfter, the worker lets its heap grow by about boostBudget beyond
// what is live before each collection: the target percentage becomes
// 100 × boostBudget / live, at most boostMax and never below what it was.
// It recomputes that every boostAfter while the cell runs, so a cell whose
// live heap grows gets a lower percentage, down to the usual one once the
// live heap passes boostBudget; and it goes back to the usual percentage
// when the cell ends. Short cells, which are most cells, never change it,
// so the worker's memory between cells stays as it was.
const (
	boostAfter  = 500 * time.Millisecond
	boostBudget = 128 << 20
	boostMax    = 1600
)

// gcBoost raises the collector's target percentage while one long cell
// runs.
type gcBoost struct {
	live func() uint64 // the live heap in bytes; 0 if unknown

	mu     sync.Mutex
	t      *time.Timer
	done   bool // stop has run: boost must not raise it any more
	raised bool // boost changed it from prev
	prev   int
}

// startGCBoost raises the target after boostAfter unless stop comes first.
func startGCBoost() *gcBoost {
	b := &gcBoost{live: liveHeap}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.t = time.AfterFunc(boostAfter, b.boost)
	return b
}

// boost sets the target for the live heap now, and again after boostAfter.
func (b *gcBoost) boost() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	if !b.raised {
		// Learn the usual percentage by raising it, which never starts a
		// collection (reading it with SetGCPercent(-1) would wait for one
		// that runs to finish).
		prev := debug.SetGCPercent(boostMax)
		if prev < 0 || prev >= boostMax {
			debug.SetGCPercent(prev) // GOGC=off, or already as high: leave it
			return
		}
		b.prev, b.raised = prev, true
	}
	debug.SetGCPercent(boostPercent(b.live(), b.prev))
	b.t = time.AfterFunc(boostAfter, b.boost)
}

// boostPercent is the target percentage that lets a heap of live bytes
// grow by about boostBudget, within [usual, boostMax].
func boostPercent(live uint64, usual int) int {
	p := boostMax
	if live > 0 {
		p = int(min(uint64(boostMax), 100*boostBudget/live))
	}
	return max(p, usual)
}

// stop puts the target back as it was before the cell.
func (b *gcBoost) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.t.Stop()
	b.done = true
	if b.raised {
		debug.SetGCPercent(b.prev)
	}
}

// liveHeap is the heap that the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
