package magics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/kernel"
)

// Timing of process control.
const (
	// interruptGrace is how long an interrupted command may take to end
	// after ^C (or SIGINT) before its process group is killed.
	interruptGrace = time.Second
	// drainWait is how long output may keep arriving after a command has
	// exited, from children that still hold its terminal or pipes.
	drainWait = 200 * time.Millisecond
)

// DefaultShell runs !CMD lines and %run commands until %env SHELL=...
// chooses another, as IPython 7 did: outputs are then the same for every
// user.
const DefaultShell = "/bin/sh"

// procStatus is how a process ended.
type procStatus struct {
	code int            // exit code, when sig is 0
	sig  syscall.Signal // the signal that killed it, or 0
}

func statusOf(ps *os.ProcessState) procStatus {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return procStatus{sig: ws.Signal()}
	}
	return procStatus{code: ps.ExitCode()}
}

// shellStatusOf is statusOf for a command that a shell ran. A shell
// such as dash forks the command instead of replacing itself with it, and
// reports a command killed by signal N as exit status 128+N; that is
// turned back into the signal, as the user's program died of it.
func shellStatusOf(ps *os.ProcessState) procStatus {
	st := statusOf(ps)
	if n := st.code - 128; st.sig == 0 && n > 0 && n < 65 && unix.SignalName(syscall.Signal(n)) != "" {
		return procStatus{sig: syscall.Signal(n)}
	}
	return st
}

func (s procStatus) ok() bool { return s.sig == 0 && s.code == 0 }

// String returns "exit status 1" or "killed by signal 11 (SIGSEGV)".
func (s procStatus) String() string {
	if s.sig != 0 {
		return fmt.Sprintf("killed by signal %d (%s)", int(s.sig), signalName(s.sig))
	}
	return fmt.Sprintf("exit status %d", s.code)
}

// signalName returns "SIGSEGV", or "SIG40" for a signal without a name.
func signalName(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	return fmt.Sprintf("SIG%d", int(sig))
}

// The spawner starts every child process from one goroutine locked to its
// OS thread for the life of the program. A child's Pdeathsig fires when
// the thread that started it ends, so this thread must never end.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// startCmd starts cmd on the spawner's thread, with Pdeathsig set to
// SIGKILL so that the child dies with the kernel.
func startCmd(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the program
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, done}
	return <-done
}

// childEnv is the environment of commands and jobs: the kernel's, with the
// defaults ipykernel gives its shell commands when they are unset.
func childEnv() []string {
	env := os.Environ()
	for _, kv := range [][2]string{{"TERM", "xterm-color"}, {"CLICOLOR", "1"}, {"PAGER", "cat"}, {"GIT_PAGER", "cat"}} {
		if _, ok := os.LookupEnv(kv[0]); !ok {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	return env
}

// errInterrupted wraps ctx.Err() for a command stopped by an interrupt.
func errInterrupted(ctx context.Context, what string) error {
	return fmt.Errorf("%s: interrupted: %w", what, context.Cause(ctx))
}

// runPTY runs shell -c command in dir on a new pseudo-terminal, which is
// its stdin, stdout and stderr, and the controlling terminal of its own
// session. Output goes to emit as it arrives, with "\r\n" turned back into
// "\n". When ctx ends, it types ^C into the terminal, then kills the
// process group if it is still running after interruptGrace; the error
// then wraps ctx's. A FIFO call that the command stays blocked in gets a
// status line in status (see explainBlocked).
func runPTY(ctx context.Context, shell, dir, command string, emit func(string), status kernel.Output) (procStatus, error) {
	master, slave, err := openPTY()
	if err != nil {
		return procStatus{}, err
	}
	defer master.Close()
	cmd := exec.Command(shell, "-c", command)
	cmd.Dir, cmd.Env = dir, childEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = startCmd(cmd)
	slave.Close() // the child has its own copies; the master reads EIO once they are closed
	if err != nil {
		return procStatus{}, fmt.Errorf("start %s: %w", shell, err)
	}
	defer explainBlocked(cmd.Process.Pid, dir, status).Stop()

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		// The read fails with EIO once every copy of the slave is closed.
		copyStream(master, &decoder{crlf: true}, emit)
	}()

	interrupted := waitInterruptible(ctx, cmd, func() {
		master.Write([]byte{3}) // ^C: the terminal sends SIGINT to its foreground group
	})
	select {
	case <-readDone:
	case <-time.After(drainWait):
		master.SetReadDeadline(time.Now()) // a child still holds the terminal
		<-readDone
	}
	st := shellStatusOf(cmd.ProcessState)
	if interrupted {
		return st, errInterrupted(ctx, "!"+firstLine(command))
	}
	return st, nil
}

// runPiped runs argv in dir, in a process group of its own, with stdin
// from /dev/null and stdout and stderr sent to out's streams of the same
// names as they arrive. When ctx ends, it sends SIGINT to the group, then
// SIGKILL after interruptGrace; the error then wraps ctx's. A FIFO call
// that it stays blocked in gets a status line in out (see explainBlocked).
func runPiped(ctx context.Context, argv []string, dir string, out kernel.Output) (procStatus, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var readers sync.WaitGroup
	var pipes []*os.File
	for _, name := range []string{"stdout", "stderr"} {
		r, w, err := os.Pipe()
		if err != nil {
			return procStatus{}, err
		}
		defer r.Close()
		defer w.Close()
		if name == "stdout" {
			cmd.Stdout = w
		} else {
			cmd.Stderr = w
		}
		pipes = append(pipes, w)
		readers.Add(1)
		go func() {
			defer readers.Done()
			copyStream(r, &decoder{}, func(s string) { out.Stream(name, s) })
		}()
	}
	err := startCmd(cmd)
	for _, w := range pipes {
		w.Close()
	}
	if err != nil {
		return procStatus{}, fmt.Errorf("start %s: %w", argv[0], err)
	}
	watch := explainBlocked(cmd.Process.Pid, dir, out)
	interrupted := waitInterruptible(ctx, cmd, func() { unix.Kill(-cmd.Process.Pid, unix.SIGINT) })
	watch.Stop()
	// A child may still hold a pipe; the deferred Closes then wake its
	// reader.
	waitTimeout(&readers, drainWait)
	st := shellStatusOf(cmd.ProcessState)
	if interrupted {
		return st, errInterrupted(ctx, argv[0])
	}
	return st, nil
}

// waitInterruptible waits for cmd, which is the leader of its process
// group, to end. When ctx ends first, it calls interrupt, then kills the
// group if cmd is still running after interruptGrace. It reports whether
// ctx ended.
func waitInterruptible(ctx context.Context, cmd *exec.Cmd, interrupt func()) bool {
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
		return false
	case <-ctx.Done():
	}
	interrupt()
	select {
	case <-waited:
	case <-time.After(interruptGrace):
		unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		<-waited
	}
	return true
}

