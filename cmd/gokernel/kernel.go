package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/beacceaf/gokernel/interp"
	"github.com/beacceaf/gokernel/interp/worker"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// runKernel serves one connection file until the client shuts the kernel
// down, SIGTERM or SIGHUP arrives, or the process that launched it ends.
func runKernel(ctx context.Context, connFile string) error {
	conn, err := wire.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, "gokernel: ", log.LstdFlags)
	if _, err := wire.NewSigner(conn.SignatureScheme, conn.Key); err != nil {
		return err
	}
	in, err := interp.New(interp.Options{Version: versionString(), Log: logger})
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
	if err := srv.Serve(ctx); err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	return nil
}

// runWorker is the worker process that the kernel starts for Go cells.
func runWorker() error {
	return worker.Main()
}
