// Package interp runs Go cells for the kernel: it implements
// kernel.Interpreter (and kernel.Debugger) with a worker process that runs
// the cells under yaegi (package interp/worker), and runs the magics of
// package magics in the kernel's own process.
//
// The kernel side has three parts:
//   - the supervisor (supervisor.go) owns the worker's life: it alone
//     starts, replaces and ends worker processes, and its doc comment
//     states who may call what and what is bounded by which timeout;
//   - a worker (process.go) is one running worker process: its control
//     socket, on which requests and events of package interp/internal/proto
//     travel, the table of calls waiting for their answers, routed by ID,
//     and the readers of its stdout and stderr pipes (pipes.go);
//   - the Interpreter (interp.go) turns kernel requests into worker
//     requests, and tells the user when a worker died or was replaced.
//
// A cell's output reaches the notebook live and in order, because the
// worker's fd 1 and fd 2 are pipes that the kernel reads; the worker
// writes a request's output before it answers, so the kernel reads the
// pipes empty once it has the answer, and then has all of the output.
package interp
