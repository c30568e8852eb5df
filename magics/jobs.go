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

	"github.com/beacceaf/gokernel/interp/fifo/waitline"
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
	cell   uint64 // counts SetOutput calls, so a sender can tell that the cell it used has ended
	closed bool
}

// NewJobs returns an empty job table.
func NewJobs() *Jobs { return &Jobs{} }

// JobInfo describes a job.
type JobInfo struct {
	N       int    // the job's number, from 1
	Name    string // the name given with --name, or ""
	PID     int    // its process ID, which is also its process group ID
	Cmd     string // the command given to bash -c
	Running bool   // the process has not exited yet
	Code    int    // the exit code, once it exited normally
	// Signal is the signal that killed it, or 0.
	Signal syscall.Signal
}

// Label is how messages refer to the job: "[3]", or "[3 NAME]" for a
// named job.
func (i JobInfo) Label() string {
	if i.Name == "" {
		return fmt.Sprintf("[%d]", i.N)
	}
	return fmt.Sprintf("[%d %s]", i.N, i.Name)
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
	name      string // "" for none
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
	groupGone   bool   // no process of its group is left
	waiting     string // the status line of a FIFO call it is blocked in, or ""
	watch       *waitline.Watch

	dirty     chan struct{} // capacity 1: the display needs an update
	exitedCh  chan struct{} // closed when the leader has been reaped
	finished  chan struct{} // closed once an update showing the end was sent
	readersWG sync.WaitGroup
}

// A JobSpec says what job to start.
type JobSpec struct {
	Dir     string // the working directory
	Command string // given to bash -c
	// Name names the job, so that it can be found without its number;
	// "" for none. A name may be reused once its previous job has ended.
	Name string
	// Replace ends a running job of the same name first, instead of
	// failing.
	Replace bool
}

// Start starts bash -c spec.Command as a new job. It prints
// "[N] PID COMMAND" (or "[N NAME] PID COMMAND") to out's stdout, then
// shows the job's display area in out. A name whose previous job still
// runs is an error, unless spec.Replace is set: then that job's process
// group is ended first.
func (js *Jobs) Start(spec JobSpec, out kernel.Output) (JobInfo, error) {
	if spec.Name != "" {
		if err := checkJobName(spec.Name); err != nil {
			return JobInfo{}, err
		}
	}
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
	if spec.Name != "" {
		if old := js.namedLocked(spec.Name); old != nil && old.alive() {
			if !spec.Replace {
				return JobInfo{}, &busyNameError{name: spec.Name, old: old.info()}
			}
			js.mu.Unlock()
			old.end()
			js.mu.Lock()
			if js.closed {
				return JobInfo{}, ErrClosed
			}
		}
	}
	command, dir := spec.Command, spec.Dir
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
		js: js, n: js.last, name: spec.Name, cmdline: command, cmd: cmd, pid: cmd.Process.Pid,
		own: out, displayID: fmt.Sprintf("gokernel-job-%d-%s", js.last, randomHex()),
		stdin:    inW,
		dirty:    make(chan struct{}, 1),
		exitedCh: make(chan struct{}),
		finished: make(chan struct{}),
	}
	j.runLog.limit = runLogCap
	j.runLog.add(fmt.Sprintf("Process started! pid=%d\n", j.pid))
	j.watch = waitline.Start(func() *waitline.Call { return lookBlocked(j.pid, dir) }, j.showBlocked, j.doneBlocked)
	js.jobs = append(js.jobs, j)
	js.mu.Unlock()
	locked = false

	out.Stream("stdout", fmt.Sprintf("%s %d %s\n", j.info().Label(), j.pid, command))
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
	j.watch.Stop()                       // its last line goes before the end's
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

// showBlocked puts the status line of the FIFO call b that the job is
// blocked in at the end of its RUN LOG.
func (j *job) showBlocked(b *waitline.Call) {
	j.mu.Lock()
	j.waiting = b.Waiting()
	j.mu.Unlock()
	j.touch()
}

// doneBlocked replaces the status line by how long the call waited.
func (j *job) doneBlocked(b *waitline.Call) {
	j.mu.Lock()
	j.waiting = ""
	j.runLog.add(b.Waited() + "\n")
	j.mu.Unlock()
	j.touch()
}

func (j *job) info() JobInfo {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.infoLocked()
}

