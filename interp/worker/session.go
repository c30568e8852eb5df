package worker

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	yaegisyscall "github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/program"
	"github.com/beacceaf/gokernel/interp/symbols"
)

// session is one yaegi interpreter and what the worker knows about the
// cells it has run.
type session struct {
	w       *Worker
	i       *interp.Interpreter
	state   *gosrc.State
	generic bool // i has gokernel's generic slices and maps functions
	// unfaithful records the unfaithful features the running cell used.
	unfaithful unfaithfulUse
}

func newSession(w *Worker) (*session, error) {
	s := &session{w: w, state: gosrc.NewState()}
	s.state.Symbols = symbolTable
	if gocmd, err := exec.LookPath("go"); err == nil {
		// go/types reads the standard library's export data from Go's
		// build cache, found once per machine and kept there.
		s.state.GoCommand = gocmd
		if cache, err := os.UserCacheDir(); err == nil {
			s.state.CacheDir = filepath.Join(cache, "gokernel", "types")
		}
	}
	s.state.PlainGo = w.dbg.isAttached
	s.state.PkgName = func(path string) string {
		if _, name, ok := packages().lookup(path); ok {
			return name
		}
		return ""
	}
	var err error
	if s.i, err = s.newInterpreter("cell", gosrc.HostSymbols(gosrc.Host{
		GoroutinePanicked: w.goroutinePanicked,
		InexactRecover:    func() { s.unfaithful.note(usedRecover) },
		Reflected:         func() { s.unfaithful.note(usedReflect) },
		Interrupted:       w.interrupted,
	})); err != nil {
		return nil, err
	}
	watchPanics(s.i, w.dbg)
	if _, err := s.i.EvalWithContext(context.Background(), gosrc.Prelude); err != nil {
		return nil, fmt.Errorf("worker: prelude: %w", err)
	}
	return s, nil
}

// newInterpreter makes an interpreter with the worker's stdio, every
// package a cell can import, gokernel's overrides and extra tables, but
// not gokernel's generic slices and maps functions (see loadGeneric).
// args0 is os.Args[0] for the code it runs.
func (s *session) newInterpreter(args0 string, extra ...interp.Exports) (*interp.Interpreter, error) {
	i := interp.New(interp.Options{
		Stdin:        os.Stdin,
		Stdout:       os.Stdout,
		Stderr:       frameWriter{s.w},
		Unrestricted: true,
		Args:         []string{args0},
		Env:          os.Environ(),
	})
	tables := append(symbolTables(), s.overrides(), s.openOverrides(), s.unfaithfulOverrides(), testingOverrides())
	for _, x := range append(tables, extra...) {
		if err := i.Use(x); err != nil {
			return nil, fmt.Errorf("worker: load symbols: %w", err)
		}
	}
	return i, nil
}

// loadGeneric compiles gokernel's generic slices and maps functions into
// the session's interpreter before the first cell that imports slices or
// maps runs. They hold about 1.3 MiB of the worker's memory and take
// milliseconds to compile, and most sessions never import either package.
func (s *session) loadGeneric(plan *gosrc.Plan) *proto.Error {
	if s.generic {
		return nil
	}
	for _, u := range plan.Units {
		if u.Kind == gosrc.Import && (strings.Contains(u.Text, `"slices"`) || strings.Contains(u.Text, `"maps"`)) {
			if err := symbols.LoadGeneric(s.i); err != nil {
				return &proto.Error{Name: proto.EnameInternal, Value: fmt.Sprintf("worker: generic helpers: %v", err)}
			}
			s.generic = true
			return nil
		}
	}
	return nil
}

// symbolTables lists the packages that cells can import, in the order the
// interpreter loads them: yaegi's own tables, then gokernel's (the Go
// 1.23–1.26 additions, x/sys/unix and the cell-facing packages).
func symbolTables() []interp.Exports {
	return []interp.Exports{stdlib.Symbols, yaegisyscall.Symbols, unsafe.Symbols, unrestricted.Symbols, symbols.Symbols}
}

// exitCode is what a cell's os.Exit or log.Fatal panics with, so that the
// worker, and with it the notebook's state, survives them.
type exitCode int

func (c exitCode) String() string { return fmt.Sprintf("os.Exit(%d)", int(c)) }

