package interp

import (
	"fmt"
	"time"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/interp/fifo/waitline"
	"github.com/beacceaf/gokernel/kernel"
)

// Explaining a blocked cell.
//
// When a cell has been blocked for waitline.After in an open, read or write
// of a FIFO, the kernel shows one status line in the cell's output, such as
//
//	waiting in open("my_fifo", O_WRONLY): no reader has opened it yet
//
// and updates it in place (through a display id) until the call returns.
// A second line then says how long the call waited; the first stays, so
// that a saved notebook still shows why the cell waited. The facts come from /proc,
// through fifo.Tasks: each thread's current system call and its
// arguments, the descriptor's path, and the wchan.

// A blockedWatch runs watchBlocked for one cell, from waitline.After into
// the cell on. A cell that ends sooner, as most do, costs a timer: no
// goroutine is started.
type blockedWatch struct {
	t    *time.Timer
	stop chan struct{}
	done chan struct{} // closed when watchBlocked has returned
}

// startBlockedWatch starts watching process pid for the running cell.
func startBlockedWatch(pid int, dir func() string, out kernel.Output) *blockedWatch {
	w := &blockedWatch{stop: make(chan struct{}), done: make(chan struct{})}
	w.t = time.AfterFunc(waitline.After, func() {
		defer close(w.done)
		watchBlocked(pid, dir, out, w.stop)
	})
	return w
}

// Stop ends the watch and waits until its last report has gone to out.
func (w *blockedWatch) Stop() {
	close(w.stop)
	if !w.t.Stop() {
		<-w.done
	}
}

// watchBlocked reports blocked FIFO calls of process pid on out until stop
// is closed. The cell has run for waitline.After when it is called.
func watchBlocked(pid int, dir func() string, out kernel.Output, stop <-chan struct{}) {
	base := fmt.Sprintf("gokernel-blocked-%d-%d", pid, time.Now().UnixNano())
	n := 0
	var cur *waitline.Call
	finish := func() { // the call returned: say how long it waited
		if cur != nil {
			out.Update(kernel.Text(cur.Done()), nil, fmt.Sprint(base, "-", n))
			cur = nil
		}
	}
	t := time.NewTicker(waitline.Poll)
	defer t.Stop()
	for {
		call := findBlocked(pid, dir())
		if cur != nil && (call == nil || call.What != cur.What) {
			finish()
		}
		if call != nil && cur == nil {
			n++
			call.Since = time.Now()
			if n == 1 {
				call.Since = call.Since.Add(-waitline.After) // it was blocked before we looked
			}
			cur = call
			out.Display(kernel.Text(call.Waiting()), nil, fmt.Sprint(base, "-", n))
		}
		select {
		case <-stop:
			finish()
			return
		case <-t.C:
		}
	}
}

// findBlocked looks through the threads of pid, as package fifo reads
// them from /proc, for one blocked in an open, read or write of a named
// FIFO. Reads and writes of anonymous pipes, such as the worker's own
// stdin, are not reported.
func findBlocked(pid int, dir string) *waitline.Call {
	tasks, err := fifo.Tasks(pid)
	if err != nil {
		return nil
	}
	for _, t := range tasks {
		if c, ok := waitline.Describe(t, dir); ok {
			return &c
		}
	}
	return nil
}
