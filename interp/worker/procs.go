package worker

import (
	"os"
	"runtime"
	"sync"
	"time"
)

// The worker runs Go on one P between cells and in short cells, and on as
// many as a Go program would get once a cell has run for procsAfter.
//
// Most cells are short: the worker reads the request, compiles and runs
// the cell in well under a millisecond, and answers. With every P in use,
// each hand-off between its goroutines (the request reader and the exec
// loop, a cell's timers) wakes an idle thread that spins looking for work
// and then sleeps again. On a machine of two CPUs, shared by the front
// end, the kernel and the worker, those threads took the CPU that the
// front end needed to read the kernel's messages, and a trivial cell came
// back 10–15 % later. A cell that computes for longer than procsAfter, or
// waits on goroutines that do, gets every P for the rest of its run, so it
// runs its goroutines, and the collector, in parallel, as a Go program
// does; the worker goes back to one P when the cell ends.
//
// Cells see Go's value: runtime.GOMAXPROCS(0) returns what a Go program
// would have, and a cell that sets it takes the decision over for the rest
// of the session. With GOMAXPROCS in the environment, the worker leaves
// it alone.
const procsAfter = 10 * time.Millisecond

// A procs decides the worker's GOMAXPROCS.
type procs struct {
	mu     sync.Mutex
	full   int  // what a Go program would have; 0: the policy stands aside
	raised bool   // full is in force for the running cell
	user   bool   // a cell set GOMAXPROCS: the policy stands aside
	cell   uint64 // counts the cells started, so that a late timer finds its own
}

// newProcs takes the worker down to one P, unless GOMAXPROCS is set in the
// environment or the machine has one CPU anyway.
func newProcs() *procs {
	p := &procs{}
	if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) > 1 {
		p.full = runtime.GOMAXPROCS(1)
	}
	return p
}

// cellStarted gives the running cell every P after procsAfter, unless
// the returned function, which the cell's end calls, comes first; that
// function goes back to one P.
func (p *procs) cellStarted() (ended func()) {
	if p.full == 0 {
		return func() {}
	}
	p.mu.Lock()
	p.cell++
	cell := p.cell
	p.mu.Unlock()
	t := time.AfterFunc(procsAfter, func() { p.raise(cell) })
	return func() {
		t.Stop()
		p.lower()
	}
}

// raise gives cell every P, if it still runs.
func (p *procs) raise(cell uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.user && !p.raised && p.cell == cell {
		p.raised = true
		runtime.GOMAXPROCS(p.full)
	}
}

// lower ends the running cell: back to one P.
func (p *procs) lower() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cell++
	if !p.user && p.raised {
		p.raised = false
		runtime.GOMAXPROCS(1)
	}
}

// gomaxprocs is runtime.GOMAXPROCS as cells see it.
func (p *procs) gomaxprocs(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev := runtime.GOMAXPROCS(0)
	if p.full > 0 && !p.user {
		prev = p.full
	}
	if n > 0 {
		p.user = true
		runtime.GOMAXPROCS(n)
	}
	return prev
}