// copyStream reads r until an error (EOF, or r closed), passing the text
// dec makes of it to emit.
func copyStream(r io.Reader, dec *decoder, emit func(string)) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if s := dec.write(buf[:n]); s != "" {
				emit(s)
			}
		}
		if err != nil {
			break
		}
	}
	if s := dec.flush(); s != "" {
		emit(s)
	}
}

// waitTimeout waits for wg for at most d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// firstLine returns s up to its first newline, with "..." when cut.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "..."
	}
	return s
}

// runsInBackground reports whether a shell command ends with a lone &.
func runsInBackground(cmd string) bool {
	c := strings.TrimRight(cmd, " \t\n;")
	if !strings.HasSuffix(c, "&") {
		return false
	}
	c = c[:len(c)-1]
	return !strings.HasSuffix(c, "&") && !strings.HasSuffix(c, `\`) && !strings.HasSuffix(c, ">") && !strings.HasSuffix(c, "<")
}

// shellMagic is the !CMD entry.
func shellMagic(st *state) *Magic {
	return &Magic{
		Name:  ShellName,
		Kind:  Line,
		Raw:   true,
		Usage: "!CMD",
		Short: "Run CMD with /bin/sh -c in a pseudo-terminal, output shown live; the exit status is shown when not 0.",
		Long: `CMD runs in the Go worker's directory, through /bin/sh -c (or the shell that
%env SHELL=PATH chose), in a pseudo-terminal: programs see a terminal, and
stdout and stderr arrive merged, as they are written. A line ending in a
backslash continues onto the next one.

A command that stays blocked 2 s in an open, read or write of a named
FIFO gets a status line, 'waiting in open("my_fifo", O_WRONLY): no reader
has opened it yet', replaced by how long the call waited once it returns.

Interrupting the cell types ^C into the terminal; if the command is still
running a second later, its process group is killed. A command ending in &
is refused: %bash_async CMD runs it in the background and keeps its output
visible.`,
		Run: func(ctx context.Context, c *Call) error {
			cmd := strings.TrimSpace(c.Line)
			if cmd == "" {
				return c.usagef("missing command")
			}
			if runsInBackground(cmd) {
				fg := strings.TrimSpace(strings.TrimSuffix(strings.TrimRight(cmd, " \t\n;"), "&"))
				return c.usagef("background processes are not supported; use %%bash_async %s", fg)
			}
			status, err := runPTY(ctx, st.shell(), c.Env.Dir(), cmd, func(s string) { c.Out.Stream("stdout", s) }, c.Out)
			if !status.ok() && (err == nil || errors.Is(err, context.Canceled)) {
				c.Out.Stream("stderr", status.String()+"\n")
			}
			return err
		},
	}
}
