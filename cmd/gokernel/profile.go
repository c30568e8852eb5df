//go:build profile

package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
)

// startProfiles starts the CPU profile and the execution trace into dir,
// if it is not empty, and returns the function that stops them and writes
// the allocation profile. Failures are logged: profiling is best effort.
//
// It is built only with -tags profile: runtime/pprof and runtime/trace
// would cost every kernel 0.4 MiB of memory. The worker, which links them
// anyway, always can.
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
