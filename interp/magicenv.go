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

// change sends a request that the worker answers with a Done.
func (e *magicEnv) change(ctx context.Context, req proto.Message) error {
	d, err := request[proto.Done](ctx, e.i, req)
	if err != nil {
		return err
	}
	if d.Err != nil {
		return errors.New(d.Err.Value)
	}
	return nil
}

func (e *magicEnv) Chdir(ctx context.Context, dir string) error {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(e.Dir(), dir)
	}
	err := e.change(ctx, proto.Chdir{Dir: dir})
	if err == nil {
		e.i.sup.setDir(dir) // a new worker starts here too
	}
	return err
}

func (e *magicEnv) Setenv(ctx context.Context, name, value string) error {
	if err := os.Setenv(name, value); err != nil {
		return err
	}
	e.i.sup.setEnv(name, value, false)
	return e.change(ctx, proto.Setenv{Name: name, Value: value})
}

func (e *magicEnv) Unsetenv(ctx context.Context, name string) error {
	if err := os.Unsetenv(name); err != nil {
		return err
	}
	e.i.sup.setEnv(name, "", true)
	return e.change(ctx, proto.Setenv{Name: name, Unset: true})
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
	e.i.sup.reset()
	return nil
}

func (e *magicEnv) Names(ctx context.Context) ([]string, error) {
	l, err := request[proto.NameList](ctx, e.i, proto.Names{})
	return l.Names, err
}
