package worker

import (
	"context"

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
