package gosrc

import (
	"go/ast"
	"go/token"
	"strings"
)

// deferArgs makes a deferred call inside a function keep the values its
// arguments had at the defer statement, as in Go:
//
//	defer add(i)  →  { __gk1 := i; defer add(__gk1) }
//
// yaegi v0.16.1 keeps a reference to where each argument is stored, not
// its value, so that the call saw what the variable (or a reused
// temporary) held when it ran: in a loop, every call got the last value.
// A variable declared with := gets fresh storage each time, which the
// deferred call keeps. Constant arguments stay, so that they keep the type
// the parameter gives them. A defer at the cell's own level is handled by
// deferStmt.
func (r *rewriter) deferArgs(n *ast.DeferStmt) {
	if r.funcDepth == 0 {
		return
	}
	switch r.parent().(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return
	}
	var names, values []string
	for _, a := range n.Call.Args {
		if !r.hoistable(a) || constShift(a, r) {
			continue
		}
		start, end := r.off(a.Pos()), r.off(a.End())
		t := r.temp()
		names, values = append(names, t), append(values, r.e.orig(start, end))
		r.e.replace(start, end, t, r.unitEnd)
	}
	if len(names) == 0 {
		return
	}
	r.e.insert(r.off(n.Pos()), "{ "+strings.Join(names, ", ")+" := "+strings.Join(values, ", ")+"; ", r.unitEnd)
	r.e.insert(r.off(n.End()), " }", r.unitEnd)
}

// blankRead makes an assignment to the blank identifier of a pointer
// indirection or an index expression, _ = *p, _ = s[i], _, _ = m[k],
// evaluate it, as Go does (and panics when p is nil, i out of range, k
// unhashable): { __gk1 := *p; _ = __gk1 }. yaegi v0.16.1 evaluates
// nothing for it.
func (r *rewriter) blankRead(n *ast.AssignStmt) {
	if n.Tok != token.ASSIGN || len(n.Rhs) != 1 || len(n.Lhs) > 2 || r.funcDepth == 0 {
		return
	}
	for _, l := range n.Lhs {
		if id, ok := l.(*ast.Ident); !ok || id.Name != "_" {
			return
		}
	}
	switch x := ast.Unparen(n.Rhs[0]).(type) {
	case *ast.StarExpr:
		if len(n.Lhs) != 1 {
			return
		}
	case *ast.IndexExpr:
		// Not an instantiation of a generic function.
		if tv, ok := r.env.facts.typeAt(r.p, x); !ok || !tv.IsValue() {
			return
		}
	default:
		return
	}
	switch r.parent().(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return
	}
	temps := make([]string, len(n.Lhs))
	for i := range temps {
		temps[i] = r.temp()
	}
	names := strings.Join(temps, ", ")
	blanks := strings.TrimSuffix(strings.Repeat("_, ", len(temps)), ", ")
	r.e.replace(r.off(n.Pos()), r.off(n.Rhs[0].Pos()), "{ "+names+" := ", r.unitEnd)
	r.e.insert(r.off(n.End()), "; "+blanks+" = "+names+" }", r.unitEnd)
}
