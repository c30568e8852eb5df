package kernel

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Collecting the kernel's garbage between requests.
//
// The kernel's heap is small (its protocol state and the output on its
// way), so the Go runtime collects it often: at cmd/gokernel's GOGC of 25,
// every 20 to 30 trivial cells. A collection that starts inside a cell
// runs while the cell's worker and the client both want a CPU, and on two
// CPUs it made about one cell in fifty 0.6–0.8 ms slower, most of the
// slowest 1 %. So once a request's idle status is out, the server looks
// whether the heap has used more than collectAt of its way from the live
// heap to the runtime's goal, and if it has, collects in the background:
// the client is then reading the reply, and the cell's worker is asleep.
// A request that comes meanwhile is served at once, since the collector's
// marking yields the P to it. The natural trigger, at 70 % or more of the
// way, stays for requests that allocate more than a trivial cell.
//
// With GOGC=off the goal is out of reach and nothing is collected here.
const collectAt = 0.6

// An idleCollector starts at most one background collection at a time.
type idleCollector struct {
	running atomic.Bool
	wg      sync.WaitGroup // the running collection, for wait

	mu      sync.Mutex // guards samples
	samples [3]metrics.Sample
}

func newIdleCollector() *idleCollector {
	c := &idleCollector{}
	c.samples[0].Name = "/gc/heap/goal:bytes"
	c.samples[1].Name = "/gc/heap/live:bytes"
	c.samples[2].Name = "/memory/classes/heap/objects:bytes"
	return c
}

// collectIfDue starts a collection in the background if the heap is due
// for one (see collectAt) and none is running, and tells whether it
// started one. It does not wait for the collection.
func (c *idleCollector) collectIfDue() bool {
	if c.running.Load() {
		return false
	}
	c.mu.Lock()
	metrics.Read(c.samples[:])
	goal, live, heap := c.samples[0].Value.Uint64(), c.samples[1].Value.Uint64(), c.samples[2].Value.Uint64()
	c.mu.Unlock()
	if !collectionDue(goal, live, heap) || !c.running.CompareAndSwap(false, true) {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer c.running.Store(false)
		// Let the goroutines that write the idle message to IOPub (zmq4's
		// and the batching connection's) go first: on the kernel's one P
		// the collector's marking would otherwise run ahead of them.
		runtime.Gosched()
		runtime.Gosched()
		runtime.GC()
	}()
	return true
}

// wait waits for a collection that collectIfDue started, if one runs.
func (c *idleCollector) wait() { c.wg.Wait() }

// collectionDue tells whether a heap of heap bytes has used more than
// collectAt of the way from live, the heap that the last collection
// kept, to goal, where the runtime would collect at the latest.
func collectionDue(goal, live, heap uint64) bool {
	if goal <= live || heap <= live {
		return false
	}
	return float64(heap-live) > collectAt*float64(goal-live)
}
