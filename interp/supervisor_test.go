package interp

import (
	"errors"
	"io"
	"log"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/jobs"
)

// newTestSupervisor returns a supervisor whose workers are this test
// binary (see TestMain in interp_test.go), and a count of the workers it
// has ended.
func newTestSupervisor(t *testing.T) (*supervisor, *int) {
	ended := 0
	s := &supervisor{
		argv: []string{os.Args[0]},
		log:  log.New(io.Discard, "", 0),
		hooks: hooks{
			stream:  func(string, string) {},
			display: func(proto.Display) {},
			debug:   func(proto.DebugEvent) {},
			jobs:    func() []jobs.Job { return nil },
			logf:    t.Logf,
		},
		ended: func() { ended++ },
		dir:   t.TempDir(),
		env:   append(os.Environ(), "GOKERNEL_TEST_AS_WORKER=1"),
	}
	t.Cleanup(s.close)
	return s, &ended
}

// TestSupervisorLife walks a worker through its states: started on
// demand, killed from outside and replaced with the loss reported once, a
// stale replace ignored, %reset, and close.
func TestSupervisorLife(t *testing.T) {
	s, ended := newTestSupervisor(t)
	if st := s.status(); st != stateDead {
		t.Fatalf("before the first get: %v, want dead", st)
	}
	if _, err := s.current(); !errors.Is(err, errWorkerGone) {
		t.Fatalf("current with no worker: %v, want errWorkerGone", err)
	}

	w1, lost, err := s.get()
	if err != nil || lost != "" {
		t.Fatalf("first get: lost %q, err %v", lost, err)
	}
	if st := s.status(); st != stateLive {
		t.Fatalf("after get: %v, want live", st)
	}
	if w, lost, _ := s.get(); w != w1 || lost != "" {
		t.Fatalf("second get gave another worker (lost %q)", lost)
	}

	if err := syscall.Kill(w1.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w1.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the killed worker was not reaped")
	}
	if st := s.status(); st != stateDead {
		t.Fatalf("after SIGKILL: %v, want dead", st)
	}
	if _, err := s.current(); err == nil {
		t.Fatal("current returned a dead worker")
	}
	w2, lost, err := s.get()
	if err != nil || w2 == w1 {
		t.Fatalf("get after the death: same worker %v, err %v", w2 == w1, err)
	}
	if !strings.Contains(lost, "killed by signal 9") {
		t.Fatalf("lost = %q, want the signal", lost)
	}
	if _, lost, _ := s.get(); lost != "" {
		t.Fatalf("the loss was reported twice: %q", lost)
	}
	if *ended != 1 {
		t.Fatalf("ended %d workers, want 1", *ended)
	}

	s.replace(w1) // stale: w1 is not the current worker
	if w, _ := s.current(); w != w2 || *ended != 1 {
		t.Fatalf("replacing a stale worker replaced the current one (%v) or ended its jobs (%d)", w != w2, *ended)
	}

	s.reset()
	w3, err := s.current()
	if err != nil || w3 == w2 {
		t.Fatalf("reset: same worker %v, err %v", w3 == w2, err)
	}
	if !w2.dead() || *ended != 2 {
		t.Fatalf("reset left the old worker running (%v) or its jobs (ended %d)", !w2.dead(), *ended)
	}

	s.close()
	if st := s.status(); st != stateClosed {
		t.Fatalf("after close: %v, want closed", st)
	}
	if !w3.dead() {
		t.Fatal("close left the worker running")
	}
	if _, _, err := s.get(); !errors.Is(err, errClosed) {
		t.Fatalf("get after close: %v, want errClosed", err)
	}
}
