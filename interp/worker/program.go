package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/program"
	"github.com/beacceaf/gokernel/interp/symbols"
)

// interruptGrace is how long an interrupted program has, after SIGINT, to
// end on its own before its process group is killed.
const interruptGrace = 2 * time.Second

// stderrDrain is how long the worker waits, after a program has exited,
// for the rest of its standard error: a child that it left behind may hold
// the pipe open much longer.
const stderrDrain = 200 * time.Millisecond

// programs runs the cells that are whole programs (package program): built
// with the Go toolchain when there is one, in the interpreter otherwise.
type programs struct {
	once    sync.Once
	builder *program.Builder // nil without a Go toolchain

	mu  sync.Mutex
	pid int // the running program's process, which leads its process group; 0 when none
}

// toolchain returns the builder, or nil when no go command is on PATH.
func (p *programs) toolchain() *program.Builder {
	p.once.Do(func() {
		gocmd, err := exec.LookPath("go")
		if err != nil {
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		p.builder = &program.Builder{Go: gocmd, Dir: filepath.Join(cache, "gokernel", "programs")}
	})
	return p.builder
}

// running returns the process ID of the running program, or 0.
func (p *programs) running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pid
}

// setRunning records the running program's process (0 when it has ended).
// Cells run one at a time, so there is at most one.
func (p *programs) setRunning(pid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pid = pid
}

// killAll kills the running program's process group, when the worker ends.
func (p *programs) killAll() {
	if pid := p.running(); pid != 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// runningPrograms is the worker's programs: one per process, because
// endGroup, which must reach them, runs from a signal handler's goroutine.
var runningPrograms programs

// noToolchainNote is said once per worker, when the first whole program
// runs in the interpreter for want of a Go toolchain.
const noToolchainNote = "gokernel: no Go toolchain (go) on PATH: this whole program runs in the interpreter, " +
	"which differs from Go in places (see \"Go in cells\" in gokernel's README). Install Go to run programs as `go run` does.\n"

// programFile is the file name under which every whole program is built.
// It is the same for every cell, so that running a cell again, under a new
// number, reuses its binary; what the user sees names the cell instead
// (cellPositions). A program that asks runtime.Caller gets this name.
const programFile = "cell.go"

// cellPositions renames programFile to cell in compiler messages
// ("cell.go:4:2: …") and in stack frames ("\tcell.go:7").
func cellPositions(lines []string, cell string) []string {
	out := make([]string, len(lines))
	for k, l := range lines {
		indent := l[:len(l)-len(strings.TrimLeft(l, "\t"))]
		if rest, ok := strings.CutPrefix(l[len(indent):], programFile+":"); ok {
			l = indent + cell + ":" + rest
		}
		out[k] = l
	}
	return out
}

// mixedHint explains a compile error of a cell that mixes statements with a
// declaration of func main.
const mixedHint = "a cell that declares func main is a whole program and runs as `go run` would, so statements " +
	"must be inside functions; to run statements in the session, rename main and call it"

// ownDeclsHint explains an undefined name in a whole program.
const ownDeclsHint = "a cell that declares func main is a whole program: it needs its own imports and declarations, " +
	"because those of earlier cells are not part of it"

// runProgram runs a cell that is a whole program. Its declarations do not
// enter the session: the program runs as a process of its own, as under
// `go run`. A program that imports packages outside the standard library
// (gokernel's display, jobs and fifo packages, for instance) runs in the
// interpreter, which has them.
func (s *session) runProgram(ctx context.Context, req proto.Request) proto.Event {
	b := runningPrograms.toolchain()
	if b == nil {
		s.w.noteOnce.Do(func() { s.w.writeStream(2, noToolchainNote) })
		return s.interpretProgram(ctx, req)
	}
	for _, path := range program.Imports(req.Code) {
		if !program.IsStd(path) {
			return s.interpretProgram(ctx, req)
		}
	}
	bin, err := b.Build(ctx, programFile, program.Source(programFile, req.Code))
	var berr *program.BuildError
	switch {
	case errors.As(err, &berr):
		tb := cellPositions(berr.Lines, req.Cell)
		switch msg := berr.Error(); {
		case strings.Contains(msg, "non-declaration statement outside function body"):
			tb = append(tb, "hint: "+mixedHint)
		case strings.Contains(msg, ": undefined: "):
			tb = append(tb, "hint: "+ownDeclsHint)
		}
		return proto.Event{Err: &proto.Error{Name: "CompileError", Value: tb[0], Traceback: tb}}
	case err != nil:
		return proto.Event{Err: &proto.Error{Name: "BuildError", Value: err.Error(), Traceback: []string{err.Error()}}}
	}
	return s.w.execProgram(ctx, req.Cell, bin)
}

// interpretProgram runs a whole program in an interpreter of its own, so
// that, as with a built program, its declarations stay out of the session.
func (s *session) interpretProgram(ctx context.Context, req proto.Request) proto.Event {
	i, err := s.newInterpreter(req.Cell)
	if err == nil {
		err = symbols.LoadGeneric(i)
	}
	if err != nil {
		return proto.Event{Err: &proto.Error{Name: "InternalError", Value: err.Error()}}
	}
	src := program.Source(req.Cell+"/_.go", req.Code)
	err = evalIn(ctx, i, src)
	var p interp.Panic
	if errors.As(err, &p) && p.Value == exitCode(0) {
		return proto.Event{} // os.Exit(0) ends a program normally
	}
	if err != nil {
		return proto.Event{Err: s.describe(err, gosrc.Unit{})}
	}
	return proto.Event{}
}

// evalIn runs src in i, turning a panic of yaegi's compiler into an error.
func evalIn(ctx context.Context, i *interp.Interpreter, src string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = interp.Panic{Value: p}
		}
	}()
	_, err = i.EvalWithContext(ctx, src)
	return err
}

