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
		// during is GOMAXPROCS at the end of the cell, seen is what the
		// cell's runtime.GOMAXPROCS(0) returned, after is GOMAXPROCS after it.
		during, seen, after int
	}{
		{"short cell", func(p *procs) {}, 1, full, 1},
		{"long cell", func(p *procs) { time.Sleep(procsAfter + 40*time.Millisecond) }, full, full, 1},
		{"cell sets it", func(p *procs) {
			if prev := p.gomaxprocs(3); prev != full {
				t.Errorf("runtime.GOMAXPROCS(3) returned %d, want %d", prev, full)
			}
		}, 3, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GOMAXPROCS(1)
			p := &procs{full: full}
			ended := p.cellStarted()
			tt.cell(p)
			seen := p.gomaxprocs(0)
			during := runtime.GOMAXPROCS(0)
			ended()
			if during != tt.during {
				t.Errorf("GOMAXPROCS while the cell runs: %d, want %d", during, tt.during)
			}
			if seen != tt.seen {
				t.Errorf("the cell's runtime.GOMAXPROCS(0): %d, want %d", seen, tt.seen)
			}
			if got := runtime.GOMAXPROCS(0); got != tt.after {
				t.Errorf("GOMAXPROCS after the cell: %d, want %d", got, tt.after)
			}
		})
	}
}

// A timer that fires as its cell ends, or after, leaves the next cell
// and the pause between cells on one P.
func TestProcsLateTimer(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	p := &procs{full: 4}
	p.cellStarted()()
	p.raise(1) // the first cell's timer, late
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS after a late timer: %d, want 1", got)
	}
}
