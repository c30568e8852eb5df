// Package fifo helps to teach and use named pipes (FIFOs) on Linux: opens
// that can be cancelled, the open modes and their pitfalls, and the /proc
// views that show who holds a FIFO and who is blocked on it.
//
// It is plain Go, on the standard library and golang.org/x/sys/unix, so the
// same calls work in a gokernel cell and in a program built with go build:
//
//	if err := fifo.Recreate("my_fifo", 0644); err != nil { ... }
//	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
//	defer cancel()
//	w, err := fifo.OpenWrite(ctx, "my_fifo") // waits for a reader, or 2 s
//
// # Opening
//
// A FIFO opened for writing waits until a reader opens it, and the other
// way round (TLPI 44.7). An os.OpenFile of a FIFO waits in open(2), where
// neither a context nor gokernel's interrupt can reach it. OpenWrite and
// OpenRead wait instead by looking every 10 ms, without blocking a thread,
// and give up when their context ends or the cell is interrupted:
//
//   - OpenWrite retries a non-blocking open, which fails with ENXIO and
//     changes nothing while there is no reader;
//   - OpenRead opens the read end without blocking, then asks the kernel
//     whether a writer has attached (see its documentation).
//
// Neither disturbs other processes waiting on the same FIFO when it gives
// up, and neither leaves a goroutine, thread or descriptor behind.
// OpenNonblock shows the O_NONBLOCK rules, with ErrNoReader for ENXIO;
// OpenReadWrite shows the O_RDWR pitfall. Every descriptor this package
// opens has O_CLOEXEC set, so no child process inherits it. Every file it
// returns is pollable, like one from os.OpenFile: reads and writes wait in
// Go's poller, and deadlines work.
//
// # Looking
//
// Openers lists the processes that hold a FIFO open, and in which mode.
// ProcStatus, Tasks and WaitBlocked read /proc/PID: a process's state, the
// wchan and system call of each of its threads, and whether one of them
// (or of its descendants) is blocked opening, reading or writing a FIFO.
// Pgrep finds processes by command line, so a notebook never needs a PID
// typed in.
//
// # Errors
//
// Errors are wrapped and name the path or PID, for example
// "fifo: open my_fifo for writing: context deadline exceeded". errors.Is
// works with the usual targets: fs.ErrNotExist for a missing path or
// process, syscall.ENXIO (and ErrNoReader) for a writer without a reader,
// ErrNotFIFO for a path that is something else, context.DeadlineExceeded
// and context.Canceled for a context that ended, and ErrInterrupted for an
// interrupt. No function panics on bad input.
//
// # Interrupts in gokernel
//
// A cell may pass context.Background() and still be interrupted: the
// gokernel worker installs a hook with SetInterrupt at start-up, and every
// waiting call of this package also ends, within about 10 ms, when the
// running cell is interrupted. The cell's variables are kept.
package fifo
