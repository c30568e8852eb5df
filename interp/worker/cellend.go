package worker

import (
	"context"
	"os"
	"strings"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// endDefers runs the calls that the cell deferred at its own level, last
// first, once the cell has ended (see gosrc.Plan.Defers). cellErr is how
// the cell ended; a panic in a deferred call becomes the cell's error only
// when it had none. After an interrupt the calls are dropped, as an
// interrupted Go program runs none of its deferred calls.
func (s *session) endDefers(ctx context.Context, cellErr *proto.Error) *proto.Error {
	if ctx.Err() != nil {
		// Cannot block: it only empties the stack.
		s.eval(context.WithoutCancel(ctx), gosrc.DropDefers)
		return cellErr
	}
	if _, err := s.eval(ctx, gosrc.RunDefers); err != nil && cellErr == nil {
		return s.describe(err, gosrc.Unit{})
	}
	return cellErr
}

// undo makes a cell whose unit k failed to compile define nothing (see
// gosrc.State.Fail): it puts back the functions that the cell redefined.
func (s *session) undo(plan *gosrc.Plan, k int) {
	for _, src := range s.state.Fail(plan, k) {
		// These declarations compiled before; they run nothing.
		s.eval(context.Background(), src)
	}
}

// importsReflect tells whether a cell imported reflect, whose own panics
// may then be the cell's (see gosrc.IsFault).
func (s *session) importsReflect() bool {
	for name, path := range s.state.Imports() {
		if path == "reflect" && !strings.HasPrefix(name, "__gk") {
			return true
		}
	}
	return false
}

// interpreterFault describes a panic that the interpreter raised in its
// own code (see gosrc.IsFault): not the cell's bug.
func interpreterFault(msg string, stack []byte) *proto.Error {
	tb := []string{
		"InterpreterError: " + gosrc.InterpreterFault + ".",
		"The Go interpreter (yaegi) panicked in its own code: " + msg,
	}
	if hint := gosrc.FaultHint(msg); hint != "" {
		tb = append(tb, hint)
	}
	tb = append(tb, "A cell that declares func main runs as a whole program, compiled by Go.")
	if os.Getenv("GOKERNEL_DEBUG") != "" {
		tb = append(tb, string(stack))
	}
	return &proto.Error{Name: proto.EnameInterpreter, Value: gosrc.InterpreterFault, Traceback: tb}
}
