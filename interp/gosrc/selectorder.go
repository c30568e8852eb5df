package gosrc

import (
	"go/ast"
	"go/token"
	"strings"
)

// selectOrder makes a select statement evaluate its channel operands and
// the values it sends once, in source order, before it chooses a case, as
// Go does: yaegi v0.16.1 evaluates them in another order, so that in
//
//	select {
//	case c <- x:
//	case <-makec(&x): // makec changes x
//	}
//
// the value sent was read after makec ran, and a call that closed or
// replaced a channel of an earlier case made the select wait forever. When
// an operand has a call or a receive in it, each operand that is not a
// constant goes into a temporary, declared in a block around the select:
//
//	{ __gk1 := c; __gk2 := x; __gk3 := makec(&x); select { case __gk1 <- __gk2: case <-__gk3: } }
//
// A select whose operands have no call and no receive is left as written:
// the order does not show there.
func (r *rewriter) selectOrder(n *ast.SelectStmt) {
	var ops []ast.Expr
	effects := false
	for _, s := range n.Body.List {
		cc, ok := s.(*ast.CommClause)
		if !ok || cc.Comm == nil {
			continue
		}
		switch c := cc.Comm.(type) {
		case *ast.SendStmt:
			ops = append(ops, c.Chan, c.Value)
		case *ast.ExprStmt:
			if u, ok := ast.Unparen(c.X).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
				ops = append(ops, u.X)
			}
		case *ast.AssignStmt:
			if len(c.Rhs) == 1 {
				if u, ok := ast.Unparen(c.Rhs[0]).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					ops = append(ops, u.X)
				}
			}
		}
	}
	for _, op := range ops {
		effects = effects || hasCallOrRecv(op)
	}
	if !effects {
		return
	}
	var b strings.Builder
	b.WriteString("{ ")
	for _, op := range ops {
		if !r.hoistable(op) {
			continue
		}
		start, end := r.off(op.Pos()), r.off(op.End())
		t := r.temp()
		b.WriteString(t + " := " + r.e.orig(start, end) + "; ")
		r.e.replace(start, end, t, r.unitEnd)
	}
	start := r.off(n.Pos())
	if l, ok := r.parent().(*ast.LabeledStmt); ok {
		start = r.off(l.Pos())
	}
	r.e.insert(start, b.String(), r.unitEnd)
	r.e.insert(r.off(n.End()), " }", r.unitEnd)
}

// hoistable tells whether an operand may go into a temporary without
// changing its type, and has a value that may change: it reads a known
// variable, calls or receives. An untyped constant, nil, or an expression
// of names gosrc does not know stays where it is.
func (r *rewriter) hoistable(e ast.Expr) bool {
	if _, ok := r.env.constVal(e); ok {
		return false
	}
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		o := r.env.lookup(id.Name)
		return o != nil && o.kind == objVar
	}
	varying := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			varying = true
		case *ast.UnaryExpr:
			varying = varying || n.Op == token.ARROW
		case *ast.Ident:
			o := r.env.lookup(n.Name)
			varying = varying || o != nil && o.kind == objVar
		}
		return !varying
	})
	return varying
}

// hasCallOrRecv tells whether evaluating e may call a function or receive
// from a channel; function literals' bodies do not run there.
func hasCallOrRecv(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.ARROW
		}
		return !found
	})
	return found
}

// commVars gives the variables that a select case declares, "case v :=
// <-c:", fresh storage each time the case runs, as Go does, when a
// closure or &v in the case keeps them: the case's statements go in a
// block that starts with v := v. yaegi v0.16.1 reused one variable, so
// that pointers taken in two runs of the case were equal.
func (r *rewriter) commVars(cc *ast.CommClause) {
	as, ok := cc.Comm.(*ast.AssignStmt)
	if !ok || as.Tok != token.DEFINE || r.funcDepth == 0 || len(cc.Body) == 0 {
		return
	}
	set := map[string]bool{}
	for _, n := range identNames(as.Lhs...) {
		if n != "_" {
			set[n] = true
		}
	}
	body := &ast.BlockStmt{List: cc.Body}
	if len(set) == 0 || !captures(body, set) || assigns(body, set) {
		return
	}
	var b strings.Builder
	b.WriteString(" {")
	for _, n := range identNames(as.Lhs...) {
		if set[n] {
			b.WriteString(" " + n + " := " + n + ";")
		}
	}
	r.e.insert(r.off(cc.Colon)+1, b.String(), r.unitEnd)
	r.e.insert(r.off(cc.End()), " }", r.unitEnd)
}
