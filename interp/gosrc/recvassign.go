package gosrc

import (
	"go/ast"
	"go/token"
)

// recvAssign puts the receive of "x.f = <-c", "a[i] = <-c" or "*p = <-c"
// in parentheses: "x.f = (<-c)". yaegi v0.16.1 lets a receive that is the
// whole right side of an assignment write its value straight into the
// destination's slot, which for a field, an element or a pointed-to
// variable is a scratch copy: the value was received and lost, and the
// destination kept its old value (chan/sieve2.go then looped forever). A
// parenthesised receive is assigned as any other value. A plain variable
// and a map element are assigned right, and a select case's receive must
// stay as it is. recvReturn does the same for "return <-c" (fixedbugs/bug243.go).
func (r *rewriter) recvAssign(n *ast.AssignStmt) {
	if n.Tok != token.ASSIGN || len(n.Lhs) != 1 || len(n.Rhs) != 1 {
		return
	}
	if cc, ok := r.parent().(*ast.CommClause); ok && cc.Comm == n {
		return
	}
	if u, ok := n.Rhs[0].(*ast.UnaryExpr); !ok || u.Op != token.ARROW {
		return
	}
	switch ast.Unparen(n.Lhs[0]).(type) {
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
	default:
		return
	}
	start, end := r.off(n.Rhs[0].Pos()), r.off(n.Rhs[0].End())
	r.e.replace(start, end, "("+r.e.src(start, end)+")", r.unitEnd)
}

// recvReturn puts each result of a return statement that is a bare
// receive in parentheses: "return <-c" becomes "return (<-c)". yaegi
// v0.16.1 wrote such a result straight into the result slot, which it
// cannot set: the call panicked with "reflect.Value.Set using unaddressable
// value".
func (r *rewriter) recvReturn(n *ast.ReturnStmt) {
	for _, x := range n.Results {
		if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			start, end := r.off(x.Pos()), r.off(x.End())
			r.e.replace(start, end, "("+r.e.src(start, end)+")", r.unitEnd)
		}
	}
}

// parenLiterals puts each composite literal among the several values of an
// assignment or a var declaration in parentheses: "a, b := P{3}, 1"
// becomes "a, b := (P{3}), 1". yaegi v0.16.1 assigned a composite literal
// there and skipped the other values: b was 0, whatever their order, in
// functions and at top level, with := , = and var alike. A parenthesised
// literal is assigned as any other value.
func (r *rewriter) parenLiterals(values []ast.Expr) {
	if len(values) < 2 {
		return
	}
	for _, x := range values {
		if _, ok := x.(*ast.CompositeLit); ok {
			start, end := r.off(x.Pos()), r.off(x.End())
			r.e.replace(start, end, "("+r.e.src(start, end)+")", r.unitEnd)
		}
	}
}
