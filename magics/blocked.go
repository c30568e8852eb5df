package magics

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/kernel"
)

// Explaining a blocked command or job.
//
// A `!` command, a %%bash or %%sh script, a %run line or a background job
// that has been blocked for blockedAfter in an open, read or write of a
// named FIFO gets a status line, as a Go cell does (package interp shows
// those):
//
//	waiting in open("my_fifo", O_WRONLY): no reader has opened it yet
//
// A command's line is a display in its cell, replaced once the call
// returns by how long it waited. A job's line is the last line of its RUN
// LOG while it waits, and becomes "open(…) waited 3.2 s" when the call
// returns. The facts come from package fifo, which reads /proc for the
// process and the processes it started.
const (
	blockedAfter = 2 * time.Second
	blockedPoll  = 250 * time.Millisecond
	// blockedLook bounds one look of fifo.WaitBlocked, which looks once
	// before it first checks its context: a look is one pass over /proc.
	blockedLook = time.Millisecond
)

// A blockedCall is a FIFO call that a process was found blocked in.
type blockedCall struct {
	what  string // `open("my_fifo", O_WRONLY)`
	why   string // "no reader has opened it yet"
	since time.Time
}

func (b *blockedCall) waiting() string { return "waiting in " + b.what + ": " + b.why }

func (b *blockedCall) waited() string {
	return fmt.Sprintf("%s waited %.1f s", b.what, time.Since(b.since).Seconds())
}

// lookBlocked returns the call on a named FIFO that process pid, or a
// process it started, is blocked in now, or nil. dir is the directory that
// paths are shown relative to.
func lookBlocked(pid int, dir string) *blockedCall {
	ctx, cancel := context.WithTimeout(context.Background(), blockedLook)
	defer cancel()
	t, err := fifo.WaitBlocked(ctx, pid)
	if err != nil {
		return nil
	}
	return describeBlocked(t, dir)
}

// describeBlocked says what task t waits for; nil for an anonymous pipe,
// such as a job's stdin, which is not what the status line is about.
func describeBlocked(t fifo.Task, dir string) *blockedCall {
	path := t.Path
	if path == "" {
		path = "a FIFO"
	} else if strings.HasPrefix(path, "pipe:") {
		return nil
	} else if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsAbs(path) && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	switch t.Block {
	case fifo.BlockOpen:
		if t.Flags >= 0 && t.Flags&unix.O_ACCMODE == unix.O_WRONLY {
			return &blockedCall{what: fmt.Sprintf("open(%q, O_WRONLY)", path), why: "no reader has opened it yet"}
		}
		if t.Flags >= 0 && t.Flags&unix.O_ACCMODE == unix.O_RDONLY {
			return &blockedCall{what: fmt.Sprintf("open(%q, O_RDONLY)", path), why: "no writer has opened it yet"}
		}
		return &blockedCall{what: fmt.Sprintf("open(%q)", path), why: "its other end has not been opened yet"}
	case fifo.BlockRead:
		return &blockedCall{what: fmt.Sprintf("read(fd %d → %s)", t.FD, path), why: "writers attached, no data"}
	case fifo.BlockWrite:
		return &blockedCall{what: fmt.Sprintf("write(fd %d → %s)", t.FD, path), why: "the FIFO is full and its reader is not reading"}
	}
	return nil
}

// A blockedWatch looks every blockedPoll for a FIFO call that a process is
// blocked in, and reports each one that lasts blockedAfter: show when it
// is first seen so, done when it returns (or the watch stops).
type blockedWatch struct {
	stop chan struct{}
	done chan struct{}
}

// watchBlocked starts a watch of process pid; paths are shown relative to
// dir. show and done are called from the watch's goroutine only.
func watchBlocked(pid int, dir string, show, done func(*blockedCall)) *blockedWatch {
	w := &blockedWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(blockedPoll)
		defer t.Stop()
		var cur *blockedCall // the call being watched, since it was first seen
		shown := false
		for {
			call := lookBlocked(pid, dir)
			if cur != nil && (call == nil || call.what != cur.what) {
				if shown {
					done(cur)
				}
				cur, shown = nil, false
			}
			if call != nil && cur == nil {
				call.since = time.Now()
				cur = call
			}
			if cur != nil && !shown && time.Since(cur.since) >= blockedAfter {
				show(cur)
				shown = true
			}
			select {
			case <-w.stop:
				if shown {
					done(cur)
				}
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Stop ends the watch and waits for its goroutine, which reports the
// call it showed, if any, as done.
func (w *blockedWatch) Stop() {
	close(w.stop)
	<-w.done
}

// explainBlocked shows, in out, a status line for each FIFO call that
// process pid, or a process it started, stays blocked in for blockedAfter,
// and replaces it with how long the call waited once it returns. Call Stop
// when the process has ended.
func explainBlocked(pid int, dir string, out kernel.Output) *blockedWatch {
	base := fmt.Sprintf("gokernel-blocked-cmd-%d-%s", pid, randomHex())
	n := 0 // show and done run on the watch's goroutine, one at a time
	return watchBlocked(pid, dir,
		func(b *blockedCall) {
			n++
			out.Display(kernel.Text(b.waiting()), nil, fmt.Sprintf("%s-%d", base, n))
		},
		func(b *blockedCall) {
			// The reason stays above the duration: a saved notebook shows both.
			out.Update(kernel.Text(b.waiting()+"\n"+b.waited()), nil, fmt.Sprintf("%s-%d", base, n))
		})
}
