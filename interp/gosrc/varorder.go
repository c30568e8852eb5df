package gosrc

import (
	"go/ast"
	"go/token"
	"sort"
)

// varOrder puts the specs of a package-level var group, var ( … ), in the
// order Go initializes them, as go/types gives it: a spec whose value uses
// a var of a later spec, directly or through functions, comes after it,
// and otherwise the written order holds. yaegi v0.16.1 ran the specs that
// depend on others after all the rest (fixedbugs/issue22326.go printed
// "abcd_" for "abc_d"). Specs without values keep their places.
//
// yaegi also ran the vars named _ after all the others: a _ whose value
// calls a function gets a name of its own (see blankVars).
func (r *rewriter) varOrder(d *ast.GenDecl) {
	if d.Tok != token.VAR || r.funcDepth > 0 {
		return
	}
	r.blankVars(d)
	if len(d.Specs) < 2 || r.env.facts == nil || len(r.env.facts.inits) == 0 {
		return
	}
	rank := map[*ast.ValueSpec]int{}
	var slots []*ast.ValueSpec
	for _, s := range d.Specs {
		vs := s.(*ast.ValueSpec)
		if len(vs.Values) == 0 {
			continue
		}
		start, end := r.off(vs.Values[0].Pos()), r.off(vs.Values[len(vs.Values)-1].End())
		found := false
		for i, k := range r.env.facts.inits {
			if k.start >= start && k.end <= end {
				rank[vs], found = i, true
				break
			}
		}
		if !found {
			return // go/types did not order it: leave the group alone
		}
		slots = append(slots, vs)
	}
	order := append([]*ast.ValueSpec(nil), slots...)
	sort.SliceStable(order, func(i, j int) bool { return rank[order[i]] < rank[order[j]] })
	moved := false
	texts := make([]string, len(order))
	for i, vs := range order {
		moved = moved || vs != slots[i]
		texts[i] = r.e.src(r.off(vs.Pos()), r.off(vs.End()))
	}
	if !moved {
		return
	}
	for i, vs := range slots {
		r.e.replace(r.off(vs.Pos()), r.off(vs.End()), texts[i], r.unitEnd)
	}
}

// blankVars names the package-level vars _ whose values call a function,
// "var _ = f()", with temporaries, so that yaegi v0.16.1 runs them in
// their place, as Go does, instead of after every other var.
func (r *rewriter) blankVars(d *ast.GenDecl) {
	for _, s := range d.Specs {
		vs := s.(*ast.ValueSpec)
		calls := false
		for _, v := range vs.Values {
			calls = calls || hasCallOrRecv(v)
		}
		if !calls {
			continue
		}
		for _, n := range vs.Names {
			if n.Name == "_" {
				r.e.replace(r.off(n.Pos()), r.off(n.End()), r.temp(), r.unitEnd)
			}
		}
	}
}
