// Package worker is the worker process of gokernel: a yaegi interpreter
// that runs Go cells, in a process of its own so that no cell can crash or
// wedge the kernel.
//
// The kernel starts it as the program gokernel-worker (cmd/gokernel-worker),
// with fd 1 and fd 2 connected to
// pipes that it reads, and fd 3 connected to a control socket that carries
// the requests and events of package interp/internal/proto. Everything a
// cell writes, whether through fmt, os.Stdout, a raw syscall.Write(1, …) or
// a child process, therefore reaches the notebook.
//
// The worker owns its stdin: fd 0 is a pipe whose write end it keeps. When
// a cell blocks reading fd 0, the worker notices (from /proc, through
// fifo.Tasks) and asks the kernel for a line of input, or gives the read end
// of file when the front end cannot answer.
//
// The interpreters' stderr passes through frameWriter, which turns the
// frame lines yaegi writes as a panic unwinds into PanicFrame events, so
// that the kernel gets them as data rather than parsing stderr.
//
// While a front end's debugger is attached, the worker runs each unit of a
// cell under yaegi's debugger and answers the Debug Adapter Protocol
// requests the kernel passes on (debug.go; expressions in debugeval.go,
// copyToGlobals in debugcopy.go, stops on panics in debugpanic.go);
// otherwise units run as yaegi's Eval runs them.
//
// With GOKERNEL_PROFILE=DIR in its environment, inherited from the kernel,
// the worker writes its CPU profile, an execution trace and, when it ends,
// its allocations to DIR/worker-PID.cpu.pprof, .trace and .allocs.pprof
// (profile.go).
package worker