// overrides replaces, symbol by symbol, what would let a cell break the
// worker from inside: exiting, closing its input or output (os.Stdin,
// os.Stdout and os.Stderr are copies, see cellStdio), disabling interrupts,
// a panic in a func that time.AfterFunc or context.AfterFunc runs;
// and runtime.NumGoroutine, which leaves out the worker's stdin watcher.
// It also adds the hidden show package.
func (s *session) overrides() interp.Exports {
	fatal := func(v ...any) {
		fmt.Fprint(os.Stderr, time.Now().Format("2006/01/02 15:04:05 "), fmt.Sprintln(v...))
		panic(exitCode(1))
	}
	return interp.Exports{
		"os/os": {
			"Exit":   reflect.ValueOf(func(code int) { panic(exitCode(code)) }),
			"Stdin":  reflect.ValueOf(&s.w.stdio.in).Elem(),
			"Stdout": reflect.ValueOf(&s.w.stdio.out).Elem(),
			"Stderr": reflect.ValueOf(&s.w.stdio.err).Elem(),
		},
		"runtime/runtime": {
			"NumGoroutine": reflect.ValueOf(s.w.numGoroutine),
		},
		"log/log": {
			"Fatal":   reflect.ValueOf(fatal),
			"Fatalln": reflect.ValueOf(fatal),
			"Fatalf": reflect.ValueOf(func(format string, v ...any) {
				fatal(fmt.Sprintf(format, v...))
			}),
		},
		"syscall/syscall": {
			"Close": reflect.ValueOf(func(fd int) error {
				if fd >= 0 && fd <= 3 {
					return fmt.Errorf("gokernel: closing fd %d would cut the cell off from the notebook: %w", fd, syscall.EPERM)
				}
				if f := s.w.stdio.copyWithFD(fd); f != nil {
					return f.Close() // through its *os.File, so that the next cell gets a new copy
				}
				return syscall.Close(fd)
			}),
		},
		"time/time": {
			"Sleep":     reflect.ValueOf(s.sleep),
			"AfterFunc": reflect.ValueOf(s.w.afterFunc),
		},
		"context/context": {
			"AfterFunc": reflect.ValueOf(s.w.contextAfterFunc),
		},
		"github.com/beacceaf/gokernel/interp/fifo/fifo": {
			// The worker's interrupt hook stays: a cell cannot remove it.
			"SetInterrupt": reflect.ValueOf(func(func() <-chan struct{}) {}),
		},
		"os/signal/signal": {
			"Ignore": reflect.ValueOf(func(sig ...os.Signal) {
				if sig = keepSignals(sig); len(sig) > 0 {
					signal.Ignore(sig...)
				}
			}),
			"Reset": reflect.ValueOf(func(sig ...os.Signal) {
				if sig = keepSignals(sig); len(sig) > 0 {
					signal.Reset(sig...)
				}
			}),
		},
	}
}

// keepSignals removes from sig the signals the worker needs for itself:
// SIGTERM and SIGHUP tell it that the kernel has gone. With no signals
// (meaning all of them) it warns and returns none.
func keepSignals(sig []os.Signal) []os.Signal {
	if len(sig) == 0 {
		fmt.Fprintln(os.Stderr, "gokernel: signal.Ignore() and signal.Reset() without arguments are not allowed in a cell; name the signals")
		return nil
	}
	var out []os.Signal
	for _, s := range sig {
		if s == syscall.SIGTERM || s == syscall.SIGHUP {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sleep is time.Sleep for cells: an interrupt ends it early, so that the
// cell stops and keeps its state.
func (s *session) sleep(d time.Duration) {
	if d <= 0 {
		runtime.Gosched()
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.w.interrupted():
	}
}

// exec runs one cell.
func (s *session) exec(ctx context.Context, req proto.Exec) (res proto.Result) {
	s.unfaithful.take()
	defer func() { res.Err = unfaithfulEnd(s.unfaithful.take(), res.Err) }()
	if program.Detect(req.Code) {
		return s.runProgram(ctx, req)
	}
	plan, err := gosrc.Compile(req.Cell, req.Code, s.state)
	if err != nil {
		return proto.Result{Err: compileError(err, gosrc.Unit{})}
	}
	if plan.Defers {
		defer func() { res.Err = s.endDefers(ctx, res.Err) }()
	}
	if perr := s.missingImport(req.Cell, plan); perr != nil {
		return proto.Result{Err: perr}
	}
	if perr := s.loadGeneric(plan); perr != nil {
		return proto.Result{Err: perr}
	}
	var shown *string
	for k, u := range plan.Units {
		if k == len(plan.Units)-1 && plan.Display != nil {
			text, ran, perr := s.evalDisplay(ctx, plan.Display, u)
			if perr != nil {
				return proto.Result{Err: perr}
			}
			if ran {
				if text != nil && !req.Silent {
					shown = text
				}
				continue
			}
		}
		if err := s.evalUnit(ctx, u); err != nil {
			perr := s.describe(err, u)
			if perr.Name == proto.EnameCompile {
				if terrs := u.TypeErrors(); len(terrs) > 0 {
					perr = typeErrors(terrs, u) // the compiler's words for what yaegi refused
				}
				s.undo(plan, k)
			}
			return proto.Result{Err: perr}
		}
		s.state.Commit(u)
	}
	return proto.Result{Value: shown}
}

// evalUnit runs one unit. When yaegi's compiler panics with "nil type"
// (nothing has run then) and the unit has an alternative form, that runs.
func (s *session) evalUnit(ctx context.Context, u gosrc.Unit) error {
	_, err := s.eval(ctx, u.Src)
	if err != nil && u.Alt != "" && strings.Contains(err.Error(), "nil type") {
		if _, aerr := s.eval(ctx, u.Alt); aerr == nil {
			return nil
		}
	}
	return err
}

// evalDisplay runs the last unit, a bare expression, through the first of
// d.Srcs that compiles, so that its value can be shown. ran is false when
// none compiles (a call of a function without results, or an error): the
// caller then runs the unit plainly. text is nil when there is nothing to
// show.
func (s *session) evalDisplay(ctx context.Context, d *gosrc.Display, u gosrc.Unit) (text *string, ran bool, perr *proto.Error) {
	for _, src := range d.Srcs {
		prog, cerr := s.compile(src)
		if cerr != nil {
			continue
		}
		v, rerr := s.execute(ctx, prog)
		if rerr != nil {
			return nil, true, s.describe(rerr, u)
		}
		s.state.Commit(u)
		if v.IsValid() && v.Kind() == reflect.String {
			if t, show := d.Format(v.String()); show {
				return &t, true, nil
			}
		}
		return nil, true, nil
	}
	return nil, false, nil
}

// eval runs src, turning a panic of yaegi's compiler into an error.
func (s *session) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			// The stack lets describe tell yaegi's own faults (gosrc.IsFault)
			// from the cell's panics, as EvalWithContext's Panic does.
			err = interp.Panic{Value: p, Stack: debug.Stack()}
		}
	}()
	return s.evalSrc(ctx, src)
}

