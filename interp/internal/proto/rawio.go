package proto

import (
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/beacceaf/gokernel/kernel/rawio"
)

// A RawFile reads and writes a non-blocking *os.File with raw system
// calls (package kernel/rawio says why: they leave the runtime's monitor
// asleep). The control socket, on both sides, and the read ends of the
// worker's output pipes, on the kernel's side, are read and written
// through one. Close the file to end a pending Read or Write.
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
	if r.raw == nil {
		return r.f.Read(p)
	}
	n, err := rawio.Read(r.raw, p)
	if err != nil && closed(err) {
		return r.f.Read(p) // File.Read says so in its own words
	}
	return n, err
}

func (r RawFile) Write(p []byte) (int, error) {
	if r.raw == nil {
		return r.f.Write(p)
	}
	done, err := rawio.Write(r.raw, p)
	if err != nil && closed(err) {
		n, err := r.f.Write(p[done:]) // File.Write says so in its own words
		return done + n, err
	}
	return done, err
}

// closed tells the RawConn's own errors (a closed file) from the system
// calls' errnos and end of file.
func closed(err error) bool {
	_, errno := err.(syscall.Errno)
	return !errno && !errors.Is(err, io.EOF)
}
