package magics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/kernel"
)

// Limits and timing of jobs.
const (
	// endGrace is how long EndAll lets jobs end after SIGTERM before
	// SIGKILL.
	endGrace = time.Second
)

// Jobs is the table of background jobs that %bash_async starts: bash -c
// CMD in a process group of its own, with a stdin pipe that the table
// holds and stdout and stderr shown live in one display area. It is safe
// for concurrent use.
//
// Job numbers start at 1 and are never reused by one Jobs. The table's code
// is in four files: this one (the table and the processes), jobgroup.go
// (polling /proc for what is left of a job's process group), jobrender.go
// (output buffers and the display) and jobroute.go (which cell's Output
// carries a job's display updates, and the invariant that routing keeps).
type Jobs struct {
	mu     sync.Mutex
	last   int    // the last number given
	jobs   []*job // in number order
	out    kernel.Output
	closed bool
}

// NewJobs returns an empty job table.
func NewJobs() *Jobs { return &Jobs{} }

// JobInfo describes a job.
type JobInfo struct {
	N       int    // the job's number, from 1
	PID     int    // its process ID, which is also its process group ID
	Cmd     string // the command given to bash -c
	Running bool   // the process has not exited yet
	Code    int    // the exit code, once it exited normally
	// Signal is the signal that killed it, or 0.
	Signal syscall.Signal
}

// State returns "running", "exited" or "killed".
func (i JobInfo) State() string {
	switch {
	case i.Running:
		return "running"
	case i.Signal != 0:
		return "killed"
	}
	return "exited"
}

// Status returns "" while the job runs, then "code=N" or
// "signal=9 (SIGKILL)".
func (i JobInfo) Status() string {
	switch {
	case i.Running:
		return ""
	case i.Signal != 0:
		return fmt.Sprintf("signal=%d (%s)", int(i.Signal), signalName(i.Signal))
	}
	return fmt.Sprintf("code=%d", i.Code)
}

// A job is one entry of the table.
type job struct {
	js        *Jobs
	n         int
	cmdline   string
	cmd       *exec.Cmd
	pid       int
	own       kernel.Output // the Output of the cell that started it
	sentIdle  bool          // the last update went out while no cell ran (guarded by mu)
	displayID string
	stdin     *os.File // the write end of its stdin pipe

	mu          sync.Mutex
	runLog      tail
	stdout      tail
	stderr      tail
	exited      bool
	status      procStatus
	stdinClosed bool
	groupGone   bool // no process of its group is left

	dirty     chan struct{} // capacity 1: the display needs an update
	exitedCh  chan struct{} // closed when the leader has been reaped
	finished  chan struct{} // closed once an update showing the end was sent
	readersWG sync.WaitGroup
}

// Start starts bash -c command in dir as a new job. It prints
// "[N] PID COMMAND" to out's stdout, then shows the job's display area in
// out.
func (js *Jobs) Start(dir, command string, out kernel.Output) (JobInfo, error) {
	js.mu.Lock()
	locked := true
	defer func() {
		if locked {
			js.mu.Unlock()
		}
	}()
	if js.closed {
		return JobInfo{}, ErrClosed
	}
	var files []*os.File // every pipe end; the child's are closed after the start
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	inR, inW, err1 := pipe()
	outR, outW, err2 := pipe()
	errR, errW, err3 := pipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		closeAll()
		return JobInfo{}, fmt.Errorf("start job: %w", err)
	}
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir, cmd.Env = dir, childEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := startCmd(cmd); err != nil {
		closeAll()
		return JobInfo{}, fmt.Errorf("start job: %w", err)
	}
	inR.Close()
	outW.Close()
	errW.Close()

	js.last++
	j := &job{
		js: js, n: js.last, cmdline: command, cmd: cmd, pid: cmd.Process.Pid,
		own: out, displayID: fmt.Sprintf("gokernel-job-%d-%s", js.last, randomHex()),
		stdin:    inW,
		dirty:    make(chan struct{}, 1),
		exitedCh: make(chan struct{}),
		finished: make(chan struct{}),
	}
	j.runLog.limit = runLogCap
	j.runLog.add(fmt.Sprintf("Process started! pid=%d\n", j.pid))
	js.jobs = append(js.jobs, j)
	js.mu.Unlock()
	locked = false

	out.Stream("stdout", fmt.Sprintf("[%d] %d %s\n", j.n, j.pid, command))
	b, _ := j.render()
	display(out, b, j.displayID)

	j.readersWG.Add(2)
	go j.read(outR, &j.stdout)
	go j.read(errR, &j.stderr)
	go j.wait()
	go j.publish()
	return j.info(), nil
}