func (j *job) infoLocked() JobInfo {
	return JobInfo{N: j.n, Name: j.name, PID: j.pid, Cmd: j.cmdline, Running: !j.exited, Code: j.status.code, Signal: j.status.sig}
}

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

// PID returns the process ID of the job that ref names (a number, a name,
// or %+ for the most recent), which is also its process group ID.
func (js *Jobs) PID(ref string) (int, error) {
	j, err := js.lookup(ref)
	if err != nil {
		return 0, err
	}
	return j.pid, nil
}

// Signal sends sig to the process group of the job that ref names, and
// returns the job. It fails when no process of the group is left.
func (js *Jobs) Signal(ref string, sig syscall.Signal) (JobInfo, error) {
	j, err := js.lookup(ref)
	if err != nil {
		return JobInfo{}, err
	}
	return j.info(), j.signal(sig)
}

func (j *job) signal(sig syscall.Signal) error {
	j.mu.Lock()
	gone := j.groupGone
	j.mu.Unlock()
	if gone {
		return fmt.Errorf("job %s has finished", j.label())
	}
	if err := unix.Kill(-j.pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("job %s has finished", j.label())
		}
		return fmt.Errorf("signal job %s: %w", j.label(), err)
	}
	return nil
}

// Write writes text and a newline to the stdin of the job that ref names.
func (js *Jobs) Write(ref string, text string) error {
	j, err := js.lookup(ref)
	if err != nil {
		return err
	}
	j.mu.Lock()
	closed := j.stdinClosed
	j.mu.Unlock()
	if closed {
		return fmt.Errorf("stdin of job %s is closed", j.label())
	}
	j.stdin.SetWriteDeadline(time.Now().Add(2 * time.Second))
	if _, err := j.stdin.Write([]byte(text + "\n")); err != nil {
		switch {
		case errors.Is(err, syscall.EPIPE):
			return fmt.Errorf("job %s does not read its stdin any more: %w", j.label(), err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return fmt.Errorf("job %s does not read its stdin (its pipe is full): %w", j.label(), err)
		}
		return fmt.Errorf("write to job %s: %w", j.label(), err)
	}
	j.mu.Lock()
	j.runLog.add("Wrote to stdin: " + text + "\n")
	j.mu.Unlock()
	j.touch()
	return nil
}

// CloseStdin closes the stdin of the job that ref names, waits up to grace
// for the job to end, then kills its process group. It returns the job's
// final state.
func (js *Jobs) CloseStdin(ctx context.Context, ref string, grace time.Duration) (JobInfo, error) {
	j, err := js.lookup(ref)
	if err != nil {
		return JobInfo{}, err
	}
	j.closeStdin("Stdin closed")
	select {
	case <-j.exitedCh:
	case <-ctx.Done():
		return j.info(), fmt.Errorf("close job %s: %w", j.label(), context.Cause(ctx))
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

// Wait waits up to timeout for the job that ref names to end and for its
// display to show it, and returns its final state.
func (js *Jobs) Wait(ctx context.Context, ref string, timeout time.Duration) (JobInfo, error) {
	j, err := js.lookup(ref)
	if err != nil {
		return JobInfo{}, err
	}
	select {
	case <-j.finished:
		return j.info(), nil
	case <-ctx.Done():
		return j.info(), fmt.Errorf("wait for job %s: %w", j.label(), context.Cause(ctx))
	case <-time.After(timeout):
		return j.info(), fmt.Errorf("job %s (%s) is still running after %v", j.label(), firstLine(j.cmdline), timeout)
	}
}

// label is how messages refer to the job (see JobInfo.Label).
func (j *job) label() string { return JobInfo{N: j.n, Name: j.name}.Label() }

// alive reports whether a process of the job's group may be left.
func (j *job) alive() bool {
	j.mu.Lock()
	gone, exited := j.groupGone, j.exited
	j.mu.Unlock()
	return !gone && (!exited || groupAlive(j.pid))
}

// end ends one job as EndAll ends them all: SIGTERM to its process group,
// SIGKILL after endGrace, and a wait for its leader.
func (j *job) end() {
	j.signal(syscall.SIGTERM)
	deadline := time.Now().Add(endGrace)
	for j.alive() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if j.alive() {
		j.signal(syscall.SIGKILL)
	}
	j.closeStdin("")
	select {
	case <-j.exitedCh:
	case <-time.After(2 * time.Second):
	}
	j.awaitFinished(context.Background(), time.Second)
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
			if j.alive() {
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
