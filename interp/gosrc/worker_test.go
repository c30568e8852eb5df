package gosrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// testWorker runs cells the way the gokernel worker does: Compile, then
// each unit in order (Display.Src for a trailing expression, Alt after a
// "nil type" failure), committing the units that ran.
type testWorker struct {
	t      *testing.T
	i      *interp.Interpreter
	stdout *bytes.Buffer
	st     *State
	n      int
	// goPanics receives "pos: value" for each goroutine panic (HostSymbols).
	goPanics chan string
}

// TestMain silences the standard logger, on which yaegi logs its compile
// panics ("nil type") before recovering them.
func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

func newTestWorker(t *testing.T) *testWorker {
	t.Helper()
	w := &testWorker{t: t, stdout: &bytes.Buffer{}, st: NewState(), goPanics: make(chan string, 16)}
	w.i = interp.New(interp.Options{Stdout: w.stdout, Stderr: &bytes.Buffer{}})
	if err := w.i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := w.i.Use(HostSymbols(Host{GoroutinePanicked: func(pos string, v any) { w.goPanics <- fmt.Sprint(pos, ": ", v) }})); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eval(Prelude); err != nil {
		t.Fatalf("prelude: %v", err)
	}
	return w
}

func (w *testWorker) eval(src string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := w.i.EvalWithContext(ctx, src)
	if err != nil {
		return "", err
	}
	if v.IsValid() && v.CanInterface() {
		if s, ok := v.Interface().(string); ok {
			return s, nil
		}
	}
	return "", nil
}

// compiles reports whether yaegi compiles src, without running it.
func (w *testWorker) compiles(src string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := w.i.Compile(src)
	return err == nil
}

func (w *testWorker) firstCompiling(srcs []string) string {
	for _, s := range srcs {
		if w.compiles(s) {
			return s
		}
	}
	return ""
}

// result is what one cell produced.
type result struct {
	out     string // stdout
	display string // the displayed value, "" when none
	err     string // error text, with the hint after " | hint: "
}

func (r result) String() string {
	return fmt.Sprintf("out=%q display=%q err=%q", r.out, r.display, r.err)
}

func (w *testWorker) run(code string) result {
	w.n++
	w.stdout.Reset()
	var res result
	plan, err := Compile(fmt.Sprintf("In[%d]", w.n), code, w.st)
	if err != nil {
		res.err = err.Error()
		return res
	}
	for i, u := range plan.Units {
		if i == len(plan.Units)-1 && plan.Display != nil {
			if src := w.firstCompiling(plan.Display.Srcs); src != "" {
				raw, err := w.eval(src)
				if err != nil {
					res.err = CleanPos(err.Error())
					break
				}
				w.st.Commit(u)
				if text, show := plan.Display.Format(raw); show {
					res.display = text
				}
				continue
			}
		}
		_, err := w.eval(u.Src)
		if err != nil && u.Alt != "" && strings.Contains(err.Error(), "nil type") {
			if _, err2 := w.eval(u.Alt); err2 == nil {
				err = nil
			}
		}
		if err != nil {
			res.err = CleanPos(err.Error())
			if h := Hint(err.Error(), u); h != "" {
				res.err += " | hint: " + h
			}
			var p interp.Panic
			if !errors.As(err, &p) || strings.Contains(err.Error(), "nil type") || strings.Contains(err.Error(), "_.go:") {
				for _, src := range w.st.Fail(plan, i) {
					if _, err := w.eval(src); err != nil {
						w.t.Errorf("restoring %q: %v", src, err)
					}
				}
			}
			break
		}
		w.st.Commit(u)
	}
	if plan.Defers {
		if _, err := w.eval(RunDefers); err != nil && res.err == "" {
			res.err = CleanPos(err.Error())
		}
	}
	res.out = w.stdout.String()
	return res
}
