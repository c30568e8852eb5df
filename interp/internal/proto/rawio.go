package proto

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Reads and writes that leave the runtime's monitor asleep.
//
// Go's runtime has a monitor thread, sysmon, that sleeps while every P is
// idle. The first system call that a goroutine makes through package
// syscall after such a pause wakes it, and it then runs every 20 µs until
// it has found nothing to do fifty times in a row. The kernel pauses
// between cells, and the worker between requests, so each cell woke the
// monitor of both processes, which then took a CPU four to six times
// during the cell. The control socket, on both sides, and the read ends
// of the worker's output pipes, on the kernel's side, are non-blocking: a
// read or write returns at once, so the scheduler need not hear about it.
// A RawFile makes them with syscall.RawSyscall, through the file's
// syscall.RawConn, which waits in the netpoller for the descriptor to be
// ready, as File.Read and File.Write do; unlike them, they give the race
// detector no happens-before edge between a write and a later read. Package
// kernel does the same for its sockets.

// A RawFile reads and writes a non-blocking *os.File with raw system
// calls. Close the file to end a pending Read or Write.
type RawFile struct {
	f   *os.File
	raw syscall.RawConn // nil: use f's own methods
}

// NewRawFile returns a RawFile for f, which must be non-blocking. If f
// has no descriptor to make raw calls on, the RawFile uses f's methods.
func NewRawFile(f *os.File) RawFile {
	raw, err := f.SyscallConn()
	if err != nil {
		raw = nil
	}
	return RawFile{f: f, raw: raw}
}

func (r RawFile) Read(p []byte) (int, error) {
	if r.raw == nil || len(p) == 0 {
		return r.f.Read(p)
	}
	var n int
	var errno syscall.Errno
	err := r.raw.Read(func(fd uintptr) bool {
		n, errno = RawRead(int(fd), p)
		return errno != syscall.EAGAIN // else wait until it is readable
	})
	switch {
	case err != nil:
		// The file is closed: File.Read says so in its own words.
		return r.f.Read(p)
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (r RawFile) Write(p []byte) (int, error) {
	if r.raw == nil {
		return r.f.Write(p)
	}
	done := 0
	var errno syscall.Errno
	err := r.raw.Write(func(fd uintptr) bool {
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
	if err != nil {
		// The file is closed: File.Write says so in its own words.
		n, err := r.f.Write(p[done:])
		return done + n, err
	}
	if errno != 0 {
		return done, errno
	}
	return done, nil
}

// RawRead reads from the non-blocking descriptor fd into p, which is not
// empty, retrying on EINTR.
func RawRead(fd int, p []byte) (int, syscall.Errno) {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(n), e
		}
	}
}
