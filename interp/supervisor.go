package interp

import (
	"errors"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A workerState is where the supervisor's worker is in its life.
type workerState int

const (
	stateDead     workerState = iota // no worker runs: none started yet, or the last one has ended
	stateStarting                    // a worker process is being started
	stateLive                        // the worker serves requests
	stateDying                       // the worker is being killed and its pipes drained
	stateClosed                      // the Interpreter is closed; no worker will start again
)

func (s workerState) String() string {
	return [...]string{"dead", "starting", "live", "dying", "closed"}[s]
}

// closeGrace is how long Close lets the worker exit by itself, once its
// control socket is closed, before its process group is killed.
const closeGrace = 500 * time.Millisecond

// A supervisor owns the life of the Interpreter's worker process. It is the
// only code that starts, replaces or ends a worker; the rest of the package
// gets a worker from it, talks to it, and reports to it when it misbehaves.
//
// The worker goes through these states: starting (its process is being
// started), live (it serves requests), dying (its process group is being
// killed and its pipes drained) and dead (it has ended and been cleaned up,
// or it exited by itself and nobody has looked yet). A dead worker is
// replaced by the next call of get; closed is final.
//
// Who may call what:
//   - get is for cells, user expressions and magics, which need a worker.
//     It returns the live worker, or starts a new one in place of a dead
//     one; then lost says, once, how the old one ended, and the caller
//     tells the user that the variables of earlier cells are gone
//     (proto.StateLost).
//   - current is for complete, inspect and the debugger, which must answer
//     at once: it returns the live worker or errWorkerGone, and never waits.
//   - replace is for a caller that found the worker dead during a request,
//     or stuck after an interrupt, and for %reset: it ends that worker and,
//     if it is still the current one, starts another. The caller tells the
//     user why, with the worker's exitReason and crash report, which stay
//     readable after the replacement.
//   - setDir and setEnv record %cd and %env, so that a new worker starts
//     where the old one was.
//   - close ends the worker for good.
//
// What is bounded by which timeout: ending a worker (worker.kill) waits at
// most reapWait for the process to be reaped and 2×pipeWait for its pipes
// to drain, even when processes that cells started still hold them; close
// first waits closeGrace for the worker to exit by itself. Starting one is
// a fork and exec. get and replace wait for at most one end and one start.
// Transitions are serialised by life; mu guards the fields and is never
// held while waiting for anything, so output, complete and inspect go on
// while a worker is replaced. The Interpreter adds its own bounds around
// requests: cancelWait from an interrupt to the request's end, displayWait
// for a display event after its marker, callWait for complete, inspect and magics' requests.
//
// What the user is told, by the Interpreter, which knows the cell:
//   - a worker that died between cells: a line on the next cell's stderr,
//     "The Go worker had stopped (how), so a new one was started", and
//     that the variables of earlier cells are gone;
//   - a worker that died during a cell: the cell's WorkerDied error, with
//     the crash's header, the cell, its last frames, and the same loss;
//   - a cell that did not stop when interrupted, or stopped stuck in a
//     call that cannot be cancelled: an Interrupted error that says the
//     worker was replaced and the state is gone;
//   - %reset: nothing more than the magic's own output.
//
// The crash dump itself goes to the kernel log (crashReport), never to the
// user.
type supervisor struct {
	argv  []string
	log   *log.Logger
	hooks hooks
	// ended is called after a worker has been killed, before another
	// starts: the jobs of the old one's cells end with it.
	ended func()
	ids   atomic.Uint64 // the one request counter, shared by all workers

	life sync.Mutex // serialises start, replace and close

	mu    sync.Mutex
	w     *worker
	state workerState
	dir   string   // where the next worker starts
	env   []string // the next worker's environment
}

// start starts a worker and makes it the current one. s.life is held.
func (s *supervisor) start() (*worker, error) {
	s.mu.Lock()
	s.state = stateStarting
	dir, env := s.dir, s.env
	s.mu.Unlock()
	w, err := startWorker(s.argv, dir, env, &s.ids, s.hooks)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.w, s.state = nil, stateDead
		return nil, err
	}
	s.w, s.state = w, stateLive
	return w, nil
}

// end kills w and, if it is the current worker, runs the ended hook: the
// jobs of a worker that was already replaced ended then. s.life is held.
func (s *supervisor) end(w *worker) {
	s.mu.Lock()
	current := s.w == w && s.state != stateClosed
	if current {
		s.state = stateDying
	}
	s.mu.Unlock()
	w.kill()
	if !current {
		return
	}
	s.ended()
	s.mu.Lock()
	s.state = stateDead
	s.mu.Unlock()
}

var errClosed = errors.New("interp: closed")

// get returns a live worker, starting one if the current one has died.
// lost, when not empty, says how the old worker ended: the state of
// earlier cells is gone, and the caller tells the user.
func (s *supervisor) get() (w *worker, lost string, err error) {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	old, st := s.w, s.state
	s.mu.Unlock()
	if st == stateClosed {
		return nil, "", errClosed
	}
	if old != nil && !old.exitedNow() {
		return old, "", nil
	}
	if old != nil {
		s.end(old)
		lost = old.exitReason()
		if summary := s.crashReport(old); len(summary) > 0 {
			lost += ": " + summary[len(summary)-1]
		}
	}
	w, err = s.start()
	if err != nil {
		return nil, "", err
	}
	return w, lost, nil
}

// current returns the live worker, without starting or waiting for one.
func (s *supervisor) current() (*worker, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateLive || s.w.dead() {
		return nil, errWorkerGone
	}
	return s.w, nil
}

// replace ends w and, if it is the current worker, starts another.
func (s *supervisor) replace(w *worker) {
	s.life.Lock()
	defer s.life.Unlock()
	s.end(w)
	s.mu.Lock()
	cur, st := s.w, s.state
	s.mu.Unlock()
	if cur != w || st == stateClosed {
		return
	}
	if _, err := s.start(); err != nil {
		s.log.Printf("starting a new worker: %v", err)
	}
}

// reset replaces the current worker, if any, for %reset.
func (s *supervisor) reset() {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	if w != nil {
		s.replace(w)
	}
}

// close ends the worker for good.
func (s *supervisor) close() {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	w := s.w
	s.w, s.state = nil, stateClosed
	s.mu.Unlock()
	if w != nil {
		w.close(closeGrace)
	}
}

// status returns the worker's state, noticing a worker that has exited by
// itself.
func (s *supervisor) status() workerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateLive && s.w.exitedNow() {
		return stateDead
	}
	return s.state
}

// live returns the current worker if it has not exited, or nil.
func (s *supervisor) live() *worker {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateLive || s.w.dead() {
		return nil
	}
	return s.w
}

// setDir records the directory that the next worker starts in.
func (s *supervisor) setDir(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dir = dir
}

// startDir returns the directory that the next worker starts in.
func (s *supervisor) startDir() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dir
}

// setEnv records a %env change, so that the next worker gets it too.
func (s *supervisor) setEnv(name, value string, unset bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.env[:0:0]
	for _, kv := range s.env {
		if strings.HasPrefix(kv, name+"=") {
			continue
		}
		env = append(env, kv)
	}
	if !unset {
		env = append(env, name+"="+value)
	}
	s.env = env
}

// crashReport logs w's crash dump in full, if it left one, and returns
// the dump's header lines.
func (s *supervisor) crashReport(w *worker) []string {
	dump := w.crash.take()
	if dump == "" {
		return nil
	}
	s.log.Printf("the Go worker (pid %d) crashed; the Go runtime wrote:\n%s", w.pid, strings.TrimRight(dump, "\n"))
	return dumpSummary(dump)
}
