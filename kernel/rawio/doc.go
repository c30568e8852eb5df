// Package rawio reads and writes non-blocking descriptors with raw system
// calls, which leave the Go runtime's monitor asleep.
//
// Go's runtime has a monitor thread, sysmon, that sleeps while every P is
// idle. The first system call that a goroutine makes through package
// syscall after such a pause wakes it, and it then runs every 20 µs until
// it has found nothing to do fifty times in a row. The kernel pauses
// between cells, and the worker between requests, so each cell woke the
// monitor of both processes, which then took a CPU four to six times
// during the cell, on a machine whose CPUs the client, the kernel and the
// worker share.
//
// On a non-blocking descriptor a read or write returns at once, so the
// scheduler need not hear about it. [Read] and [Write] make those calls
// with syscall.RawSyscall, through the descriptor's syscall.RawConn, which
// waits in the netpoller until the descriptor is ready, as the Read and
// Write methods of net.Conn and os.File do. One thing is lost: package
// syscall gives the race detector a happens-before edge between a write
// and a later read, and raw calls do not, so tests that share memory across
// such a connection must lock it.
//
// The kernel uses it for its ZeroMQ connections (package kernel), the
// kernel and the worker for their control socket and the worker's output
// pipes (package interp). It imports nothing of gokernel's.
package rawio
