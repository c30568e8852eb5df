package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/beacceaf/gokernel/cmd/internal/pages"
	"github.com/beacceaf/gokernel/interp"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// runKernel serves one connection file until the client shuts the kernel
// down, SIGTERM or SIGHUP arrives, or the process that launched it ends.
func runKernel(ctx context.Context, connFile string) error {
	if os.Getenv("GOGC") == "" {
		// The kernel keeps only protocol state and output on its way, 1 to
		// 2 MiB, and Go's default pacing would let its heap grow to at
		// least 4 MiB between collections. A collection of so small a heap
		// takes well under a millisecond.
		debug.SetGCPercent(kernelGCPercent)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// The kernel's goroutines mostly wait for sockets and pipes and
		// hand messages to each other. With one P, a hand-off runs the
		// woken goroutine on the same thread instead of waking an idle
		// thread for it, which on a loaded machine may wait for a CPU.
		// The worker, a process of its own, keeps every CPU for cells.
		runtime.GOMAXPROCS(1)
	}
	conn, err := wire.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, "gokernel: ", log.LstdFlags)
	defer startProfiles(os.Getenv(profileEnv), logger)()
	if _, err := wire.NewSigner(conn.SignatureScheme, conn.Key); err != nil {
		return err
	}
	workerBin, err := workerBinary()
	if err != nil {
		return err
	}
	in, err := interp.New(interp.Options{WorkerArgv: []string{workerBin}, Version: versionString(), Log: logger})
	if err != nil {
		return err
	}
	srv, err := kernel.NewServer(conn, in, logger)
	if err != nil {
		in.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err = watchParent(ctx, func(why string) {
		logger.Printf("%s: shutting down", why)
		cancel()
	})
	if err != nil {
		logger.Printf("the kernel will not end with its parent: %v", err)
	}
	// SIGINT interrupts the running cell, as it does ipykernel's; a
	// kernelspec with interrupt_mode "signal" relies on it.
	sigint := make(chan os.Signal, 1)
	signal.Notify(sigint, syscall.SIGINT)
	defer signal.Stop(sigint)
	go func() {
		for {
			select {
			case <-sigint:
				logger.Printf("SIGINT: interrupting the running cell")
				srv.Interrupt()
			case <-ctx.Done():
				return
			}
		}
	}()
	// Start-up is over: flags, the connection file, the kernelspec. Best
	// effort, like the worker's (package pages).
	_, _ = pages.DropStartupPages()
	if err := srv.Serve(ctx); err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	return nil
}

// profileEnv names the environment variable that makes the kernel and its
// worker profile themselves: with GOKERNEL_PROFILE=DIR, a kernel built
// with -tags profile writes DIR/kernel-PID.cpu.pprof (its CPU profile),
// DIR/kernel-PID.trace (an execution trace, for go tool trace) and, when it
// ends, DIR/kernel-PID.allocs.pprof (its allocations); the worker, which
// inherits the variable, writes the same files under worker-PID (see
// package interp/worker).
const profileEnv = "GOKERNEL_PROFILE"

// kernelGCPercent is the kernel's GOGC, unless the environment sets one.
const kernelGCPercent = 25

// workerName is the program that runs the cells (package cmd/gokernel-worker).
const workerName = "gokernel-worker"

// workerBinary returns the path of the worker program: workerName in the
// directory of this binary, symbolic links resolved, where "go install
// ./cmd/..." puts it. The worker is a program of its own so that the
// kernel process does not initialise yaegi's symbol tables.
func workerBinary() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("find the gokernel binary: %w", err)
	}
	bin := filepath.Join(filepath.Dir(exe), workerName)
	info, err := os.Stat(bin)
	if err != nil {
		return "", fmt.Errorf("the worker program, which runs the cells, is missing: %w; install it next to %s with \"go install ./cmd/...\" in gokernel's source tree", err, exe)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("the worker program %s is not executable; reinstall it with \"go install ./cmd/...\" in gokernel's source tree", bin)
	}
	return bin, nil
}
