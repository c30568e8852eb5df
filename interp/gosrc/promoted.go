package gosrc

import (
	"go/ast"
	"go/types"
	"strings"
)

// promotedPath spells out the embedded fields through which a selector
// reaches a promoted field or method, when the same name is also promoted
// from deeper down: with type B struct{ A; E } and A embedding E too,
// b.val() becomes b.E.val(). Go takes the shallowest one; yaegi v0.16.1
// searches the embedded fields in order, and so may find a deeper one
// first. The explicit path means the same in Go.
func (r *rewriter) promotedPath(n *ast.SelectorExpr) {
	tv, ok := r.env.facts.typeAt(r.p, n.X)
	if !ok || tv.IsType() || r.env.facts == nil {
		return
	}
	_, index, _ := types.LookupFieldOrMethod(tv.Type, tv.Addressable(), r.env.facts.pkg, n.Sel.Name)
	if len(index) < 2 || !promotedDeeper(tv.Type, n.Sel.Name, len(index)-1) {
		return
	}
	t := tv.Type
	var names []string
	for _, i := range index[:len(index)-1] {
		st, ok := derefStruct(t)
		if !ok || i >= st.NumFields() {
			return
		}
		f := st.Field(i)
		names = append(names, f.Name())
		t = f.Type()
	}
	r.e.insert(r.off(n.Sel.Pos()), strings.Join(names, ".")+".", r.unitEnd)
}

// derefStruct is the struct type under t, or under the type t points to.
func derefStruct(t types.Type) (*types.Struct, bool) {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

// promotedDeeper tells whether a field or method called name is reachable
// from t through more than depth embedded fields.
func promotedDeeper(t types.Type, name string, depth int) bool {
	const maxDepth = 8
	seen := map[types.Type]bool{}
	var walk func(t types.Type, d int) bool
	walk = func(t types.Type, d int) bool {
		if d > maxDepth || seen[t] {
			return false
		}
		seen[t] = true
		if d > depth {
			ms := types.NewMethodSet(types.NewPointer(t))
			for i := range ms.Len() {
				if ms.At(i).Obj().Name() == name && len(ms.At(i).Index()) == 1 {
					return true
				}
			}
		}
		st, ok := derefStruct(t)
		if !ok {
			return false
		}
		for i := range st.NumFields() {
			f := st.Field(i)
			if d > depth && f.Name() == name {
				return true
			}
			if f.Embedded() {
				ft := f.Type()
				if p, ok := ft.(*types.Pointer); ok {
					ft = p.Elem()
				}
				if walk(ft, d+1) {
					return true
				}
			}
		}
		return false
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	return walk(t, 0)
}
