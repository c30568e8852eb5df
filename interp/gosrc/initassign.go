package gosrc

import "go/ast"

// initParent tells whether n is the init statement of an if or switch
// (not a labelled one), whose rewriting parallelAssign may do by moving
// the init before the statement (see moveInit).
func (r *rewriter) initParent(n *ast.AssignStmt) bool {
	var init ast.Stmt
	switch p := r.parent().(type) {
	case *ast.IfStmt:
		init = p.Init
	case *ast.SwitchStmt:
		init = p.Init
	default:
		return false
	}
	if init != n || len(r.stack) < 3 {
		return false
	}
	_, labelled := r.stack[len(r.stack)-3].(*ast.LabeledStmt)
	return !labelled
}

// moveInit puts an if or switch statement whose init statement
// parallelAssign rewrote (into two statements, which an init cannot hold)
// in a block, after its init: "if a, b = 3, f(); c {…} else {…}" becomes
// "{ __gk1, __gk2 := 3, f(); a, b = __gk1, __gk2; if c {…} else {…} }".
// The block has the if statement's own scope. yaegi v0.16.1 assigned the
// result of f to a as well (armimm.go).
func (r *rewriter) moveInit(n ast.Stmt) {
	if !r.movedInits[n] {
		return
	}
	var init ast.Stmt
	var rest ast.Node // what follows the init
	keyword := "if "
	switch n := n.(type) {
	case *ast.IfStmt:
		init, rest = n.Init, n.Cond
	case *ast.SwitchStmt:
		keyword = "switch "
		init, rest = n.Init, n.Body
		if n.Tag != nil {
			rest = n.Tag
		}
	}
	start, end := r.off(init.Pos()), r.off(init.End())
	r.e.replace(r.off(n.Pos()), r.off(rest.Pos()), "{ "+r.e.src(start, end)+"; "+keyword, r.unitEnd)
	r.e.insert(r.off(n.End()), " }", r.unitEnd)
}