// execProgram runs a built program as `go run` would: its stdin is the
// worker's, its stdout the notebook's, and its standard error passes
// through a program.Catcher, so that a crash becomes the cell's error. An
// interrupt sends SIGINT to the program's process group, then SIGKILL
// after interruptGrace.
func (w *Worker) execProgram(ctx context.Context, cell, bin string) proto.Event {
	pr, pw, err := os.Pipe()
	if err != nil {
		return proto.Event{Err: &proto.Error{Name: "InternalError", Value: err.Error()}}
	}
	cmd := exec.Command(bin)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return proto.Event{Err: &proto.Error{Name: "InternalError", Value: fmt.Sprintf("start the program: %v", err)}}
	}
	pid := cmd.Process.Pid
	runningPrograms.setRunning(pid)
	defer runningPrograms.setRunning(0)

	catcher := &program.Catcher{W: streamWriter{w, 2}}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		defer pr.Close()
		_, _ = io.Copy(catcher, pr)
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	select {
	case err = <-waited:
	case <-ctx.Done():
		_ = syscall.Kill(-pid, syscall.SIGINT)
		select {
		case err = <-waited:
		case <-time.After(interruptGrace):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			err = <-waited
		}
	}
	if ctx.Err() != nil {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // the program's children too
	}
	select {
	case <-drained:
	case <-time.After(stderrDrain):
	}
	return programResult(err, catcher, cell)
}

// programResult says how a program ended.
func programResult(err error, catcher *program.Catcher, cell string) proto.Event {
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		catcher.Finish(false, programFile)
		return proto.Event{Err: &proto.Error{Name: "InternalError", Value: err.Error(), Traceback: []string{err.Error()}}}
	}
	code := 0
	var signaled syscall.Signal
	if exit != nil {
		if st, ok := exit.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			signaled = st.Signal()
		}
		code = exit.ExitCode()
	}
	crash, crashed := catcher.Finish(code == 2, programFile)
	switch {
	case crashed:
		crash.Trace = cellPositions(crash.Trace, cell)
		return proto.Event{Err: crashError(crash)}
	case signaled != 0:
		msg := fmt.Sprintf("the program was killed by signal %d (%v)", int(signaled), signaled)
		return proto.Event{Err: &proto.Error{Name: "Exit", Value: msg, Traceback: []string{"Exit: " + msg}}}
	case code != 0:
		msg := fmt.Sprintf("the program exited with status %d", code)
		return proto.Event{Err: &proto.Error{Name: "Exit", Value: msg, Traceback: []string{"Exit: " + msg}}}
	}
	return proto.Event{}
}

// crashError turns a program's crash report into the cell's error, named as
// for a panic in a cell.
func crashError(c program.Crash) *proto.Error {
	name := "Panic"
	switch {
	case c.Kind == "fatal error":
		name = "FatalError"
	case strings.HasPrefix(c.Message, "runtime error: "):
		name = "RuntimeError"
	}
	tb := []string{c.Kind + ": " + c.Message}
	if len(c.Trace) > 0 {
		tb = append(tb, "")
		tb = append(tb, c.Trace...)
	}
	return &proto.Error{Name: name, Value: c.Message, Traceback: tb}
}

// streamWriter writes to the worker's fd 1 or fd 2, in turn with marker
// lines.
type streamWriter struct {
	w  *Worker
	fd int
}

func (s streamWriter) Write(p []byte) (int, error) {
	s.w.outMu.Lock()
	defer s.w.outMu.Unlock()
	writeAll(s.fd, p)
	return len(p), nil
}
