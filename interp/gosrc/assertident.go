package gosrc

import (
	"go/ast"
	"go/types"
)

// assertTwin refuses a type assertion to a type of the notebook (or a
// pointer to one) that has a twin: another of the notebook's named types
// with the identical underlying type, such as a local type T with the
// fields of a package-level T, or type T3 T1. yaegi v0.16.1 sees no
// difference between twins, so that x.(T3) succeeded on a T1
// (fixedbugs/bug148.go, bug201.go).
func (r *rewriter) assertTwin(n *ast.TypeAssertExpr) {
	if n.Type == nil || r.refusal != nil || r.env.facts == nil {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Type)
	if !ok || !tv.IsType() {
		return
	}
	t := tv.Type
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || types.IsInterface(named) || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "main" {
		return
	}
	twin := r.twinOf(named)
	if twin == nil {
		return
	}
	other := twin.Name()
	if other == named.Obj().Name() {
		other = "the other type " + other + " (declared in another scope)"
	}
	r.refusal = r.c.errAt(r.off(n.Type.Pos()),
		"the interpreter (yaegi) cannot tell %s from %s, which has the same underlying type, in a type assertion; "+
			"give one of them a different structure, or run the code as a whole program (a cell with func main)",
		named.Obj().Name(), other)
}

// twinOf finds another named type of the notebook whose underlying type is
// identical to t's: among the cell's types, package-level or local, and
// the types of earlier cells.
func (r *rewriter) twinOf(t *types.Named) *types.TypeName {
	var found *types.TypeName
	check := func(obj types.Object) {
		tn, ok := obj.(*types.TypeName)
		if !ok || found != nil || tn == t.Obj() || tn.IsAlias() {
			return
		}
		if u, ok := tn.Type().(*types.Named); ok && !types.IsInterface(u) && types.Identical(u.Underlying(), t.Underlying()) {
			found = tn
		}
	}
	var walk func(s *types.Scope)
	walk = func(s *types.Scope) {
		for _, name := range s.Names() {
			check(s.Lookup(name))
		}
		for i := range s.NumChildren() {
			walk(s.Child(i))
		}
	}
	walk(r.env.facts.pkg.Scope())
	for name := range r.c.sn.types.all() {
		if obj := r.c.st.typeObject(name); obj != nil {
			check(obj)
		}
	}
	return found
}
