// Command floorkernel is gokernel's protocol side with an interpreter that
// does nothing: every cell succeeds at once, without output. BenchmarkKernels
// measures it beside gokernel and ipykernel as the floor of what a cell can
// cost through package kernel and the client: what gokernel takes beyond it
// is the worker's round trip and the cell's compilation and run.
//
//	floorkernel CONNECTION_FILE
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// nothing is a kernel.Interpreter whose cells do nothing.
type nothing struct{}

func (nothing) Info() kernel.Info {
	return kernel.Info{
		Implementation: "floorkernel", ImplementationVersion: "0",
		Banner:   "gokernel's protocol side; cells do nothing",
		Language: kernel.LanguageInfo{Name: "go", Version: runtime.Version(), MIMEType: "text/x-go", FileExtension: ".go"},
	}
}

func (nothing) Execute(context.Context, *kernel.ExecuteRequest, kernel.Output) *kernel.ExecuteResult {
	return &kernel.ExecuteResult{}
}

func (nothing) Complete(_ context.Context, _ string, cursor int) kernel.Completion {
	return kernel.Completion{Start: cursor, End: cursor}
}

func (nothing) Inspect(context.Context, string, int, int) kernel.Inspection {
	return kernel.Inspection{}
}

func (nothing) IsComplete(context.Context, string) kernel.Completeness {
	return kernel.Completeness{Status: "complete"}
}

func (nothing) Close() error { return nil }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floorkernel CONNECTION_FILE")
		os.Exit(2)
	}
	// As cmd/gokernel's kernel process runs (runKernel).
	debug.SetGCPercent(25)
	runtime.GOMAXPROCS(1)
	conn, err := wire.ReadConnectionFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	srv, err := kernel.NewServer(conn, nothing{}, log.New(os.Stderr, "floorkernel: ", log.LstdFlags))
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		log.Fatal(err)
	}
}
