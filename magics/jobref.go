package magics

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// jobName is the form of a job's name: a letter or underscore first, so
// that a name is never a number, then letters, digits, '_', '.' or '-'.
var jobName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,31}$`)

// lastJob is the reference to the most recent job, besides "+".
const lastJob = "last"

// checkJobName reports whether name can name a job.
func checkJobName(name string) error {
	if !jobName.MatchString(name) || name == lastJob {
		return fmt.Errorf("bad job name %q: a name starts with a letter or '_', then letters, digits, '_', '.' or '-' (at most 32), and is not %q", name, lastJob)
	}
	return nil
}

// checkJobRef reports whether ref has the form of a job reference: a
// number (3 or %3), a name (cat or %cat), or %+ or %last for the most
// recent job. Whether the job exists is lookup's business.
func checkJobRef(ref string) error {
	r := strings.TrimPrefix(ref, "%")
	if r == "+" || r == lastJob {
		return nil
	}
	if n, err := strconv.Atoi(r); err == nil {
		if n < 1 {
			return fmt.Errorf("bad job number %q (job numbers are 1, 2, ...; %%jobs lists them)", ref)
		}
		return nil
	}
	if !jobName.MatchString(r) {
		return fmt.Errorf("bad job %q: give its number (3 or %%3), its name (NAME or %%NAME) or %%+ for the most recent; %%jobs lists them", ref)
	}
	return nil
}

// lookup returns the job that ref names (see checkJobRef). A name means
// the newest job of that name.
func (js *Jobs) lookup(ref string) (*job, error) {
	if err := checkJobRef(ref); err != nil {
		return nil, err
	}
	r := strings.TrimPrefix(ref, "%")
	js.mu.Lock()
	defer js.mu.Unlock()
	if r == "+" || r == lastJob {
		if len(js.jobs) == 0 {
			return nil, &noJobError{ref: ref}
		}
		return js.jobs[len(js.jobs)-1], nil
	}
	if n, err := strconv.Atoi(r); err == nil {
		if n > len(js.jobs) {
			return nil, &noJobError{ref: ref, n: n, count: len(js.jobs)}
		}
		return js.jobs[n-1], nil
	}
	if j := js.namedLocked(r); j != nil {
		return j, nil
	}
	return nil, &noJobError{ref: ref, name: r, count: len(js.jobs)}
}

// namedLocked returns the newest job called name, or nil. js.mu is held.
func (js *Jobs) namedLocked(name string) *job {
	for i := len(js.jobs) - 1; i >= 0; i-- {
		if js.jobs[i].name == name {
			return js.jobs[i]
		}
	}
	return nil
}

// noJobError reports a reference to a job that does not exist. It
// matches ErrNoSuchJob.
type noJobError struct {
	ref   string
	n     int    // the number asked for, or 0
	name  string // the name asked for, or ""
	count int    // how many jobs there are
}

func (e *noJobError) Error() string {
	switch {
	case e.name != "":
		return fmt.Sprintf("no job named %q (start one with %%bash_async --name %s CMD; %%jobs lists the jobs)", e.name, e.name)
	case e.count == 0 && e.n > 0:
		return fmt.Sprintf("no job [%d]: there are no jobs", e.n)
	case e.count == 0:
		return fmt.Sprintf("no job %s: there are no jobs", e.ref)
	}
	return fmt.Sprintf("no job [%d]: jobs are numbered 1 to %d", e.n, e.count)
}

func (e *noJobError) Is(target error) bool { return target == ErrNoSuchJob }

// busyNameError reports a name whose previous job still runs.
type busyNameError struct {
	name string
	old  JobInfo
}

func (e *busyNameError) Error() string {
	return fmt.Sprintf("job %s is still running (pid %d): %%kill %s first, or start the new one with --replace, which ends the old one",
		e.old.Label(), e.old.PID, e.name)
}
