package worker

import (
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
	tests := []struct {
		name          string
		before        int
		fire          bool // the cell ran longer than boostAfter
		during, after int
	}{
		{"short cell", 100, false, 100, 100},
		{"long cell", 100, true, boostPercent, 100},
		{"GOGC=50", 50, true, boostPercent, 50},
		{"GOGC=off", -1, true, -1, -1},
		{"GOGC=800", 800, true, 800, 800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(tt.before)
			b := startGCBoost()
			if tt.fire {
				b.t.Stop()
				b.boost()
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
