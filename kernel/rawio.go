package kernel

import (
	"io"
	"syscall"
	"unsafe"
)

// Reads and writes that leave the runtime's monitor asleep.
//
// Go's runtime has a monitor thread, sysmon, that sleeps while every P is
// idle. The first system call that a goroutine makes through package
// syscall after such a pause wakes it, and it then runs every 20 µs until
// it has found nothing to do fifty times in a row. The kernel pauses
// between requests, so each cell woke the monitor, which then took the CPU
// four to six times during the cell, on a machine whose two CPUs the
// client, the kernel and the worker already share.
//
// The kernel's sockets are non-blocking: a read or write returns at once,
// so the scheduler need not hear about it. rawRead and rawWrite make them
// with syscall.RawSyscall, through the connection's syscall.RawConn, which
// waits in the netpoller for the descriptor to be ready, as Read and Write
// do. One thing is lost: package syscall tells the race detector that a
// read follows the writes before it, and raw calls do not, so a test that
// shares memory with the server must lock it (kerneltest.FakeInterpreter
// does).

// rawRead reads from the non-blocking descriptor of c into p.
func rawRead(c syscall.RawConn, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := c.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // wait until it is readable
			}
			n, errno = int(r), e
			return true
		}
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

// rawWrite writes all of p to the non-blocking descriptor of c.
func rawWrite(c syscall.RawConn, p []byte) (int, error) {
	done := 0
	var errno syscall.Errno
	err := c.Write(func(fd uintptr) bool {
		for done < len(p) {
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[done])), uintptr(len(p)-done))
			switch e {
			case 0:
				done += int(r)
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
