package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// tagless joins the expressions of a case of a switch without a tag,
// "case a, b:", into one, "case a || b:": yaegi v0.16.1 tried only
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
			parts[i] = r.caseOperand(e)
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		r.e.replace(r.off(first.Pos()), r.off(last.End()), strings.Join(parts, " || "), r.unitEnd)
	}
}

// nilCase makes a switch on a pointer, channel, slice, map or function
// that has a case nil compare the tag itself in each case: "switch p {
// case nil: … case q: … }" becomes "switch { case p == nil: … case p ==
// q: … }". yaegi v0.16.1 never took the case nil of such a switch
// (fixedbugs/issue53635.go). Only a tag without effects (no call but
// conversions, no receive) is repeated so, and a switch with an init
// statement is left alone (yaegi crashed on "switch v := p; { … }").
func (r *rewriter) nilCase(n *ast.SwitchStmt) {
	if n.Tag == nil || n.Init != nil || !r.pure(n.Tag) {
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
	tag := r.caseOperand(n.Tag)
	r.e.replace(r.off(n.Tag.Pos()), r.off(n.Tag.End()), "", r.unitEnd)
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		if len(cc.List) == 0 {
			continue
		}
		parts := make([]string, len(cc.List))
		for i, e := range cc.List {
			parts[i] = tag + " == " + r.caseOperand(e)
		}
		first, last := cc.List[0], cc.List[len(cc.List)-1]
		r.e.replace(r.off(first.Pos()), r.off(last.End()), strings.Join(parts, " || "), r.unitEnd)
	}
}

// pure tells whether evaluating e twice does what evaluating it once
// does: it calls nothing but conversions, and receives nothing.
func (r *rewriter) pure(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv, known := r.env.facts.typeAt(r.p, n.Fun); !known || !tv.IsType() {
				ok = false
			}
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		}
		return ok
	})
	return ok
}

// caseOperand is the text of e, rewritten, as an operand of == or ||: in
// parentheses when it is a binary expression. Only then: yaegi v0.16.1
// crashed on "p == (nil)".
func (r *rewriter) caseOperand(e ast.Expr) string {
	text := r.e.src(r.off(e.Pos()), r.off(e.End()))
	if _, binary := e.(*ast.BinaryExpr); binary {
		return "(" + text + ")"
	}
	return text
}
