package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// rangeAssign rewrites a range loop that assigns to existing variables,
// "for k, v = range x {", into one that declares temporaries and assigns
// them at the start of each iteration, in one assignment:
//
//	for __gk1, __gk2 := range x { k, v = __gk1, __gk2; … }
//
// yaegi v0.16.1 leaves k and v as they were before the loop, where Go
// leaves them at the last iteration's values. The assignment runs when Go
// assigns them, before the body, so the body and the loop's end see what
// they see in Go.
func (r *rewriter) rangeAssign(n *ast.RangeStmt) {
	if n.Key == nil {
		return
	}
	var lhs []ast.Expr
	var temps []string
	temp := func(x ast.Expr) string {
		if id, ok := x.(*ast.Ident); ok && id.Name == "_" {
			return "_"
		}
		t := r.temp()
		lhs, temps = append(lhs, x), append(temps, t)
		return t
	}
	head := temp(n.Key)
	if n.Value != nil {
		head += ", " + temp(n.Value)
	}
	if len(lhs) == 0 {
		return // only blanks: nothing to keep
	}
	pre, texts := r.parallelLHS(lhs)
	lb := r.off(n.Body.Lbrace)
	r.e.replace(r.off(n.Key.Pos()), r.off(n.TokPos)+len(token.ASSIGN.String()), head+" :=", r.unitEnd)
	r.e.insert(lb+1, " "+pre+strings.Join(texts, ", ")+" = "+strings.Join(temps, ", ")+";", r.unitEnd)
}

// parallelAssign makes an assignment of several values, "a, b = f(), g()",
// evaluate all its operands before it assigns any, as Go does:
//
//	__gk1, __gk2 := f(), g(); a, b = __gk1, __gk2
//
// yaegi v0.16.1 assigns a before it calls g, so that g saw the new a
// (bug159.go). Index operands on the left are evaluated first too, so that
// "i, x[i] = 1, 2" sets the x[i] of the old i. Only an assignment in a
// function's statement list is rewritten, and only when its right side
// calls or receives, or its left side has an index that another operand
// on the left assigns.
func (r *rewriter) parallelAssign(n *ast.AssignStmt) {
	if n.Tok != token.ASSIGN || len(n.Lhs) < 2 || r.funcDepth == 0 {
		return
	}
	switch r.parent().(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return
	}
	if len(n.Rhs) == 1 {
		r.tupleAssign(n)
		return
	}
	if len(n.Lhs) != len(n.Rhs) {
		return
	}
	effects := false
	for _, x := range n.Rhs {
		effects = effects || hasCallOrRecv(x)
	}
	if !effects && !indexHazard(n.Lhs) {
		return
	}
	var rhs, names, values []string
	for _, x := range n.Rhs {
		start, end := r.off(x.Pos()), r.off(x.End())
		if r.hoistable(x) && !constShift(x, r) {
			t := r.temp()
			names, values = append(names, t), append(values, r.e.orig(start, end))
			rhs = append(rhs, t)
		} else {
			rhs = append(rhs, r.e.src(start, end))
		}
	}
	pre, texts := r.parallelLHS(n.Lhs)
	var b strings.Builder
	if len(names) > 0 {
		b.WriteString(strings.Join(names, ", ") + " := " + strings.Join(values, ", ") + "; ")
	}
	b.WriteString(pre + strings.Join(texts, ", ") + " = " + strings.Join(rhs, ", "))
	r.e.replace(r.off(n.Pos()), r.off(n.End()), b.String(), r.unitEnd)
}

// tupleAssign makes "m[f()], *g() = h()" call f and g before h, as Go
// does, when an operand on the left calls: yaegi v0.16.1 called h first
// (bug262.go).
//
//	__gk1 := f(); __gk2 := g(); __gk3, __gk4 := h(); m[__gk1], *__gk2 = __gk3, __gk4
func (r *rewriter) tupleAssign(n *ast.AssignStmt) {
	if _, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr); !ok {
		return
	}
	calls := false
	for _, x := range n.Lhs {
		calls = calls || hasCallOrRecv(x)
	}
	if !calls {
		return
	}
	pre, texts := r.parallelLHS(n.Lhs)
	var temps []string
	for _, x := range n.Lhs {
		if id, ok := x.(*ast.Ident); ok && id.Name == "_" {
			temps = append(temps, "_")
			continue
		}
		temps = append(temps, r.temp())
	}
	start, end := r.off(n.Rhs[0].Pos()), r.off(n.Rhs[0].End())
	text := pre + strings.Join(temps, ", ") + " := " + r.e.orig(start, end) + "; " +
		strings.Join(texts, ", ") + " = " + strings.Join(temps, ", ")
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}

