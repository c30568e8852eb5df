package worker

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// cellStdio holds the os.Stdin, os.Stdout and os.Stderr that cells see:
// duplicates of the worker's fd 0, fd 1 and fd 2. A cell that closes one,
// as Go code often does with a file it was handed (`out := os.Stdout; …;
// defer out.Close()`), closes only its copy: the worker's own descriptors
// stay open, so its fmt output and input, markers and crash reports still
// work, and the next cell gets a new copy. Reads and writes through a
// copy go to the same pipe, in order with every other read or write of
// it. The fields change only between cells, when a cell has closed a copy
// or, for stdin, when the worker has put a new pipe on fd 0.
type cellStdio struct {
	in, out, err *os.File
	inGen        uint64       // the stdin pipe that in copies (stdinPipe.generation)
	inFD         atomic.Int64 // in's descriptor, for blockedOnStdin
}

// renew gives the cells open copies, replacing any that a cell closed and
// a stdin copy of a pipe that stdin has since replaced. It is called
// before each request that runs cell code, while no cell runs; if a copy
// cannot be made, cells get the worker's own file.
func (c *cellStdio) renew(stdin *stdinPipe) {
	c.out = reopened(c.out, os.Stdout)
	c.err = reopened(c.err, os.Stderr)
	if gen := stdin.generation(); gen != c.inGen {
		if c.in != nil && c.in != os.Stdin {
			c.in.Close() // a copy of a pipe that fd 0 no longer holds
		}
		c.in, c.inGen = nil, gen
	}
	c.in = reopened(c.in, os.Stdin)
	c.inFD.Store(int64(c.in.Fd()))
}

// copyWithFD returns the open copy whose descriptor is fd, or nil. A cell
// that closes a copy's descriptor with syscall.Close closes the copy, so
// that the descriptor is not reused behind its *os.File.
func (c *cellStdio) copyWithFD(fd int) *os.File {
	for _, f := range []*os.File{c.in, c.out, c.err} {
		if f != nil && fd >= 0 && f.Fd() == uintptr(fd) {
			return f
		}
	}
	return nil
}

// stdinFD is the descriptor of the cells' os.Stdin.
func (c *cellStdio) stdinFD() int { return int(c.inFD.Load()) }

// reopened returns f if it is open, or else a new duplicate of std.
func reopened(f, std *os.File) *os.File {
	if f != nil && f.Fd() != ^uintptr(0) {
		return f
	}
	fd, err := unix.FcntlInt(std.Fd(), unix.F_DUPFD_CLOEXEC, 10)
	if err != nil {
		return std
	}
	return os.NewFile(uintptr(fd), std.Name())
}
