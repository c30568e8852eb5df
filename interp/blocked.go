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

// startBlockedWatch shows, in out, a status line for each FIFO call that
// process pid stays blocked in while the cell runs (see waitline.Watch).
// Paths are shown relative to dir, asked when a call is found. Call Stop
// when the cell has ended.
func startBlockedWatch(pid int, dir func() string, out kernel.Output) *waitline.Watch {
	base := fmt.Sprintf("gokernel-blocked-%d-%d", pid, time.Now().UnixNano())
	n := 0 // show and done run on the watch's goroutine, one at a time
	return waitline.Start(
		func() *waitline.Call { return findBlocked(pid, dir()) },
		func(c *waitline.Call) {
			n++
			out.Display(kernel.Text(c.Waiting()), nil, fmt.Sprint(base, "-", n))
		},
		func(c *waitline.Call) {
			out.Update(kernel.Text(c.Done()), nil, fmt.Sprint(base, "-", n))
		})
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
