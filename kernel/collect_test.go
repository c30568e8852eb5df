package kernel

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestCollectionDue(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		name             string
		goal, live, heap uint64
		want             bool
	}{
		{"just collected", 4 * mib, 3 * mib, 3 * mib, false},
		{"half way", 4 * mib, 3 * mib, 3*mib + mib/2, false},
		{"two thirds of the way", 4 * mib, 3 * mib, 3*mib + 2*mib/3, true},
		{"past the goal", 4 * mib, 3 * mib, 5 * mib, true},
		{"heap below live", 4 * mib, 3 * mib, 2 * mib, false},
		{"GOGC=off: goal out of reach", ^uint64(0), 3 * mib, 100 * mib, false},
		{"no way to go", 3 * mib, 3 * mib, 4 * mib, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := collectionDue(tt.goal, tt.live, tt.heap); got != tt.want {
				t.Errorf("collectionDue(%d, %d, %d) = %v, want %v", tt.goal, tt.live, tt.heap, got, tt.want)
			}
		})
	}
}

// forcedCycles is the number of collections that runtime.GC has made.
func forcedCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestIdleCollector checks, on this process's own heap, that the collector
// leaves a heap that was just collected alone and collects, once, a heap
// that has gone most of the way to its goal.
func TestIdleCollector(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	c := newIdleCollector()
	runtime.GC()
	before := forcedCycles()
	if c.collectIfDue() {
		t.Fatal("collectIfDue started a collection of a heap that was just collected")
	}

	// Allocate garbage until the collector finds the heap due; the
	// runtime's own trigger comes later, at 70 % of the way or more.
	var sink []byte
	started := false
	for i := 0; i < 1<<20 && !started; i++ {
		sink = make([]byte, 512)
		started = c.collectIfDue()
	}
	_ = sink
	if !started {
		t.Fatal("collectIfDue never found the heap due")
	}
	if c.collectIfDue() {
		t.Error("collectIfDue started a second collection while one ran")
	}
	c.wait()
	if got := forcedCycles(); got <= before {
		t.Errorf("forced collections: %d before, %d after collectIfDue; want more", before, got)
	}
	if c.running.Load() {
		t.Error("the collector still counts a collection as running after it ended")
	}
}
