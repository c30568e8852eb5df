package worker

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	yaegisyscall "github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/interp/symbols"
)

// showPath is the import path of the hidden package through which the
// worker shows a cell's value. Cells never see it: it is imported as __gk.
const showPath = "gokernel.internal/show"

// session is one yaegi interpreter and what the worker knows about the
// cells it has run.
type session struct {
	w     *Worker
	i     *interp.Interpreter
	state *gosrc.State

	cell string // the name of the running cell, such as "In[3]"

	// The value of the cell being shown, set by __gk.Show.
	shown     *string
	writeLike bool
}

func newSession(w *Worker) (*session, error) {
	s := &session{w: w, state: gosrc.NewState()}
	s.i = interp.New(interp.Options{
		Stdin:        os.Stdin,
		Stdout:       os.Stdout,
		Stderr:       os.Stderr,
		Unrestricted: true,
		Args:         []string{"cell"},
		Env:          os.Environ(),
	})
	for _, x := range []interp.Exports{stdlib.Symbols, yaegisyscall.Symbols, unsafe.Symbols, unrestricted.Symbols, symbols.Symbols, s.overrides()} {
		if err := s.i.Use(x); err != nil {
			return nil, fmt.Errorf("worker: load symbols: %w", err)
		}
	}
	if err := symbols.LoadGeneric(s.i); err != nil {
		return nil, fmt.Errorf("worker: generic helpers: %w", err)
	}
	prelude := "import __gk " + strconv.Quote(showPath) + "\n" + gosrc.Prelude
	if _, err := s.i.EvalWithContext(context.Background(), prelude); err != nil {
		return nil, fmt.Errorf("worker: prelude: %w", err)
	}
	return s, nil
}

// exitCode is what a cell's os.Exit or log.Fatal panics with, so that the
// worker, and with it the notebook's state, survives them.
type exitCode int

func (c exitCode) String() string { return fmt.Sprintf("os.Exit(%d)", int(c)) }

// overrides replaces, symbol by symbol, what would let a cell break the
// worker from inside: exiting, closing its output, disabling interrupts.
// It also adds the hidden show package.
func (s *session) overrides() interp.Exports {
	fatal := func(v ...any) {
		fmt.Fprint(os.Stderr, time.Now().Format("2006/01/02 15:04:05 "), fmt.Sprintln(v...))
		panic(exitCode(1))
	}
	return interp.Exports{
		showPath + "/show": {
			"Show": reflect.ValueOf(s.show),
		},
		"os/os": {
			"Exit": reflect.ValueOf(func(code int) { panic(exitCode(code)) }),
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
					return fmt.Errorf("gokernel: closing fd %d would cut the cell off from the notebook: %w", fd, syscallEPERM)
				}
				return closeFD(fd)
			}),
		},
		"time/time": {
			"Sleep": reflect.ValueOf(s.sleep),
		},
	}
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

// show records the value of a cell's last expression.
func (s *session) show(vs ...any) {
	if s.writeLike && len(vs) == 2 {
		if err, ok := vs[1].(error); !ok || err == nil {
			return // fmt.Println and friends: (n, nil) is not worth showing
		}
	}
	parts := make([]string, len(vs))
	for k, v := range vs {
		parts[k] = format(v)
	}
	text := strings.Join(parts, ", ")
	s.shown = &text
}

// format prints one value as %v does, except that a string is quoted.
func format(v any) string {
	if str, ok := v.(string); ok {
		return strconv.Quote(str)
	}
	return fmt.Sprintf("%v", v)
}

// exec runs one cell.
func (s *session) exec(ctx context.Context, req proto.Request) proto.Event {
	s.w.stateMu.Lock()
	plan, err := gosrc.Compile(req.Cell, req.Code, s.state)
	s.w.stateMu.Unlock()
	if err != nil {
		return proto.Event{Err: compileError(err, req.Cell, gosrc.Unit{Line: 1})}
	}
	s.cell = req.Cell
	s.shown = nil
	for k, u := range plan.Units {
		last := k == len(plan.Units)-1
		if last && plan.LastExpr != "" && !req.Silent {
			if done, perr := s.evalShown(ctx, plan, u); done {
				if perr != nil {
					return proto.Event{Err: perr}
				}
				continue
			}
		}
		if _, err := s.eval(ctx, u.Src); err != nil {
			return proto.Event{Err: s.describe(err, u)}
		}
		s.commit(u)
	}
	ev := proto.Event{Value: s.shown}
	if len(req.Exprs) > 0 {
		ev.Exprs = s.evalExprs(ctx, req.Exprs)
	}
	return ev
}

