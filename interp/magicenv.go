package interp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/magics"
)

// magicEnv is what magics see of the interpreter while one cell runs.
type magicEnv struct {
	i    *Interpreter
	out  kernel.Output
	cell string
	req  *kernel.ExecuteRequest
}

var _ magics.Env = (*magicEnv)(nil)

// Dir is the worker's working directory, read from /proc, so that
// os.Chdir in a Go cell and %cd agree.
func (e *magicEnv) Dir() string { return e.i.workerDir() }

// ask sends a request that the worker answers with a done event.
func (e *magicEnv) ask(ctx context.Context, req proto.Request) (proto.Event, error) {
	ev, err := e.i.call(ctx, req)
	if err != nil {
		return ev, err
	}
	if ev.Err != nil {
		return ev, errors.New(ev.Err.Value)
	}
	return ev, nil
}

func (e *magicEnv) Chdir(ctx context.Context, dir string) error {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(e.Dir(), dir)
	}
	_, err := e.ask(ctx, proto.Request{Op: proto.OpChdir, Text: dir})
	if err == nil {
		e.i.mu.Lock()
		e.i.opts.Dir = dir // a new worker starts here too
		e.i.mu.Unlock()
	}
	return err
}

func (e *magicEnv) Setenv(ctx context.Context, name, value string) error {
	if err := os.Setenv(name, value); err != nil {
		return err
	}
	e.i.setenv(name, value, false)
	_, err := e.ask(ctx, proto.Request{Op: proto.OpSetenv, Name: name, Text: value})
	return err
}

func (e *magicEnv) Unsetenv(ctx context.Context, name string) error {
	if err := os.Unsetenv(name); err != nil {
		return err
	}
	e.i.setenv(name, "", true)
	_, err := e.ask(ctx, proto.Request{Op: proto.OpSetenv, Name: name, Unset: true})
	return err
}

func (e *magicEnv) Eval(ctx context.Context, expr string) (string, error) {
	res := e.i.evalExprs(ctx, map[string]string{"p": expr})
	r, ok := res["p"]
	switch {
	case !ok:
		return "", fmt.Errorf("%s: no value", expr)
	case r.Err != nil:
		return "", errors.New(r.Err.Value)
	}
	text, _ := r.Value["text/plain"].(string)
	return text, nil
}

func (e *magicEnv) RunGo(ctx context.Context, code string) error {
	res := e.i.runGo(ctx, e.cell, code, e.req, e.out, false)
	if res.Err != nil {
		return res.Err
	}
	return nil
}

func (e *magicEnv) Reset(ctx context.Context) error {
	e.i.mu.Lock()
	w := e.i.w
	e.i.mu.Unlock()
	if w != nil {
		e.i.replace(w)
	}
	return nil
}

func (e *magicEnv) Names(ctx context.Context) ([]string, error) {
	ev, err := e.ask(ctx, proto.Request{Op: proto.OpNames})
	return ev.Matches, err
}

// setenv records a %env change so that a replacement worker gets it too.
func (i *Interpreter) setenv(name, value string, unset bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	env := i.opts.Env[:0:0]
	for _, kv := range i.opts.Env {
		if len(kv) > len(name) && kv[:len(name)+1] == name+"=" {
			continue
		}
		env = append(env, kv)
	}
	if !unset {
		env = append(env, name+"="+value)
	}
	i.opts.Env = env
}
