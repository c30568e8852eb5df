package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
)

// profileEnv names the environment variable that makes the kernel and its
// worker profile themselves: with GOKERNEL_PROFILE=DIR, the kernel writes
// DIR/kernel-PID.cpu.pprof (its CPU profile), DIR/kernel-PID.trace (an
// execution trace, for go tool trace) and, when it ends,
// DIR/kernel-PID.allocs.pprof (its allocations); the worker, which inherits
// the variable, writes the same files under worker-PID (see package
// interp/worker).
const profileEnv = "GOKERNEL_PROFILE"

// startProfiles starts the CPU profile and the execution trace into dir,
// if it is not empty, and returns the function that stops them and writes
// the allocation profile. Failures are logged: profiling is best effort.
func startProfiles(dir string, logger *log.Logger) (stop func()) {
	if dir == "" {
		return func() {}
	}
	base := filepath.Join(dir, fmt.Sprintf("kernel-%d", os.Getpid()))
	var files []*os.File
	create := func(suffix string) *os.File {
		f, err := os.Create(base + suffix)
		if err != nil {
			logger.Printf("%s: %v", profileEnv, err)
			return nil
		}
		files = append(files, f)
		return f
	}
	cpu, tr := create(".cpu.pprof"), create(".trace")
	if cpu != nil {
		if err := pprof.StartCPUProfile(cpu); err != nil {
			logger.Printf("%s: %v", profileEnv, err)
		}
	}
	if tr != nil {
		if err := trace.Start(tr); err != nil {
			logger.Printf("%s: %v", profileEnv, err)
		}
	}
	return func() {
		pprof.StopCPUProfile()
		trace.Stop()
		if f := create(".allocs.pprof"); f != nil {
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				logger.Printf("%s: %v", profileEnv, err)
			}
		}
		for _, f := range files {
			f.Close()
		}
	}
}
