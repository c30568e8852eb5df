package magics

import (
	"context"
	"fmt"
	"time"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/interp/fifo/waitline"
	"github.com/beacceaf/gokernel/kernel"
)

// Explaining a blocked command or job.
//
// A `!` command, a %%bash or %%sh script, a %run line or a background job
// that has been blocked for waitline.After in an open, read or write of a
// named FIFO gets a status line, as a Go cell does (package interp shows
// those):
//
//	waiting in open("my_fifo", O_WRONLY): no reader has opened it yet
//
// A command's line is a display in its cell; once the call returns, it
// gets how long the call waited under it (waitline.Call.Done). A job's line is the last line of its RUN
// LOG while it waits, and becomes "open(…) waited 3.2 s" when the call
// returns. The facts come from package fifo, which reads /proc for the
// process and the processes it started.
const (
	// blockedLook bounds one look of fifo.WaitBlocked, which looks once
	// before it first checks its context: a look is one pass over /proc.
	blockedLook = time.Millisecond
)

// lookBlocked returns the call on a named FIFO that process pid, or a
// process it started, is blocked in now, or nil. dir is the directory that
// paths are shown relative to.
func lookBlocked(pid int, dir string) *waitline.Call {
	ctx, cancel := context.WithTimeout(context.Background(), blockedLook)
	defer cancel()
	t, err := fifo.WaitBlocked(ctx, pid)
	if err != nil {
		return nil
	}
	c, ok := waitline.Describe(t, dir)
	if !ok {
		return nil
	}
	return &c
}

// explainBlocked shows, in out, a status line for each FIFO call that
// process pid, or a process it started, stays blocked in for waitline.After,
// and replaces it with how long the call waited once it returns. Call Stop
// when the process has ended.
func explainBlocked(pid int, dir string, out kernel.Output) *waitline.Watch {
	base := fmt.Sprintf("gokernel-blocked-cmd-%d-%s", pid, randomHex())
	n := 0 // show and done run on the watch's goroutine, one at a time
	return waitline.Start(
		func() *waitline.Call { return lookBlocked(pid, dir) },
		func(b *waitline.Call) {
			n++
			out.Display(kernel.Text(b.Waiting()), nil, fmt.Sprintf("%s-%d", base, n))
		},
		func(b *waitline.Call) {
			// The reason stays above the duration: a saved notebook shows both.
			out.Update(kernel.Text(b.Done()), nil, fmt.Sprintf("%s-%d", base, n))
		})
}
