package gosrc

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// negZero replaces a negated floating-point constant whose value is zero
// as a float64, such as -0.0, -zero or -1e-10000, with 0.0: Go's constants
// have no negative zero, and an underflow rounds to +0, but yaegi v0.16.1
// computes the negation in float64 and gets -0. A typed one, such as
// -float64(zero), becomes a conversion of 0 to its type. Only the outermost
// constant expression is replaced, since constant arithmetic is exact.
func (r *rewriter) negZero(n *ast.UnaryExpr) {
	if n.Op != token.SUB {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n)
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.Float && tv.Value.Kind() != constant.Int {
		return
	}
	if f, _ := constant.Float64Val(tv.Value); f != 0 {
		return
	}
	b, isBasic := tv.Type.Underlying().(*types.Basic)
	if !isBasic || b.Info()&types.IsFloat == 0 {
		return
	}
	zero := "0.0"
	if !isUntyped(tv.Type) {
		t, ok := r.env.facts.typeText(tv.Type)
		if !ok {
			return
		}
		zero = t + "(0)"
	}
	if r.inConstant() {
		return
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()), zero, r.unitEnd)
}

// inConstant tells whether the node being left is an operand of a larger
// constant expression, other than a conversion (float64(-float32(zero))
// keeps the sign that yaegi computed for its operand).
func (r *rewriter) inConstant() bool {
	p, ok := r.parent().(ast.Expr)
	if !ok {
		return false
	}
	if _, conv := p.(*ast.CallExpr); conv {
		return false
	}
	_, ok = r.env.constVal(p)
	return ok
}
