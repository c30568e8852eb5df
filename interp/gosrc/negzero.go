package gosrc

import (
	"go/ast"
	"go/constant"
	"go/token"
)

// negZero replaces a negated floating-point constant whose value is zero
// as a float64, such as -0.0, -zero or -1e-10000, with 0.0: Go's constants
// have no negative zero, and an underflow rounds to +0, but yaegi v0.16.1
// computes the negation in float64 and gets -0. Only the outermost
// constant expression is replaced, since constant arithmetic is exact.
func (r *rewriter) negZero(n *ast.UnaryExpr) {
	if n.Op != token.SUB {
		return
	}
	v, ok := r.env.constVal(n, -1)
	if !ok || v.Kind() != constant.Float {
		return
	}
	if f, _ := constant.Float64Val(v); f != 0 {
		return
	}
	if p, ok := r.parent().(ast.Expr); ok {
		if _, pc := r.env.constVal(p, -1); pc {
			return
		}
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()), "0.0", r.unitEnd)
}
