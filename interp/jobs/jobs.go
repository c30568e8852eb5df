package jobs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Job describes one background job.
type Job struct {
	N       int    // the job's number, from 1, as %jobs shows it
	Name    string // the name given with %bash_async --name, or ""
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

// PID returns the process ID of a job, which is also its process group
// ID. The job is given by its number (an int: PID(3)) or by a reference
// as the job magics take it (a string: PID("cat"), PID("3"), PID("%+");
// see Lookup). An int keeps cells written for numbered jobs working.
func PID(job any) (int, error) {
	var ref string
	switch v := job.(type) {
	case int:
		ref = strconv.Itoa(v)
	case string:
		ref = v
	default:
		return 0, fmt.Errorf("jobs: PID takes a job number (int) or a name (string), not %T", job)
	}
	j, err := Lookup(ref)
	if err != nil {
		return 0, err
	}
	return j.PID, nil
}

// Lookup returns the job that ref names, as %kill and %wait read it: a
// number ("3" or "%3"), a name given with %bash_async --name ("cat" or
// "%cat": the newest job of that name), or "%+" or "%last" for the most
// recent job.
func Lookup(ref string) (Job, error) {
	all, err := List()
	if err != nil {
		return Job{}, err
	}
	r := strings.TrimPrefix(ref, "%")
	switch n, numErr := strconv.Atoi(r); {
	case r == "+" || r == "last":
		if len(all) > 0 {
			return all[len(all)-1], nil
		}
		return Job{}, fmt.Errorf("jobs: no job %s: there are no jobs", ref)
	case numErr == nil:
		for _, j := range all {
			if j.N == n {
				return j, nil
			}
		}
		return Job{}, fmt.Errorf("jobs: no job %d (%%jobs lists them)", n)
	case r == "":
		return Job{}, errors.New("jobs: empty job reference: give a number, a name or %+")
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Name == r {
			return all[i], nil
		}
	}
	return Job{}, fmt.Errorf("jobs: no job named %q (%%bash_async --name %s CMD starts one; %%jobs lists them)", r, r)
}
