package worker

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// stdinPipe is the worker's fd 0: a blocking pipe whose write end the
// worker keeps. Reads of fd 0 are plain read(2) calls, which
// blockedOnStdin can see.
type stdinPipe struct {
	mu sync.Mutex
	w  int // write end, or -1
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
	return nil
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

// blockedOnStdin tells whether a thread of this process, or of the
// running whole program (process program, when not 0), is blocked in a
// read(2) of fd 0. Both read the same pipe.
func blockedOnStdin(program int) bool {
	tasks, _ := filepath.Glob("/proc/self/task/*/syscall")
	if program != 0 {
		more, _ := filepath.Glob("/proc/" + strconv.Itoa(program) + "/task/*/syscall")
		tasks = append(tasks, more...)
	}
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		f := bytes.Fields(b)
		if len(f) < 2 {
			continue
		}
		nr, err1 := strconv.Atoi(string(f[0]))
		fd, err2 := strconv.ParseUint(string(bytes.TrimPrefix(f[1], []byte("0x"))), 16, 64)
		if err1 == nil && err2 == nil && nr == unix.SYS_READ && fd == 0 {
			return true
		}
	}
	return false
}
