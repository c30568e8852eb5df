// Package kernel serves the Jupyter messaging protocol (version 5.3) over
// ZeroMQ, for any language.
//
// A [Server] owns the five sockets of a connection file and every protocol
// invariant: the busy/idle frame around each request, the execution count,
// execute_input, the history, aborting queued cells after an error, stdin
// round trips, interrupt and shutdown. The language is behind the small
// [Interpreter] interface, which deals only in plain data; this package knows
// nothing about Go. An Interpreter that also implements [Debugger] answers
// the debug_request messages of JupyterLab's debugger panel, which carry the
// Debug Adapter Protocol as JSON that this package passes through.
//
// # Threading
//
// Each socket has one receiving goroutine that feeds a channel, because
// zmq4 has no poll. Shell requests run one at a time on the shell goroutine;
// control requests run on their own goroutine, so interrupt, shutdown and
// kernel_info are served while a cell runs. IOPub messages go out in order
// through a publisher: a message published while nothing waits is sent by
// its caller, the rest by the publisher's goroutine. The publisher
// coalesces stream text into few messages and paces it by acknowledgements
// from the kernel's own loopback subscriber, so that a writer is slowed to the front ends' pace and memory stays bounded (see
// publish.go). Stream text is dropped, with a note, only while a front end
// has stopped reading; status, reply and display messages are never
// dropped.
//
// # Robustness
//
// Malformed, badly signed and replayed messages (a signature seen among the
// last 2^16, see replay.go), and messages whose header has no msg_id, are
// logged and dropped. An unknown control request gets an error reply.
// usage_request reports the CPU and memory of the kernel's process tree
// (usage.go). Shutdown waits for IOPub to drain through a loopback
// subscriber rather than for a fixed time. Serve handles no signal: the
// program decides what SIGINT means and may call [Server.Interrupt].
package kernel
