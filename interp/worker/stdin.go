package worker

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
)

// stdinPipe is the worker's fd 0: a blocking pipe whose write end the
// worker keeps. Reads of fd 0 are plain read(2) calls, which
// blockedOnStdin can see.
type stdinPipe struct {
	mu  sync.Mutex
	w   int    // write end, or -1
	gen uint64 // counts the pipes put on fd 0
}

// newStdinPipe puts a fresh pipe on fd 0.
func newStdinPipe() (*stdinPipe, error) {
	p := &stdinPipe{w: -1}
	if err := p.reset(); err != nil {
		return nil, err
	}
	return p, nil
}

// reset closes the current write end, so that a blocked reader gets end of
// file, and puts a fresh pipe on fd 0 for the reads that follow.
func (p *stdinPipe) reset() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w >= 0 {
		unix.Close(p.w)
		p.w = -1
	}
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("worker: stdin pipe: %w", err)
	}
	if err := unix.Dup3(fds[0], 0, 0); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return fmt.Errorf("worker: stdin dup: %w", err)
	}
	unix.Close(fds[0])
	p.w = fds[1]
	p.gen++
	return nil
}

// generation tells which pipe fd 0 holds: it changes with every reset.
func (p *stdinPipe) generation() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gen
}

// write gives text to the reader of fd 0.
func (p *stdinPipe) write(text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := []byte(text)
	for len(b) > 0 {
		n, err := unix.Write(p.w, b)
		if err != nil {
			return fmt.Errorf("worker: write stdin: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// readable tells whether unread data waits in the pipe.
func (p *stdinPipe) readable() bool {
	n, err := unix.IoctlGetInt(0, unix.TIOCINQ)
	return err == nil && n > 0
}

// blockedOnStdin tells whether a thread of this process is blocked in a
// read(2) of fd 0 or of cells, the cells' copy of it (see cellStdio), or a
// thread of the running whole program (process program, when not 0) in a
// read of its fd 0. All of them read the same pipe. The threads' system
// calls come from /proc, through fifo.Tasks.
func blockedOnStdin(program, cells int) bool {
	pids := []int{os.Getpid()}
	if program != 0 {
		pids = append(pids, program)
	}
	for _, pid := range pids {
		tasks, err := fifo.Tasks(pid)
		if err != nil {
			continue
		}
		for _, t := range tasks {
			if t.Syscall == unix.SYS_READ && (t.FD == 0 || pid == pids[0] && t.FD == cells) {
				return true
			}
		}
	}
	return false
}
