// Gokernel-worker is the process that runs the Go cells of one gokernel
// kernel: a yaegi interpreter with every package a cell can import (see
// package interp/worker).
//
// The kernel starts it, from the directory that holds the gokernel binary,
// and talks to it over inherited file descriptors: it is not meant to be
// run by hand. It is a program of its own, not a gokernel command, so that
// the kernel process does not link yaegi and its symbol tables, whose
// package initialisation would cost every kernel about 13 MiB of memory
// and 40 ms of start-up. Install both programs at once:
//
//	go install ./cmd/...
package main

import (
	"fmt"
	"os"

	"github.com/beacceaf/gokernel/cmd/internal/pages"
	"github.com/beacceaf/gokernel/interp/worker"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "gokernel-worker: unexpected arguments %q: the gokernel kernel starts this program, and it takes none\n", os.Args[1:])
		os.Exit(2)
	}
	// Once the interpreter is set up, the pages that only start-up used
	// go: most of them built yaegi's symbol tables. Best effort: a worker
	// that keeps them works as well.
	setUp := func() { _, _ = pages.DropStartupPages() }
	if err := worker.Main(setUp); err != nil {
		fmt.Fprintf(os.Stderr, "gokernel-worker: %v\n", err)
		os.Exit(1)
	}
}
