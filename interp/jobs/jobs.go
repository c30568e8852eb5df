package jobs

import (
	"errors"
	"fmt"
	"sync"
)

// Job describes one background job.
type Job struct {
	N       int    // the job's number, from 1, as %jobs shows it
	PID     int    // its process ID, which is also its process group ID
	Cmd     string // the command
	Running bool   // it has not exited yet
	Code    int    // its exit code, once it has exited normally
	Signal  int    // the signal that killed it, or 0
}

// State is "running", "exited" or "killed".
func (j Job) State() string {
	switch {
	case j.Running:
		return "running"
	case j.Signal != 0:
		return "killed"
	}
	return "exited"
}

// ErrNoKernel is returned outside gokernel, where there is no job table.
var ErrNoKernel = errors.New("jobs: not running in gokernel, so there are no jobs")

// A Source answers for the kernel's job table. The gokernel worker installs
// one; cells never need to.
type Source interface {
	Jobs() ([]Job, error)
}

var (
	mu     sync.Mutex
	source Source
)

// SetSource installs the job table that List and PID read.
func SetSource(s Source) {
	mu.Lock()
	defer mu.Unlock()
	source = s
}

// List returns every job the kernel has started, in order.
func List() ([]Job, error) {
	mu.Lock()
	s := source
	mu.Unlock()
	if s == nil {
		return nil, ErrNoKernel
	}
	return s.Jobs()
}

// PID returns the process ID of job n.
func PID(n int) (int, error) {
	all, err := List()
	if err != nil {
		return 0, err
	}
	for _, j := range all {
		if j.N == n {
			return j.PID, nil
		}
	}
	return 0, fmt.Errorf("jobs: no job %d (%%jobs lists them)", n)
}