// parallelLHS returns the left operands of an assignment with each
// non-constant index of an index expression, and each pointer of a
// pointer indirection, replaced by a temporary, and the statements that
// declare those temporaries.
func (r *rewriter) parallelLHS(lhs []ast.Expr) (pre string, texts []string) {
	for _, x := range lhs {
		start, end := r.off(x.Pos()), r.off(x.End())
		if st, ok := ast.Unparen(x).(*ast.StarExpr); ok && r.hoistable(st.X) {
			ps, pe := r.off(st.X.Pos()), r.off(st.X.End())
			t := r.temp()
			pre += t + " := " + r.e.orig(ps, pe) + "; "
			texts = append(texts, r.e.src(start, ps)+t+r.e.src(pe, end))
			continue
		}
		ix, ok := ast.Unparen(x).(*ast.IndexExpr)
		if !ok || !r.hoistable(ix.Index) {
			texts = append(texts, r.e.src(start, end))
			continue
		}
		is, ie := r.off(ix.Index.Pos()), r.off(ix.Index.End())
		t := r.temp()
		pre += t + " := " + r.e.orig(is, ie) + "; "
		texts = append(texts, r.e.src(start, is)+t+r.e.src(ie, end))
	}
	return pre, texts
}

// indexHazard tells whether an index on the left of an assignment uses a
// variable that the same assignment sets.
func indexHazard(lhs []ast.Expr) bool {
	set := map[string]bool{}
	for _, x := range lhs {
		if id, ok := x.(*ast.Ident); ok {
			set[id.Name] = true
		}
	}
	for _, x := range lhs {
		ix, ok := ast.Unparen(x).(*ast.IndexExpr)
		if !ok {
			continue
		}
		hazard := false
		ast.Inspect(ix.Index, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && set[id.Name] {
				hazard = true
			}
			return !hazard
		})
		if hazard {
			return true
		}
	}
	return false
}

// constShift tells whether x is a shift of a constant, whose type comes
// from the context, so that a temporary would change it.
func constShift(x ast.Expr, r *rewriter) bool {
	b, ok := ast.Unparen(x).(*ast.BinaryExpr)
	if !ok || (b.Op != token.SHL && b.Op != token.SHR) {
		return false
	}
	_, isConst := r.env.constVal(b.X)
	return isConst
}

// parallelReturn makes "return b, a" in a function with named results a
// and b evaluate its operands before it sets any result, as Go does:
//
//	{ __gk1, __gk2 := b, a; return __gk1, __gk2 }
//
// yaegi v0.16.1 set a to b before it read a (bug185.go). Only a return
// whose operands use a named result of its function is rewritten.
func (r *rewriter) parallelReturn(n *ast.ReturnStmt) {
	if len(n.Results) < 2 {
		return
	}
	var ft *ast.FuncType
	for i := len(r.stack) - 1; i >= 0 && ft == nil; i-- {
		switch f := r.stack[i].(type) {
		case *ast.FuncDecl:
			ft = f.Type
		case *ast.FuncLit:
			ft = f.Type
		}
	}
	if ft == nil || ft.Results == nil {
		return
	}
	named := map[string]bool{}
	for _, f := range ft.Results.List {
		for _, id := range f.Names {
			named[id.Name] = true
		}
	}
	if len(named) == 0 {
		return
	}
	uses := false
	for _, x := range n.Results {
		ast.Inspect(x, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && named[id.Name] && r.env.lookup(id.Name) != nil {
				uses = true
			}
			return !uses
		})
	}
	if !uses {
		return
	}
	var names, values, results []string
	for _, x := range n.Results {
		start, end := r.off(x.Pos()), r.off(x.End())
		if r.hoistable(x) && !constShift(x, r) {
			t := r.temp()
			names, values = append(names, t), append(values, r.e.orig(start, end))
			results = append(results, t)
		} else {
			results = append(results, r.e.src(start, end))
		}
	}
	if len(names) == 0 {
		return
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()),
		"{ "+strings.Join(names, ", ")+" := "+strings.Join(values, ", ")+"; return "+strings.Join(results, ", ")+" }", r.unitEnd)
}

// opAssign makes "*p += f()" and "s[i] += f()" find the variable they
// update before f runs, as Go does: yaegi v0.16.1 read p, or s, after the
// call, which may have changed it (issue21687.go).
//
//	*p += f()  →  __gk1 := p; *__gk1 += f()
//
// An indexed operand is hoisted only when gosrc knows it is a slice or a
// map, which a copy still refers to; an array would be copied.
func (r *rewriter) opAssign(n *ast.AssignStmt) {
	if n.Tok == token.ASSIGN || n.Tok == token.DEFINE || len(n.Lhs) != 1 || len(n.Rhs) != 1 || r.funcDepth == 0 {
		return
	}
	switch r.parent().(type) {
	case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
	default:
		return
	}
	if !hasCallOrRecv(n.Rhs[0]) {
		return
	}
	var x ast.Expr
	switch l := ast.Unparen(n.Lhs[0]).(type) {
	case *ast.StarExpr:
		x = l.X
	case *ast.IndexExpr:
		id, ok := l.X.(*ast.Ident)
		if !ok {
			return
		}
		if o := r.env.lookup(id.Name); o == nil || o.kind != objVar {
			return
		}
		t := r.env.typeOf(id)
		if t == nil {
			return
		}
		switch t.Underlying().(type) {
		case *types.Slice, *types.Map:
		default:
			return
		}
		x = l.X
	default:
		return
	}
	if !r.hoistable(x) {
		return
	}
	xs, xe := r.off(x.Pos()), r.off(x.End())
	t := r.temp()
	decl := t + " := " + r.e.orig(xs, xe) + "; "
	// Replace first: the insertion may stand where x starts.
	r.e.replace(xs, xe, t, r.unitEnd)
	r.e.insert(r.off(n.Pos()), decl, r.unitEnd)
}
