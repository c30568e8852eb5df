package gosrc

import (
	"go/ast"
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
