package worker

import (
	"os"
	"reflect"
	"syscall"
	"time"

	"github.com/traefik/yaegi/interp"
	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
)

// partnerHold is how long the worker keeps the FIFO ends it opened to
// release blocked opens. Linux lets a blocked open return once the other
// end has been opened at all, so this only leaves the woken call time to
// leave the kernel.
const partnerHold = 200 * time.Millisecond

// releaseFifoOpens ends every open(2) of the worker that waits for the
// other end of a FIFO: it opens that end itself, without blocking
// (O_WRONLY|O_NONBLOCK for a waiting reader, which succeeds because the
// reader is there; O_RDONLY|O_NONBLOCK for a waiting writer). The opens
// that the cell called through the os, syscall and unix functions of
// openOverrides then fail with EINTR. It is called when a cell is
// interrupted, so that the cell ends and the session keeps its variables.
func releaseFifoOpens() {
	tasks, err := fifo.Tasks(os.Getpid())
	if err != nil {
		return
	}
	var partners []int
	for _, t := range tasks {
		if t.Block != fifo.BlockOpen || t.Path == "" || t.Flags < 0 {
			continue
		}
		other := unix.O_RDONLY
		if t.Flags&unix.O_ACCMODE == unix.O_RDONLY {
			other = unix.O_WRONLY
		}
		if fd, err := unix.Open(t.Path, other|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err == nil {
			partners = append(partners, fd)
		}
	}
	if len(partners) > 0 {
		time.AfterFunc(partnerHold, func() {
			for _, fd := range partners {
				unix.Close(fd)
			}
		})
	}
}

// openOverrides are the cell-facing open functions, which fail with EINTR,
// closing what they opened, when the cell was interrupted while they
// waited: the open was released by releaseFifoOpens, not by a partner.
func (s *session) openOverrides() interp.Exports {
	interrupted := func(since <-chan struct{}) bool {
		select {
		case <-since:
			return true
		default:
			return false
		}
	}
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		since := s.w.interrupted()
		f, err := os.OpenFile(name, flag, perm)
		if err == nil && interrupted(since) {
			f.Close()
			return nil, &os.PathError{Op: "open", Path: name, Err: syscall.EINTR}
		}
		return f, err
	}
	rawOpen := func(open func(string, int, uint32) (int, error)) func(string, int, uint32) (int, error) {
		return func(path string, mode int, perm uint32) (int, error) {
			since := s.w.interrupted()
			fd, err := open(path, mode, perm)
			if err == nil && interrupted(since) {
				syscall.Close(fd)
				return -1, syscall.EINTR
			}
			return fd, err
		}
	}
	return interp.Exports{
		"os/os": {
			"OpenFile": reflect.ValueOf(openFile),
			"Open":     reflect.ValueOf(func(name string) (*os.File, error) { return openFile(name, os.O_RDONLY, 0) }),
			"Create": reflect.ValueOf(func(name string) (*os.File, error) {
				return openFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
			}),
		},
		"syscall/syscall":            {"Open": reflect.ValueOf(rawOpen(syscall.Open))},
		"golang.org/x/sys/unix/unix": {"Open": reflect.ValueOf(rawOpen(unix.Open))},
	}
}
