package gosrc

import (
	"go/ast"
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