// randomHex returns a short random string, so that display ids differ
// between kernel runs.
func randomHex() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// wait reaps the job's leader, records how it ended, then watches its
// process group until no process is left in it.
func (j *job) wait() {
	j.cmd.Wait()
	waitTimeout(&j.readersWG, drainWait) // let the last output in first
	st := statusOf(j.cmd.ProcessState)
	info := JobInfo{Signal: st.sig, Code: st.code}
	j.mu.Lock()
	j.exited, j.status = true, st
	j.runLog.add("Process finished! " + info.Status() + "\n")
	j.mu.Unlock()
	close(j.exitedCh)
	j.touch()
	j.watchGroup()
}

func (j *job) info() JobInfo {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.infoLocked()
}

func (j *job) infoLocked() JobInfo {
	return JobInfo{N: j.n, PID: j.pid, Cmd: j.cmdline, Running: !j.exited, Code: j.status.code, Signal: j.status.sig}
}

// get returns job n.
func (js *Jobs) get(n int) (*job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if n < 1 || n > len(js.jobs) {
		return nil, &noJobError{n: n, count: len(js.jobs)}
	}
	return js.jobs[n-1], nil
}

// noJobError reports a job number that was never given. It matches
// ErrNoSuchJob.
type noJobError struct{ n, count int }

func (e *noJobError) Error() string {
	if e.count == 0 {
		return fmt.Sprintf("no job [%d]: there are no jobs", e.n)
	}
	return fmt.Sprintf("no job [%d]: jobs are numbered 1 to %d", e.n, e.count)
}

func (e *noJobError) Is(target error) bool { return target == ErrNoSuchJob }

// List describes every job, in number order.
func (js *Jobs) List() []JobInfo {
	js.mu.Lock()
	all := append([]*job(nil), js.jobs...)
	js.mu.Unlock()
	infos := make([]JobInfo, len(all))
	for i, j := range all {
		infos[i] = j.info()
	}
	return infos
}

// PID returns the process ID of job n, which is also its process group ID.
func (js *Jobs) PID(n int) (int, error) {
	j, err := js.get(n)
	if err != nil {
		return 0, err
	}
	return j.pid, nil
}

// Signal sends sig to job n's process group. It fails when no process of
// the group is left.
func (js *Jobs) Signal(n int, sig syscall.Signal) error {
	j, err := js.get(n)
	if err != nil {
		return err
	}
	return j.signal(sig)
}

func (j *job) signal(sig syscall.Signal) error {
	j.mu.Lock()
	gone := j.groupGone
	j.mu.Unlock()
	if gone {
		return fmt.Errorf("job [%d] has finished", j.n)
	}
	if err := unix.Kill(-j.pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("job [%d] has finished", j.n)
		}
		return fmt.Errorf("signal job [%d]: %w", j.n, err)
	}
	return nil
}

