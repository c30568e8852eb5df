package worker

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's target percentage.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestGCBoost(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const mib = 1 << 20
	tests := []struct {
		name          string
		before        int
		live          []uint64 // the live heap at each boost; none: the cell ended first
		during, after int
	}{
		{"short cell", 100, nil, 100, 100},
		{"long cell, small heap", 100, []uint64{4 * mib}, boostMax, 100},
		{"long cell, 16 MiB live", 100, []uint64{16 * mib}, 800, 100},
		{"live heap grows", 100, []uint64{16 * mib, 64 * mib}, 200, 100},
		{"live heap passes the budget", 100, []uint64{16 * mib, 512 * mib}, 100, 100},
		{"live heap unknown", 100, []uint64{0}, boostMax, 100},
		{"GOGC=50", 50, []uint64{256 * mib}, 50, 50},
		{"GOGC=off", -1, []uint64{4 * mib}, -1, -1},
		{"GOGC=2000", 2000, []uint64{4 * mib}, 2000, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(tt.before)
			b := startGCBoost()
			b.t.Stop()
			for _, live := range tt.live {
				b.live = func() uint64 { return live }
				b.boost()
				b.t.Stop()
			}
			if got := gcPercent(); got != tt.during {
				t.Errorf("while the cell runs: GC percent %d, want %d", got, tt.during)
			}
			b.stop()
			b.boost() // a timer that fired as the cell ended changes nothing
			if got := gcPercent(); got != tt.after {
				t.Errorf("after the cell: GC percent %d, want %d", got, tt.after)
			}
		})
	}
}

func TestLiveHeap(t *testing.T) {
	runtime.GC() // the figure is the last collection's
	if liveHeap() == 0 {
		t.Error("liveHeap() = 0: runtime/metrics has no /gc/heap/live:bytes")
	}
}
