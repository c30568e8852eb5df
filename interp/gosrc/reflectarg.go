package gosrc

import (
	"go/ast"
	"go/types"
)

// reflectCall marks a call of reflect.TypeOf or reflect.ValueOf on a value
// whose type the interpreter shows reflect differently from Go: a type of
// the notebook (yaegi gives reflect no name and no methods for it, and
// renames unexported fields), or a struct with unexported, blank or
// embedded fields. The call's result goes through the Prelude's
// __gk_rtype or __gk_rvalue, which tell the worker (HostSymbols'
// reflected); a cell that did so and then panics or exits non-zero has
// that end reported as the interpreter's failure. The call is not
// refused: most uses (printing a value, reading exported fields) are
// faithful.
func (r *rewriter) reflectCall(n *ast.CallExpr) {
	sel, ok := n.Fun.(*ast.SelectorExpr)
	if !ok || len(n.Args) != 1 {
		return
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	if o := r.env.lookup(id.Name); o == nil || o.kind != objPkg || o.path != "reflect" {
		return
	}
	wrap := map[string]string{"TypeOf": "__gk_rtype(", "ValueOf": "__gk_rvalue("}[sel.Sel.Name]
	if wrap == "" {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Args[0])
	if !ok || !reflectsUnlikeGo(tv.Type) {
		return
	}
	r.e.insert(r.off(n.Pos()), wrap, r.unitEnd)
	r.e.insert(r.off(n.End()), ")", r.unitEnd)
}

// reflectsUnlikeGo tells whether reflect sees t, or a type t is made of,
// otherwise in the interpreter than in Go (see reflectCall).
func reflectsUnlikeGo(t types.Type) bool {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) bool
	walk = func(t types.Type) bool {
		if t == nil || seen[t] {
			return false
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Named:
			if p := t.Obj().Pkg(); p != nil && p.Path() == "main" {
				return true
			}
			if _, isStruct := t.Underlying().(*types.Struct); isStruct {
				return false // a package's struct: the interpreter uses Go's own type
			}
			return walk(t.Underlying())
		case *types.Alias:
			return walk(types.Unalias(t))
		case *types.Pointer:
			return walk(t.Elem())
		case *types.Slice:
			return walk(t.Elem())
		case *types.Array:
			return walk(t.Elem())
		case *types.Chan:
			return walk(t.Elem())
		case *types.Map:
			return walk(t.Key()) || walk(t.Elem())
		case *types.Struct:
			for i := range t.NumFields() {
				f := t.Field(i)
				if !f.Exported() || f.Embedded() || walk(f.Type()) {
					return true
				}
			}
		}
		return false
	}
	return walk(t)
}
