package gosrc

import (
	"go/ast"
	"go/types"
)

// appendArgs makes a call of append with several values to add, one of
// which reads memory (s[i], *p, x.f, a call), add them as one slice
// literal: append(s[:4], '5', s[4]) becomes append(s[:4], []byte{'5',
// s[4]}...). Go evaluates all the values before append writes any, but
// yaegi v0.16.1 writes each before it reads the next, so a value read
// from the array that append writes to saw the new element.
func (r *rewriter) appendArgs(n *ast.CallExpr) {
	if n.Ellipsis.IsValid() || len(n.Args) < 3 {
		return
	}
	reads := false
	for _, a := range n.Args[2:] {
		ast.Inspect(a, func(x ast.Node) bool {
			switch x.(type) {
			case *ast.IndexExpr, *ast.StarExpr, *ast.SelectorExpr, *ast.CallExpr:
				reads = true
			case *ast.FuncLit:
				return false
			}
			return !reads
		})
	}
	if !reads {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Args[0])
	if !ok {
		return
	}
	if _, isParam := tv.Type.(*types.TypeParam); isParam {
		return
	}
	if _, isSlice := tv.Type.Underlying().(*types.Slice); !isSlice {
		return
	}
	t, ok := r.env.facts.typeText(tv.Type)
	if !ok {
		return
	}
	r.e.insert(r.off(n.Args[1].Pos()), t+"{", r.unitEnd)
	r.e.insert(r.off(n.Args[len(n.Args)-1].End()), "}...", r.unitEnd)
}
