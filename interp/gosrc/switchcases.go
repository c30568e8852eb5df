package gosrc

import (
	"go/ast"
	"go/types"
	"strings"
)

// tagless joins the expressions of a case of a switch without a tag,
// "case a, b:", into one, "case (a) || (b):": yaegi v0.16.1 tried only
// the first (fixedbugs/issue8325.go). Go tries them in order and stops at
// the first true one, and so does ||.
func (r *rewriter) tagless(n *ast.SwitchStmt) {
	if n.Tag != nil {
		return
	}
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		if len(cc.List) < 2 {
			continue
		}
		parts := make([]string, len(cc.List))
		for i, e := range cc.List {
			parts[i] = "(" + r.e.src(r.off(e.Pos()), r.off(e.End())) + ")"
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		r.e.replace(r.off(first.Pos()), r.off(last.End()), strings.Join(parts, " || "), r.unitEnd)
	}
}

// nilCase makes a switch on a pointer, channel, slice, map or function
// that has a case nil compare the tag itself: "switch p { case nil: … case
// q: … }" becomes "switch __gk1 := p; { case __gk1 == nil: … case __gk1 ==
// q: … }". yaegi v0.16.1 never took the case nil of such a switch
// (fixedbugs/issue53635.go). A switch with an init statement is left alone.
func (r *rewriter) nilCase(n *ast.SwitchStmt) {
	if n.Tag == nil || n.Init != nil {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Tag)
	if !ok {
		return
	}
	switch tv.Type.Underlying().(type) {
	case *types.Pointer, *types.Chan, *types.Slice, *types.Map, *types.Signature:
	default:
		return
	}
	hasNil := false
	for _, s := range n.Body.List {
		for _, e := range s.(*ast.CaseClause).List {
			if id, ok := ast.Unparen(e).(*ast.Ident); ok && id.Name == "nil" && r.env.isBuiltin("nil") {
				hasNil = true
			}
		}
	}
	if !hasNil {
		return
	}
	v := r.temp()
	start, end := r.off(n.Tag.Pos()), r.off(n.Tag.End())
	r.e.replace(start, end, v+" := "+r.e.src(start, end)+";", r.unitEnd)
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		if len(cc.List) == 0 {
			continue
		}
		parts := make([]string, len(cc.List))
		for i, e := range cc.List {
			parts[i] = v + " == (" + r.e.src(r.off(e.Pos()), r.off(e.End())) + ")"
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		r.e.replace(r.off(first.Pos()), r.off(last.End()), strings.Join(parts, " || "), r.unitEnd)
	}
}
