package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"sync"
)

// profileEnv names the environment variable that makes the worker profile
// itself, as the kernel does (see cmd/gokernel): with GOKERNEL_PROFILE=DIR
// it writes DIR/worker-PID.cpu.pprof (its CPU profile), DIR/worker-PID.trace
// (an execution trace, for go tool trace) and, when it ends,
// DIR/worker-PID.allocs.pprof (its allocations).
const profileEnv = "GOKERNEL_PROFILE"

// stopProfiles stops what startProfiles started and writes the allocation
// profile; endGroup calls it before the worker ends.
var stopProfiles = func() {}

// startProfiles starts the CPU profile and the execution trace into dir, if
// it is not empty. Profiling is best effort: failures go to stderr.
func startProfiles(dir string) {
	if dir == "" {
		return
	}
	base := filepath.Join(dir, fmt.Sprintf("worker-%d", os.Getpid()))
	var files []*os.File
	create := func(suffix string) *os.File {
		f, err := os.Create(base + suffix)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", profileEnv, err)
			return nil
		}
		files = append(files, f)
		return f
	}
	if f := create(".cpu.pprof"); f != nil {
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", profileEnv, err)
		}
	}
	if f := create(".trace"); f != nil {
		if err := trace.Start(f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", profileEnv, err)
		}
	}
	stopProfiles = sync.OnceFunc(func() {
		pprof.StopCPUProfile()
		trace.Stop()
		if f := create(".allocs.pprof"); f != nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
		}
		for _, f := range files {
			f.Close()
		}
	})
}
