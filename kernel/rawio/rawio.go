package rawio

import (
	"io"
	"syscall"
	"unsafe"
)

// Read reads from the non-blocking descriptor of c into p. It returns
// io.EOF at end of file, a syscall.Errno when the read fails, and c's own
// error (such as net.ErrClosed or os.ErrClosed) when the descriptor is
// closed before or while it waits.
func Read(c syscall.RawConn, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := c.Read(func(fd uintptr) bool {
		n, errno = ReadFD(int(fd), p)
		return errno != syscall.EAGAIN // else wait until it is readable
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p to the non-blocking descriptor of c, waiting
// whenever the descriptor is full. It returns how much was written, with a
// syscall.Errno when a write fails, or c's own error when the descriptor
// is closed.
func Write(c syscall.RawConn, p []byte) (int, error) {
	done := 0
	var errno syscall.Errno
	err := c.Write(func(fd uintptr) bool {
		for done < len(p) {
			w, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[done])), uintptr(len(p)-done))
			switch e {
			case 0:
				done += int(w)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait until it is writable
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = errno
	}
	return done, err
}

// ReadFD makes one read from the non-blocking descriptor fd into p, which
// must not be empty, retrying on EINTR. It returns 0 and no error at end of
// file, and EAGAIN when there is nothing to read yet.
func ReadFD(fd int, p []byte) (int, syscall.Errno) {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(n), e
		}
	}
}
