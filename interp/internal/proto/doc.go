// Package proto is the small protocol between the kernel process and its
// Go worker process.
//
// Messages travel as JSON lines on a socketpair that is the worker's fd 3.
// Each line is an envelope, {"id": N, "kind": K, "body": {...}}, whose body
// is one of the payload types below: one type per request and per event.
// Write and Read are the only code that knows the envelope.
//
// Requests go from the kernel to the worker, events from the worker to the
// kernel. A request that is answered carries an ID from the kernel's one
// counter, and its answer (a Result, Completion, Inspection, Done,
// NameList or DebugReply) carries the same ID; so do the PanicFrame and
// InputRequest events of a running Exec or Eval. AskJobs is the worker's
// only question; its ID comes from the worker and the kernel's JobTable
// answer carries it back.
//
// The worker's fd 1 and fd 2 are pipes that carry the cell's own output.
// The worker marks where a display event belongs in them with a marker
// line that no cell can forge, because it contains a random token from the
// environment:
//
//	"\x00GK" + token + " sync " + seq + "\n"  on fd 1, where display event seq belongs
//
// The kernel forwards everything before a marker as stream output. The
// worker writes a request's output before it answers the request, so once
// the kernel has the answer it reads both pipes empty, without waiting,
// and has all the output. Marker lines are shorter than PIPE_BUF, so their
// writes are atomic even when a cell's goroutines write at the same time.
package proto
