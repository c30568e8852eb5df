// Gokernel is a Jupyter kernel for Go.
//
// Install it once, then pick "Go (gokernel)" in Jupyter:
//
//	gokernel install            # for the current user
//	gokernel install --sys-prefix
//	gokernel install --prefix DIR
//
// Jupyter then starts "gokernel kernel -f CONNECTION_FILE" itself, and the
// kernel starts gokernel-worker (package cmd/gokernel-worker), the process
// that runs the cells, from the directory that holds gokernel. "go install
// ./cmd/..." installs both. "gokernel help" lists every command.
//
// # Files
//
//   - main.go: the command table, dispatch, help, and the version command.
//   - install.go: the install and uninstall commands.
//   - kernel.go: the kernel command's work (runKernel), and where the
//     worker program is (workerBinary).
//   - parent.go: watchParent, which ends the kernel when the process that
//     launched it ends.
//   - profile.go, noprofile.go: profiling, for finding where a cell's time
//     goes.
//
// # Profiling
//
// With GOKERNEL_PROFILE=DIR in its environment, a kernel built with "-tags
// profile" writes its CPU profile and an execution trace to
// DIR/kernel-PID.cpu.pprof and DIR/kernel-PID.trace, and its allocations to
// DIR/kernel-PID.allocs.pprof when it ends (shutdown_request or SIGTERM, not
// SIGKILL); its worker, in any build, writes the same files under
// worker-PID. Read them with "go tool pprof" and "go tool trace". The tag
// keeps runtime/pprof and runtime/trace, 0.4 MiB of memory, out of every
// other kernel.
package main
