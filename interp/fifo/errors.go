package fifo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrNoReader is the error of a non-blocking open for writing when no
// process has the FIFO open for reading. Its text is the system's own,
// "no such device or address", and errors.Is(err, syscall.ENXIO) holds for
// it as well as errors.Is(err, ErrNoReader).
var ErrNoReader = fmt.Errorf("%w", syscall.ENXIO)

// ErrNotFIFO is reported, wrapped, when a path names something other than
// a FIFO. The message says what the path is instead, for example
// "not a fifo but a regular file".
var ErrNotFIFO = errors.New("not a fifo")

// ErrNoProcess is reported, wrapped, when a PID names no process (any
// more). errors.Is(err, fs.ErrNotExist) and errors.Is(err, syscall.ESRCH)
// both hold for it.
var ErrNoProcess error = noProcessError{}

// ErrInterrupted is returned, wrapped, by a waiting call that the gokernel
// interrupt ended (see SetInterrupt). errors.Is(err, context.Canceled)
// holds for it too, so code that checks for a cancelled context treats an
// interrupt the same way.
var ErrInterrupted error = interruptedError{}

type noProcessError struct{}

func (noProcessError) Error() string { return "no such process" }

func (noProcessError) Is(target error) bool {
	return target == fs.ErrNotExist || target == syscall.ESRCH
}

type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }

func (interruptedError) Is(target error) bool { return target == context.Canceled }

// notFIFOError says what a path is instead of a FIFO.
type notFIFOError struct {
	kind   string // "a regular file", "a directory", ...
	exists bool   // the error comes from an attempt to create the path
}

func (e *notFIFOError) Error() string { return "not a fifo but " + e.kind }

func (e *notFIFOError) Is(target error) bool {
	return target == ErrNotFIFO || (e.exists && target == fs.ErrExist)
}

// kindOf describes a file type, given the S_IFMT bits of a stat mode.
func kindOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "a fifo"
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	}
	return "an unknown kind of file"
}

// isFIFO reports whether a stat mode is a FIFO's.
func isFIFO(mode uint32) bool { return mode&unix.S_IFMT == unix.S_IFIFO }

// errBadPID is wrapped for a PID that cannot name a process.
var errBadPID = fmt.Errorf("bad pid, want a positive number: %w", syscall.EINVAL)

// errEmptyPath is wrapped for an empty path.
var errEmptyPath = fmt.Errorf("empty path: %w", syscall.ENOENT)

// procErr turns the error of reading a file under /proc/PID into the error
// to report: a missing file means the process has gone.
func procErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
		return ErrNoProcess
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
