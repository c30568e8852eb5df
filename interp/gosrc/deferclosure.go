package gosrc

import "go/ast"

// deferClosure refuses a deferred call, inside a function, that uses a
// closure made by that same function and kept in a variable:
//
//	f := func() { ... }
//	defer f()            // or defer g(f), defer func() { f() }()
//
// yaegi v0.16.1 runs a function's deferred calls while it holds the lock
// of the function's frame, and a closure made in that frame takes the same
// lock when it is called: the cell waits forever.
func (r *rewriter) deferClosure(n *ast.DeferStmt) {
	if r.refusal != nil {
		return
	}
	var body *ast.BlockStmt
	for i := len(r.stack) - 2; i >= 0 && body == nil; i-- {
		switch f := r.stack[i].(type) {
		case *ast.FuncLit:
			body = f.Body
		case *ast.FuncDecl:
			body = f.Body
		}
	}
	if body == nil {
		return
	}
	closures := map[string]bool{}
	keep := func(name *ast.Ident, value ast.Expr) {
		if name != nil && name.Name != "_" && makesClosure(value) {
			closures[name.Name] = true
		}
	}
	ast.Inspect(body, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.FuncLit:
			return false // its closures are made in its own frame
		case *ast.AssignStmt:
			if len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					id, _ := l.(*ast.Ident)
					keep(id, x.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			if len(x.Names) == len(x.Values) {
				for i, id := range x.Names {
					keep(id, x.Values[i])
				}
			}
		}
		return true
	})
	if len(closures) == 0 {
		return
	}
	ast.Inspect(n.Call, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && closures[id.Name] && r.refusal == nil {
			r.refusal = r.c.errAt(r.off(id.Pos()),
				"a deferred call that uses %s, a closure made by the same function, never ends in the interpreter (yaegi v0.16.1 deadlocks); make %s a top-level func, or run the program as a whole (a cell with func main)",
				id.Name, id.Name)
		}
		return r.refusal == nil
	})
}

// makesClosure tells whether x is a func literal, or a composite literal
// with one among its elements.
func makesClosure(x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.FuncLit:
		return true
	case *ast.CompositeLit:
		for _, e := range x.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				e = kv.Value
			}
			if makesClosure(e) {
				return true
			}
		}
	}
	return false
}
