package worker

import (
	"os"

	"golang.org/x/sys/unix"
)

// cellStdio holds the os.Stdout and os.Stderr that cells see: duplicates
// of the worker's fd 1 and fd 2, the pipes to the kernel. A cell that
// closes one, as Go code often does with a writer it was handed
// (`out := os.Stdout; …; defer out.Close()`), closes only its copy:
// the worker's own descriptors stay open, so its fmt output, markers and
// crash reports still reach the kernel, and the next cell gets a new
// copy. Writes through a copy go into the same pipe, in order with every
// other write to it. The fields change only between cells, and only when
// a cell has closed a copy.
type cellStdio struct {
	out, err *os.File
}

// renew gives the cells open copies, replacing any that a cell closed. It
// is called before each request that runs cell code, while no cell runs;
// if a copy cannot be made, cells get the worker's own file.
func (c *cellStdio) renew() {
	c.out = reopened(c.out, os.Stdout)
	c.err = reopened(c.err, os.Stderr)
}

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
