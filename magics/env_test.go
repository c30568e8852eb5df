package magics_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/magics"
)

// fakeEnv is a magics.Env without a worker: Eval answers from a map and
// RunGo records the code it is given.
type fakeEnv struct {
	mu     sync.Mutex
	dir    string
	values map[string]string // Eval's answers
	ran    []string          // RunGo's code
	runErr error
	names  []string
	resets int
}

func newFakeEnv(t *testing.T) *fakeEnv {
	t.Helper()
	return &fakeEnv{dir: t.TempDir(), values: map[string]string{}}
}

func (e *fakeEnv) Dir() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dir
}

func (e *fakeEnv) Chdir(ctx context.Context, dir string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dir = dir
	return nil
}

func (e *fakeEnv) Setenv(ctx context.Context, name, value string) error {
	return os.Setenv(name, value)
}
func (e *fakeEnv) Unsetenv(ctx context.Context, name string) error { return os.Unsetenv(name) }

func (e *fakeEnv) Eval(ctx context.Context, expr string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.values[expr]
	if !ok {
		return "", fmt.Errorf("undefined: %s", expr)
	}
	return v, nil
}

func (e *fakeEnv) RunGo(ctx context.Context, code string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ran = append(e.ran, code)
	return e.runErr
}

func (e *fakeEnv) Reset(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resets++
	return nil
}

func (e *fakeEnv) Names(ctx context.Context) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.names, nil
}

// kit is what most tests need: a registry with its job table, an Env and
// a Recorder.
type kit struct {
	t    *testing.T
	jobs *magics.Jobs
	reg  *magics.Registry
	env  *fakeEnv
	rec  *kerneltest.Recorder
}

func newKit(t *testing.T) *kit {
	t.Helper()
	jobs := magics.NewJobs()
	t.Cleanup(func() { jobs.Close() })
	return &kit{t: t, jobs: jobs, reg: magics.Builtin(jobs), env: newFakeEnv(t), rec: &kerneltest.Recorder{}}
}

// run parses cell and runs its segments, failing the test on a Go segment
// or a parse error. It returns the first error of a segment.
func (k *kit) run(ctx context.Context, cell string) error {
	k.t.Helper()
	segs, err := magics.Parse(cell)
	if err != nil {
		k.t.Fatalf("Parse(%q): %v", cell, err)
	}
	for _, s := range segs {
		if s.Kind == magics.Go {
			k.t.Fatalf("cell %q has Go code %q", cell, s.Text)
		}
		if err := k.reg.Run(ctx, s, k.rec, k.env); err != nil {
			return err
		}
	}
	return nil
}

// mustRun is run that fails the test on an error.
func (k *kit) mustRun(cell string) {
	k.t.Helper()
	if err := k.run(context.Background(), cell); err != nil {
		k.t.Fatalf("cell %q: %v", cell, err)
	}
}

// usageErr runs cell and checks that it fails with a *UsageError whose
// message contains want.
func (k *kit) usageErr(cell, want string) {
	k.t.Helper()
	err := k.run(context.Background(), cell)
	var ue *magics.UsageError
	if !errors.As(err, &ue) {
		k.t.Fatalf("cell %q: error %v (%T), want a *UsageError", cell, err, err)
	}
	if !strings.Contains(err.Error(), want) {
		k.t.Errorf("cell %q: error %q, want it to contain %q", cell, err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		k.t.Errorf("cell %q: error %q is not one line", cell, err)
	}
}

// plainErr runs cell and checks that it fails with a one-line error that
// is not a usage error and contains want.
func (k *kit) plainErr(cell, want string) {
	k.t.Helper()
	err := k.run(context.Background(), cell)
	var ue *magics.UsageError
	switch {
	case err == nil:
		k.t.Fatalf("cell %q succeeded, want an error", cell)
	case errors.As(err, &ue):
		k.t.Errorf("cell %q: error %q is a usage error", cell, err)
	case !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n"):
		k.t.Errorf("cell %q: error %q, want one line containing %q", cell, err, want)
	}
}

// displays returns the bundles of the recorded display events.
func displays(rec *kerneltest.Recorder) []kerneltest.Event {
	var ds []kerneltest.Event
	for _, e := range rec.Events() {
		if e.Kind == "display" {
			ds = append(ds, e)
		}
	}
	return ds
}
