package fifo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pollInterval is how often a waiting open looks again.
const pollInterval = 10 * time.Millisecond

// interruptHook holds the function installed by SetInterrupt.
var interruptHook atomic.Pointer[func() <-chan struct{}]

// SetInterrupt installs f, which returns a channel that is closed when the
// user interrupts the running code. Every call of this package that waits
// (OpenRead, OpenWrite, WaitBlocked) then also ends, with an error wrapping
// ErrInterrupted, when that channel closes, even if its context never ends
// (context.Background()). f is called again every time such a call wakes
// up, about every 10 ms, so the channel may change from one cell to the
// next.
//
// The gokernel worker installs its hook at start-up; cells and programs
// need not call SetInterrupt. SetInterrupt(nil) removes the hook.
func SetInterrupt(f func() <-chan struct{}) {
	if f == nil {
		interruptHook.Store(nil)
		return
	}
	interruptHook.Store(&f)
}

// interrupted returns the current interrupt channel, or nil (never ready).
func interrupted() <-chan struct{} {
	if f := interruptHook.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// stopped returns the reason to give up at once: the context has ended or
// the code was interrupted. It returns nil if neither is the case.
func stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-interrupted():
		return ErrInterrupted
	default:
		return nil
	}
}

// pause waits for d, or until ctx ends or the code is interrupted, in which
// case it says why. t is reused from one pause to the next.
func pause(ctx context.Context, t **time.Timer, d time.Duration) error {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-interrupted():
		return ErrInterrupted
	case <-(*t).C:
		return nil
	}
}

// stopTimer stops a timer made by pause, if any.
func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// orBackground turns a nil context into context.Background(), so that a
// careless call does not panic.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// openFIFO opens path, which must be a FIFO, with access mode acc
// (O_RDONLY, O_WRONLY or O_RDWR) plus O_NONBLOCK and O_CLOEXEC. It never
// blocks. A path that is not a FIFO is refused before it is opened, and
// checked again on the open descriptor in case it was replaced meanwhile.
func openFIFO(path string, acc int) (int, error) {
	if path == "" {
		return -1, errEmptyPath
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return -1, err
	}
	if !isFIFO(st.Mode) {
		return -1, &notFIFOError{kind: kindOf(st.Mode)}
	}
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, acc|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return -1, err
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if !isFIFO(st.Mode) {
		unix.Close(fd)
		return -1, &notFIFOError{kind: kindOf(st.Mode)}
	}
	return fd, nil
}

// newFile wraps an open FIFO descriptor. The descriptor is in non-blocking
// mode, so the *os.File is pollable, exactly like one from os.OpenFile:
// Read and Write wait in Go's poller, and deadlines work.
func newFile(fd int, path string) *os.File {
	return os.NewFile(uintptr(fd), path)
}

// OpenWrite opens the FIFO at path for writing. Like open(2) with
// O_WRONLY, it waits until some process has the FIFO open for reading; it
// gives up when ctx ends or when gokernel's interrupt comes (see
// SetInterrupt), with an error wrapping ctx.Err() or ErrInterrupted.
//
// It waits by trying a non-blocking open every 10 ms; a non-blocking open
// for writing fails with ENXIO, changing nothing, while there is no reader.
// So a cancelled OpenWrite leaves no trace, and it never disturbs other
// processes waiting on the same FIFO.
//
// The file has O_CLOEXEC set, as every file this package opens: a child
// process does not inherit it. It is pollable: Write waits in Go's poller
// while the FIFO is full, and SetWriteDeadline works. A Write after every
// reader has gone fails with EPIPE ("broken pipe"); Go does not let
// SIGPIPE kill the program for a FIFO.
func OpenWrite(ctx context.Context, path string) (*os.File, error) {
	ctx = orBackground(ctx)
	if err := stopped(ctx); err != nil {
		return nil, fmt.Errorf("fifo: open %s for writing: %w", show(path), err)
	}
	var t *time.Timer
	defer func() { stopTimer(t) }()
	for {
		fd, err := openFIFO(path, unix.O_WRONLY)
		if err == nil {
			return newFile(fd, path), nil
		}
		if !errors.Is(err, unix.ENXIO) {
			return nil, fmt.Errorf("fifo: open %s for writing: %w", show(path), err)
		}
		if err := pause(ctx, &t, pollInterval); err != nil {
			return nil, fmt.Errorf("fifo: open %s for writing: %w", show(path), err)
		}
	}
}

