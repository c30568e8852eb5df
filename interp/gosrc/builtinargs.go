package gosrc

import (
	"go/ast"
	"go/types"
	"strings"
)

// newValue rewrites new(v), whose argument is a value rather than a type
// (Go 1.26), as &[]T{v}[0]: a pointer to a fresh variable of v's type that
// holds v. yaegi v0.16.1 takes the argument for a type and returns a
// pointer to the zero value. T is the type go/types gave the call's result,
// so an untyped constant gets its default type, as in Go.
func (r *rewriter) newValue(n *ast.CallExpr) {
	if len(n.Args) != 1 || n.Ellipsis.IsValid() {
		return
	}
	arg, ok := r.env.facts.typeAt(r.p, n.Args[0])
	if !ok || arg.IsType() {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n)
	if !ok {
		return
	}
	ptr, ok := tv.Type.(*types.Pointer)
	if !ok {
		return
	}
	t, ok := r.env.facts.typeText(ptr.Elem())
	if !ok {
		return
	}
	start, end := r.off(n.Args[0].Pos()), r.off(n.Args[0].End())
	r.e.replace(r.off(n.Pos()), r.off(n.End()), "&[]"+t+"{"+r.e.src(start, end)+"}[0]", r.unitEnd)
}

// spreadCall rewrites copy(f()) and delete(f()), whose arguments are the
// results of one call, as a function literal that takes the results into
// temporaries and passes them on: copy(f()) becomes func() int { __gk1,
// __gk2 := f(); return copy(__gk1, __gk2) }(). yaegi v0.16.1 passes the
// results to these builtins wrong (copy indexed past the end, delete did
// nothing).
func (r *rewriter) spreadCall(name string, n *ast.CallExpr) {
	if len(n.Args) != 1 || n.Ellipsis.IsValid() {
		return
	}
	call, ok := ast.Unparen(n.Args[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, call)
	if !ok {
		return
	}
	tuple, ok := tv.Type.(*types.Tuple)
	if !ok || tuple.Len() != 2 {
		return
	}
	vars := []string{r.temp(), r.temp()}
	start, end := r.off(call.Pos()), r.off(call.End())
	head, ret := "func() { ", ""
	if name == "copy" {
		head, ret = "func() int { ", "return "
	}
	text := head + strings.Join(vars, ", ") + " := " + r.e.src(start, end) + "; " +
		ret + name + "(" + strings.Join(vars, ", ") + ") }()"
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}

// constLen replaces len(a) or cap(a) that Go takes for a constant, because
// a is an array, or a pointer to one, that the expression reaches without
// calls or receives, with that constant: Go does not evaluate a then, but
// yaegi v0.16.1 did, and failed on len(s[10]) of a nil slice s
// (const4.go). A string constant's length is left alone.
func (r *rewriter) constLen(n *ast.CallExpr) {
	if len(n.Args) != 1 {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n)
	if !ok || tv.Value == nil {
		return
	}
	if arg, ok := r.env.facts.typeAt(r.p, n.Args[0]); !ok || arg.Value != nil {
		return
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()), "int("+tv.Value.ExactString()+")", r.unitEnd)
}
