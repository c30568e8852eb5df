package gosrc

import "go/ast"

// hasDeref tells whether evaluating e dereferences a pointer (*p, outside
// function literals), which panics when p is nil. An assignment or return
// of several values must then evaluate all of them before it stores any
// (see parallelAssign and parallelReturn): yaegi v0.16.1 stored the
// values before the panicking one, which a deferred recover then
// returned (fixedbugs/issue43835.go).
func hasDeref(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.StarExpr:
			found = true
		}
		return !found
	})
	return found
}