// OpenRead opens the FIFO at path for reading. Like open(2) with O_RDONLY,
// it returns once some process has the FIFO open for writing (or has
// written to it and gone); it gives up when ctx ends or when gokernel's
// interrupt comes (see SetInterrupt), with an error wrapping ctx.Err() or
// ErrInterrupted.
//
// How it waits: it opens the read end at once without blocking, which
// releases writers that are blocked opening the FIFO, as any reader's open
// does. Then, every 10 ms, it asks the kernel whether a writer is attached
// (tee(2) of one byte into a private pipe: EAGAIN means a writer and no
// data, and nothing is consumed) or has come and gone (poll(2) reports
// POLLHUP). No goroutine or thread is left blocked, and a cancelled
// OpenRead closes what it opened. A writer that was released by it and
// writes in the moment of cancellation gets EPIPE, as it would if a real
// reader had gone.
//
// The file is pollable: Read waits in Go's poller while the FIFO is empty,
// SetReadDeadline works, and Read returns io.EOF once every writer has
// closed its end.
func OpenRead(ctx context.Context, path string) (*os.File, error) {
	ctx = orBackground(ctx)
	if err := stopped(ctx); err != nil {
		return nil, fmt.Errorf("fifo: open %s for reading: %w", show(path), err)
	}
	fd, err := openFIFO(path, unix.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("fifo: open %s for reading: %w", show(path), err)
	}
	keep := false
	defer func() {
		if !keep {
			unix.Close(fd)
		}
	}()
	var probe [2]int
	if err := unix.Pipe2(probe[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("fifo: open %s for reading: probe pipe: %w", show(path), err)
	}
	defer unix.Close(probe[0])
	defer unix.Close(probe[1])
	useTee := true
	var t *time.Timer
	defer func() { stopTimer(t) }()
	for {
		ok, err := writerSeen(fd, probe, &useTee)
		if err != nil {
			return nil, fmt.Errorf("fifo: open %s for reading: %w", show(path), err)
		}
		if ok {
			keep = true
			return newFile(fd, path), nil
		}
		if err := pause(ctx, &t, pollInterval); err != nil {
			return nil, fmt.Errorf("fifo: open %s for reading: %w", show(path), err)
		}
	}
}

// writerSeen reports whether the FIFO read end fd has a writer attached,
// holds data, or has seen a writer come and go since it was opened. The
// probe pipe receives a copy of at most one byte; *useTee turns false if
// the system refuses tee(2), and only poll(2) is used from then on.
func writerSeen(fd int, probe [2]int, useTee *bool) (bool, error) {
	if *useTee {
		n, err := unix.Tee(fd, probe[1], 1, unix.SPLICE_F_NONBLOCK)
		switch {
		case err == nil && n > 0:
			return true, nil // data is waiting; the copy goes with the probe pipe
		case errors.Is(err, unix.EAGAIN):
			return true, nil // a writer is attached, no data yet
		case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
			*useTee = false
		case err != nil && !errors.Is(err, unix.EINTR):
			return false, err
		}
	}
	// No writer now and no data. The kernel reports POLLHUP only after a
	// writer has come and gone since this reader opened.
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	if err != nil && !errors.Is(err, unix.EINTR) {
		return false, err
	}
	return n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP) != 0, nil
}

// OpenNonblock opens the FIFO at path with O_NONBLOCK, which never waits.
// flag is os.O_RDONLY or os.O_WRONLY (O_NONBLOCK and O_CLOEXEC may be added;
// they are implied). The rules are those of TLPI 44.9:
//
//   - for reading, the open succeeds at once, writer or not. A Read with no
//     writer attached returns io.EOF straight away, not an error;
//   - for writing, the open fails with ErrNoReader (ENXIO, "no such device
//     or address") unless some process has the FIFO open for reading.
//
// After the open, the file behaves like any Go file on a FIFO: Read and
// Write wait in Go's poller (the EAGAIN of the non-blocking descriptor never
// reaches the caller), and deadlines work. O_CLOEXEC is always set.
func OpenNonblock(path string, flag int) (*os.File, error) {
	acc := flag &^ (unix.O_NONBLOCK | unix.O_CLOEXEC)
	var how string
	switch acc {
	case os.O_RDONLY:
		how = "for reading (O_NONBLOCK)"
	case os.O_WRONLY:
		how = "for writing (O_NONBLOCK)"
	default:
		return nil, fmt.Errorf("fifo: open %s: bad flag %#x, want os.O_RDONLY or os.O_WRONLY (OpenReadWrite opens both ends): %w",
			show(path), flag, syscall.EINVAL)
	}
	fd, err := openFIFO(path, acc)
	if errors.Is(err, unix.ENXIO) {
		err = ErrNoReader
	}
	if err != nil {
		return nil, fmt.Errorf("fifo: open %s %s: %w", show(path), how, err)
	}
	return newFile(fd, path), nil
}

// OpenReadWrite opens the FIFO at path for reading and writing (O_RDWR).
// On Linux this never waits, because the opener is its own partner; POSIX
// leaves it undefined.
//
// It is a pitfall, shown in the seminar, not a tool: while this descriptor
// is open, the FIFO always has a writer, so no reader of it, in this or in
// any other process, ever sees end of file. A `cat my_fifo` keeps running
// after the real writer has closed, until this file is closed too. Openers
// makes the hidden writer visible. (A server may hold such an extra end on
// purpose, as TLPI's sequence-number server does with a second open for
// writing, so that it does not see EOF between clients.)
//
// O_CLOEXEC is set, so child processes do not inherit the extra writer;
// a raw syscall.Open(path, syscall.O_RDWR, 0) would not set it.
func OpenReadWrite(path string) (*os.File, error) {
	fd, err := openFIFO(path, unix.O_RDWR)
	if err != nil {
		return nil, fmt.Errorf("fifo: open %s for reading and writing: %w", show(path), err)
	}
	return newFile(fd, path), nil
}
