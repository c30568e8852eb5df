// Package waitline words the status line that explains a process blocked
// on a named FIFO, as gokernel shows it under a cell, a shell command or a
// job:
//
//	waiting in open("my_fifo", O_WRONLY): no reader has opened it yet
//
// and, once the call has returned, the same line with how long the call
// waited under it, so that a saved notebook still shows why. The facts
// come from package fifo's view of /proc; a [Watch] decides when a line
// appears and when it is done, the same way for all three.
package waitline

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
)

// The status line's timing, shared by every place that shows one: a
// process must have been blocked in a FIFO call for After before its line
// appears, and the line is refreshed every Poll.
const (
	After = 2 * time.Second
	Poll  = 250 * time.Millisecond
)

// A Call is a FIFO call that a process was found blocked in.
type Call struct {
	What  string    // the call, such as `open("my_fifo", O_WRONLY)`
	Why   string    // what it waits for, such as "no reader has opened it yet"
	Since time.Time // when it was first seen blocked; the caller sets it
}

// Describe says what task t waits for. ok is false when t is not blocked
// on a named FIFO: an anonymous pipe, such as a job's stdin or the
// worker's, is not what the status line is about. Paths under dir are
// shown relative to it.
func Describe(t fifo.Task, dir string) (c Call, ok bool) {
	path := t.Path
	switch {
	case path == "":
		path = "a FIFO"
	case strings.HasPrefix(path, "pipe:"):
		return Call{}, false
	case filepath.IsAbs(path):
		if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
			path = rel
		}
	}
	switch t.Block {
	case fifo.BlockOpen:
		switch {
		case t.Flags >= 0 && t.Flags&unix.O_ACCMODE == unix.O_WRONLY:
			return Call{What: fmt.Sprintf("open(%q, O_WRONLY)", path), Why: "no reader has opened it yet"}, true
		case t.Flags >= 0 && t.Flags&unix.O_ACCMODE == unix.O_RDONLY:
			return Call{What: fmt.Sprintf("open(%q, O_RDONLY)", path), Why: "no writer has opened it yet"}, true
		}
		return Call{What: fmt.Sprintf("open(%q)", path), Why: "its other end has not been opened yet"}, true
	case fifo.BlockRead:
		return Call{What: fmt.Sprintf("read(fd %d → %s)", t.FD, path), Why: "writers attached, no data"}, true
	case fifo.BlockWrite:
		return Call{What: fmt.Sprintf("write(fd %d → %s)", t.FD, path), Why: "the FIFO is full and its reader is not reading"}, true
	}
	return Call{}, false
}

// Waiting is the status line while the call waits.
func (c Call) Waiting() string { return "waiting in " + c.What + ": " + c.Why }

// Waited says how long the call has waited since c.Since.
func (c Call) Waited() string {
	return fmt.Sprintf("%s waited %.1f s", c.What, time.Since(c.Since).Seconds())
}

// Done is the status line once the call has returned: Waiting, and Waited
// under it.
func (c Call) Done() string { return c.Waiting() + "\n" + c.Waited() }
