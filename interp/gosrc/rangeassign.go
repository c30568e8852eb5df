package gosrc

import (
	"go/ast"
	"go/token"
)

// rangeAssign rewrites a range loop that assigns to existing variables,
// "for k, v = range x {", into one that declares temporaries and assigns
// them at the start of each iteration:
//
//	for __gk1, __gk2 := range x { k = __gk1; v = __gk2; … }
//
// yaegi v0.16.1 leaves k and v as they were before the loop, where Go
// leaves them at the last iteration's values. The assignment runs when Go
// assigns them, before the body, so the body and the loop's end see what
// they see in Go.
func (r *rewriter) rangeAssign(n *ast.RangeStmt) {
	if n.Key == nil {
		return
	}
	var assigns string
	temp := func(x ast.Expr) string {
		if id, ok := x.(*ast.Ident); ok && id.Name == "_" {
			return "_"
		}
		t := r.temp()
		assigns += " " + r.e.src(r.off(x.Pos()), r.off(x.End())) + " = " + t + ";"
		return t
	}
	head := temp(n.Key)
	if n.Value != nil {
		head += ", " + temp(n.Value)
	}
	if assigns == "" {
		return // only blanks: nothing to keep
	}
	lb := r.off(n.Body.Lbrace)
	r.e.replace(r.off(n.Key.Pos()), r.off(n.TokPos)+len(token.ASSIGN.String()), head+" :=", r.unitEnd)
	r.e.insert(lb+1, assigns, r.unitEnd)
}