// commit records a unit that ran, for later cells and for completion.
func (s *session) commit(u gosrc.Unit) {
	s.w.stateMu.Lock()
	defer s.w.stateMu.Unlock()
	s.state.Commit(u)
}

// evalShown runs the last unit, a bare expression, through __gk.Show so
// that its value is shown. done is false when the expression has no value
// (a call of a function without results): the caller then runs it plainly.
func (s *session) evalShown(ctx context.Context, plan *gosrc.Plan, u gosrc.Unit) (done bool, err *proto.Error) {
	src := plan.ShowSrc("__gk.Show")
	prog, cerr := s.compile(src)
	if cerr != nil {
		return false, nil
	}
	s.writeLike = plan.WriteLike
	defer func() { s.writeLike = false }()
	if _, rerr := s.execute(ctx, prog); rerr != nil {
		return true, s.describe(rerr, u)
	}
	s.commit(u)
	return true, nil
}

// eval runs src, turning a panic of yaegi's compiler into an error.
func (s *session) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = interp.Panic{Value: p}
		}
	}()
	return s.i.EvalWithContext(ctx, src)
}

func (s *session) compile(src string) (p *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return s.i.Compile(src)
}

func (s *session) execute(ctx context.Context, p *interp.Program) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = interp.Panic{Value: r}
		}
	}()
	return s.i.ExecuteWithContext(ctx, p)
}

// evalExprs evaluates user expressions, and %p's.
func (s *session) evalExprs(ctx context.Context, exprs map[string]string) map[string]proto.Value {
	out := map[string]proto.Value{}
	for name, expr := range exprs {
		src, err := gosrc.ExprSrc(expr, "__gk.Show")
		if err != nil {
			out[name] = proto.Value{Err: compileError(err, "expression", gosrc.Unit{Line: 1})}
			continue
		}
		s.shown = nil
		if _, err := s.eval(ctx, src); err != nil {
			out[name] = proto.Value{Err: s.describe(err, gosrc.Unit{})}
			continue
		}
		text := ""
		if s.shown != nil {
			text = *s.shown
		}
		out[name] = proto.Value{Text: &text}
	}
	return out
}

// describe turns an error of yaegi into what the user sees.
func (s *session) describe(err error, u gosrc.Unit) *proto.Error {
	var p interp.Panic
	if errors.As(err, &p) {
		if code, ok := p.Value.(exitCode); ok {
			msg := fmt.Sprintf("the cell called os.Exit(%d)", int(code))
			return &proto.Error{Name: "Exit", Value: msg, Traceback: []string{
				"Exit: " + msg + ". The program part of the cell stopped here; the notebook's variables are kept.",
			}}
		}
		val := fmt.Sprint(p.Value)
		if strings.Contains(val, "nil type") || strings.HasPrefix(val, "In[") {
			return compileError(errors.New(val), s.cell, u)
		}
		name := "Panic"
		if _, ok := p.Value.(runtime.Error); ok {
			name = "RuntimeError"
		}
		tb := []string{"panic: " + val}
		if os.Getenv("GOKERNEL_DEBUG") != "" {
			tb = append(tb, string(p.Stack))
		}
		return &proto.Error{Name: name, Value: val, Traceback: tb}
	}
	if errors.Is(err, context.Canceled) {
		return &proto.Error{Name: "Interrupted", Value: "the cell was interrupted"}
	}
	return compileError(err, s.cell, u)
}

// compileError describes an error found before the code ran, with its
// positions in the cell.
func compileError(err error, cell string, u gosrc.Unit) *proto.Error {
	var list scanner.ErrorList
	msg := err.Error()
	if errors.As(err, &list) && len(list) > 0 {
		lines := make([]string, 0, len(list))
		for _, e := range list {
			lines = append(lines, e.Error())
		}
		msg = strings.Join(lines, "\n")
	}
	msg = cellPositions(msg, cell, u.Line)
	tb := []string{msg}
	if hint := gosrc.Hint(msg, u.Src); hint != "" {
		tb = append(tb, "hint: "+hint)
	}
	first, _, _ := strings.Cut(msg, "\n")
	return &proto.Error{Name: "CompileError", Value: first, Traceback: tb}
}
