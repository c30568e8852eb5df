package worker

import (
	"runtime"
	"testing"
	"time"
)

func TestProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const full = 4
	tests := []struct {
		name string
		cell func(p *procs)
		left int // goroutines the cell leaves running
		// during is GOMAXPROCS at the end of the cell, seen is what the
		// cell's runtime.GOMAXPROCS(0) returned, after is GOMAXPROCS after it.
		during, seen, after int
	}{
		{"short cell", func(p *procs) {}, 0, 1, full, 1},
		{"long cell", func(p *procs) { time.Sleep(procsAfter + 40*time.Millisecond) }, 0, full, full, 1},
		{"short cell that leaves a goroutine", func(p *procs) {}, 1, 1, full, full},
		{"long cell that leaves a goroutine", func(p *procs) { time.Sleep(procsAfter + 40*time.Millisecond) }, 1, full, full, full},
		{"cell sets it", func(p *procs) {
			if prev := p.gomaxprocs(3); prev != full {
				t.Errorf("runtime.GOMAXPROCS(3) returned %d, want %d", prev, full)
			}
		}, 0, 3, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GOMAXPROCS(1)
			p := &procs{full: full, idle: -1}
			const base = 5 // the worker's own goroutines
			ended := p.cellStarted(base)
			tt.cell(p)
			seen := p.gomaxprocs(0)
			during := runtime.GOMAXPROCS(0)
			ended(base + tt.left)
			if during != tt.during {
				t.Errorf("GOMAXPROCS while the cell runs: %d, want %d", during, tt.during)
			}
			if seen != tt.seen {
				t.Errorf("the cell's runtime.GOMAXPROCS(0): %d, want %d", seen, tt.seen)
			}
			if got := runtime.GOMAXPROCS(0); got != tt.after {
				t.Errorf("GOMAXPROCS after the cell: %d, want %d", got, tt.after)
			}
			// The next cell starts with what this one left, and ends
			// after those goroutines have: back to one P, unless a cell
			// set it.
			p.cellStarted(base + tt.left)(base)
			want := 1
			if p.user {
				want = 3
			}
			if got := runtime.GOMAXPROCS(0); got != want {
				t.Errorf("GOMAXPROCS after the next cell, the goroutines gone: %d, want %d", got, want)
			}
		})
	}
}

// A timer that fires as its cell ends, or after, leaves the next cell
// and the pause between cells on one P.
func TestProcsLateTimer(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	p := &procs{full: 4, idle: -1}
	p.cellStarted(5)(5)
	p.raise(1) // the first cell's timer, late
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS after a late timer: %d, want 1", got)
	}
}