// compile type-checks src without running it. yaegi's Compile does not
// recover its own panics.
func (s *session) compile(src string) (p *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return s.compileUnit(src)
}

func (s *session) execute(ctx context.Context, p *interp.Program) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = interp.Panic{Value: r, Stack: debug.Stack()}
		}
	}()
	return s.execProg(ctx, p)
}

// evalExprs evaluates expressions without recording them: the user
// expressions of an execute request, and %p's.
func (s *session) evalExprs(ctx context.Context, exprs map[string]string) map[string]proto.Value {
	out := map[string]proto.Value{}
	for name, expr := range exprs {
		plan, err := gosrc.Compile("expr", expr, s.state)
		if err == nil && (plan.Display == nil || len(plan.Units) != 1) {
			err = fmt.Errorf("%q is not a single expression", expr)
		}
		if err != nil {
			out[name] = proto.Value{Err: compileError(err, gosrc.Unit{})}
			continue
		}
		text, ran, perr := s.evalDisplay(ctx, plan.Display, plan.Units[0])
		switch {
		case perr != nil:
			out[name] = proto.Value{Err: perr}
		case !ran:
			out[name] = proto.Value{Err: &proto.Error{Name: proto.EnameCompile, Value: expr + " has no value",
				Traceback: []string{expr + " has no value"}}}
		default:
			t := ""
			if text != nil {
				t = *text
			}
			out[name] = proto.Value{Text: &t}
		}
	}
	return out
}

// describe turns an error of yaegi into what the user sees.
func (s *session) describe(err error, u gosrc.Unit) *proto.Error {
	var p interp.Panic
	if errors.As(err, &p) {
		if code, ok := p.Value.(exitCode); ok {
			msg := fmt.Sprintf("the cell called os.Exit(%d)", int(code))
			return &proto.Error{Name: proto.EnameExit, Value: msg, Traceback: []string{
				"Exit: " + msg + ". The program part of the cell stopped here; the notebook's variables are kept.",
			}}
		}
		val := fmt.Sprint(p.Value)
		if strings.Contains(val, "nil type") || strings.Contains(val, "_.go:") {
			return compileError(errors.New(val), u)
		}
		if gosrc.IsFault(val, p.Stack, s.importsReflect()) {
			return interpreterFault(val, p.Stack)
		}
		name := proto.EnamePanic
		if _, ok := p.Value.(runtime.Error); ok {
			name = proto.EnameRuntime
		}
		if text, ok := gosrc.GoPanicText(val); ok {
			// yaegi reaches through a nil pointer with reflect; say what Go says.
			name, val = proto.EnameRuntime, text
		}
		tb := []string{"panic: " + val}
		if os.Getenv("GOKERNEL_DEBUG") != "" {
			tb = append(tb, string(p.Stack))
		}
		return &proto.Error{Name: name, Value: val, Traceback: tb}
	}
	if errors.Is(err, context.Canceled) {
		return &proto.Error{Name: proto.EnameInterrupted, Value: proto.Interrupted}
	}
	return compileError(err, u)
}

// typeErrors describes the errors that go/types found in a unit that the
// interpreter failed to compile.
func typeErrors(errs []*gosrc.Error, u gosrc.Unit) *proto.Error {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return compileError(errors.New(strings.Join(lines, "\n")), u)
}

// compileError describes an error found before the code ran, with its
// positions in the cell.
func compileError(err error, u gosrc.Unit) *proto.Error {
	var list scanner.ErrorList
	msg := err.Error()
	if errors.As(err, &list) && len(list) > 0 {
		lines := make([]string, 0, len(list))
		for _, e := range list {
			lines = append(lines, e.Error())
		}
		msg = strings.Join(lines, "\n")
	}
	msg = gosrc.CleanPos(msg)
	tb := []string{msg}
	if hint := gosrc.Hint(msg, u); hint != "" {
		tb = append(tb, "hint: "+hint)
	}
	first, _, _ := strings.Cut(msg, "\n")
	return &proto.Error{Name: proto.EnameCompile, Value: first, Traceback: tb}
}
