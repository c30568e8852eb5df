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
	named, ok := r.assertedType(n, true)
	if !ok || types.IsInterface(named) {
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
	for _, tn := range r.notebookTypes() {
		if u, ok := tn.Type().(*types.Named); ok && tn != t.Obj() && !types.IsInterface(u) && types.Identical(u.Underlying(), t.Underlying()) {
			return tn
		}
	}
	return nil
}

// assertedType is the named type of the notebook that the type assertion n
// asserts to (or, with ptr, to a pointer to which), if it is one.
func (r *rewriter) assertedType(n *ast.TypeAssertExpr, ptr bool) (*types.Named, bool) {
	if n.Type == nil || r.refusal != nil || r.env.facts == nil {
		return nil, false
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Type)
	if !ok || !tv.IsType() {
		return nil, false
	}
	t := tv.Type
	if p, isPtr := t.(*types.Pointer); isPtr && ptr {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "main" {
		return nil, false
	}
	return named, true
}

// notebookTypes are the named types (not aliases) that the notebook
// declares: the cell's, package-level or local, and those of earlier cells.
func (r *rewriter) notebookTypes() []*types.TypeName {
	var names []*types.TypeName
	seen := map[*types.TypeName]bool{}
	add := func(obj types.Object) {
		if tn, ok := obj.(*types.TypeName); ok && !tn.IsAlias() && !seen[tn] {
			seen[tn] = true
			names = append(names, tn)
		}
	}
	var walk func(s *types.Scope)
	walk = func(s *types.Scope) {
		for _, name := range s.Names() {
			add(s.Lookup(name))
		}
		for i := range s.NumChildren() {
			walk(s.Child(i))
		}
	}
	walk(r.env.facts.pkg.Scope())
	for name := range r.c.sn.types.all() {
		add(r.c.st.typeObject(name))
	}
	return names
}
