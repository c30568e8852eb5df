package gosrc

import (
	"go/ast"
	"go/types"
)

// shiftCount makes a shift by a signed count that is not a constant,
// x << s or x >>= s, check its count through the Prelude's __gk_shift:
// Go panics with "negative shift amount" when s < 0, which yaegi v0.16.1
// does not (fixedbugs/issue19113.go). The count becomes the uint64 that
// __gk_shift returns, which shifts by the same amount.
//
// __gk_shift is the host's [shiftCount].
func (r *rewriter) checkShift(s ast.Expr) {
	tv, ok := r.env.facts.typeAt(r.p, s)
	if !ok || tv.Value != nil {
		return
	}
	b, ok := tv.Type.Underlying().(*types.Basic)
	if !ok || b.Info()&types.IsInteger == 0 || b.Info()&types.IsUnsigned != 0 {
		return
	}
	start, end := r.off(s.Pos()), r.off(s.End())
	r.e.replace(start, end, "__gk_shift(int64("+r.e.src(start, end)+"))", r.unitEnd)
}

// shiftBy is a negative shift count, kept in a variable so that the
// compiler cannot see it.
var shiftBy = -1

// negativeShift is the value that Go's recover returns after a shift by a
// negative count, taken from the host's own runtime.
var negativeShift = func() (v any) {
	defer func() { v = recover() }()
	_ = 1 << shiftBy
	return nil
}()

// shiftCount is n as a shift count, or a panic with Go's runtime error
// when n is negative.
func shiftCount(n int64) uint64 {
	if n < 0 {
		panic(negativeShift)
	}
	return uint64(n)
}
