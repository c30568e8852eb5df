package interp

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/kernel"
)

// Explaining a blocked cell.
//
// When a cell has been blocked for blockedAfter in an open, read or write
// of a FIFO, the kernel shows one status line in the cell's output, such as
//
//	waiting in open("my_fifo", O_WRONLY): no reader has opened it yet
//
// and updates it in place (through a display id) until the call returns.
// A second line then says how long the call waited; the first stays, so
// that a saved notebook still shows why the cell waited. The facts come from /proc,
// through fifo.Tasks: each thread's current system call and its
// arguments, the descriptor's path, and the wchan.
const (
	blockedAfter = 2 * time.Second
	blockedPoll  = 250 * time.Millisecond
)

// blockedCall is a system call a worker thread is blocked in.
type blockedCall struct {
	what  string // `open("my_fifo", O_WRONLY)`
	why   string // "no reader has opened it yet"
	since time.Time
}

// watchBlocked reports blocked FIFO calls of process pid on out until stop
// is closed.
func watchBlocked(pid int, dir func() string, out kernel.Output, stop <-chan struct{}) {
	select {
	case <-stop:
		return
	case <-time.After(blockedAfter):
	}
	base := fmt.Sprintf("gokernel-blocked-%d-%d", pid, time.Now().UnixNano())
	n := 0
	var cur *blockedCall
	finish := func() { // the call returned: say how long it waited
		if cur != nil {
			out.Update(kernel.Text(doneText(cur)), nil, fmt.Sprint(base, "-", n))
			cur = nil
		}
	}
	t := time.NewTicker(blockedPoll)
	defer t.Stop()
	for {
		call := findBlocked(pid, dir())
		if cur != nil && (call == nil || call.what != cur.what) {
			finish()
		}
		if call != nil && cur == nil {
			n++
			call.since = time.Now()
			if n == 1 {
				call.since = call.since.Add(-blockedAfter) // it was blocked before we looked
			}
			cur = call
			out.Display(kernel.Text("waiting in "+call.what+": "+call.why), nil, fmt.Sprint(base, "-", n))
		}
		select {
		case <-stop:
			finish()
			return
		case <-t.C:
		}
	}
}

func doneText(c *blockedCall) string {
	return fmt.Sprintf("waiting in %s: %s\n%s waited %.1f s", c.what, c.why, c.what, time.Since(c.since).Seconds())
}

// findBlocked looks through the threads of pid, as package fifo reads
// them from /proc, for one blocked in an open, read or write of a named
// FIFO. Reads and writes of anonymous pipes, such as the worker's own
// stdin, are not reported.
func findBlocked(pid int, dir string) *blockedCall {
	tasks, err := fifo.Tasks(pid)
	if err != nil {
		return nil
	}
	for _, t := range tasks {
		switch t.Block {
		case fifo.BlockOpen:
			if t.Path == "" || t.Flags < 0 {
				continue
			}
			mode, why := "O_RDONLY", "no writer has opened it yet"
			if t.Flags&unix.O_ACCMODE == unix.O_WRONLY {
				mode, why = "O_WRONLY", "no reader has opened it yet"
			}
			return &blockedCall{what: fmt.Sprintf("open(%q, %s)", t.Path, mode), why: why}
		case fifo.BlockRead, fifo.BlockWrite:
			if t.FD < 0 || !isFIFO(t.Path) {
				continue
			}
			name := relative(t.Path, dir)
			if t.Block == fifo.BlockRead {
				return &blockedCall{what: fmt.Sprintf("read(fd %d → %s)", t.FD, name), why: "writers attached, no data"}
			}
			return &blockedCall{what: fmt.Sprintf("write(fd %d → %s)", t.FD, name), why: "the FIFO is full and its reader is not reading"}
		}
	}
	return nil
}

func relative(path, dir string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func isFIFO(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFIFO
}