// Write writes text and a newline to job n's stdin.
func (js *Jobs) Write(n int, text string) error {
	j, err := js.get(n)
	if err != nil {
		return err
	}
	j.mu.Lock()
	closed := j.stdinClosed
	j.mu.Unlock()
	if closed {
		return fmt.Errorf("stdin of job [%d] is closed", j.n)
	}
	j.stdin.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if _, err := j.stdin.Write([]byte(text + "\n")); err != nil {
		switch {
		case errors.Is(err, syscall.EPIPE):
			return fmt.Errorf("job [%d] does not read its stdin any more: %w", j.n, err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return fmt.Errorf("job [%d] does not read its stdin (its pipe is full): %w", j.n, err)
		}
		return fmt.Errorf("write to job [%d]: %w", j.n, err)
	}
	j.mu.Lock()
	j.runLog.add("Wrote to stdin: " + text + "\n")
	j.mu.Unlock()
	j.touch()
	return nil
}

// CloseStdin closes job n's stdin, waits up to grace for the job to end,
// then kills its process group. It returns the job's final state.
func (js *Jobs) CloseStdin(ctx context.Context, n int, grace time.Duration) (JobInfo, error) {
	j, err := js.get(n)
	if err != nil {
		return JobInfo{}, err
	}
	j.closeStdin("Stdin closed")
	select {
	case <-j.exitedCh:
	case <-ctx.Done():
		return j.info(), fmt.Errorf("close job [%d]: %w", n, context.Cause(ctx))
	case <-time.After(grace):
		j.mu.Lock()
		j.runLog.add(fmt.Sprintf("Still running %v after stdin was closed: SIGKILL\n", grace))
		j.mu.Unlock()
		j.signal(syscall.SIGKILL)
		<-j.exitedCh
	}
	j.awaitFinished(ctx, time.Second)
	return j.info(), nil
}

func (j *job) closeStdin(note string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stdinClosed {
		return
	}
	j.stdinClosed = true
	j.stdin.Close()
	if note != "" {
		j.runLog.add(note + "\n")
	}
}

// awaitFinished waits up to d for the update that shows the job's end.
func (j *job) awaitFinished(ctx context.Context, d time.Duration) {
	select {
	case <-j.finished:
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Wait waits up to timeout for job n to end and for its display to show
// it, and returns its final state.
func (js *Jobs) Wait(ctx context.Context, n int, timeout time.Duration) (JobInfo, error) {
	j, err := js.get(n)
	if err != nil {
		return JobInfo{}, err
	}
	select {
	case <-j.finished:
		return j.info(), nil
	case <-ctx.Done():
		return j.info(), fmt.Errorf("wait for job [%d]: %w", n, context.Cause(ctx))
	case <-time.After(timeout):
		return j.info(), fmt.Errorf("job [%d] (%s) is still running after %v", n, firstLine(j.cmdline), timeout)
	}
}

// EndAll ends every job: SIGTERM to each process group, then, after a
// grace period, SIGKILL to those still alive. It returns once no process
// of any job's group is left (or after a few seconds). The table stays
// usable, and job numbers go on.
func (js *Jobs) EndAll() {
	js.mu.Lock()
	all := append([]*job(nil), js.jobs...)
	js.mu.Unlock()
	alive := func() []*job {
		var live []*job
		for _, j := range all {
			j.mu.Lock()
			gone := j.groupGone
			exited := j.exited
			j.mu.Unlock()
			if !gone && (!exited || groupAlive(j.pid)) {
				live = append(live, j)
			}
		}
		return live
	}
	live := alive()
	for _, j := range live {
		j.signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(endGrace)
	for len(live) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		live = alive()
	}
	for _, j := range live {
		j.signal(syscall.SIGKILL)
	}
	deadline = time.Now().Add(2 * time.Second)
	for len(live) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		live = alive()
	}
	for _, j := range all {
		j.closeStdin("")
		select {
		case <-j.exitedCh: // the leader was killed, so it is reaped promptly
		case <-time.After(time.Second):
		}
	}
	for _, j := range all {
		j.awaitFinished(context.Background(), 300*time.Millisecond)
	}
}

// Close ends every job, as EndAll does, and refuses new ones.
func (js *Jobs) Close() error {
	js.mu.Lock()
	js.closed = true
	js.mu.Unlock()
	js.EndAll()
	return nil
}
