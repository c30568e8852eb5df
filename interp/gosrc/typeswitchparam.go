package gosrc

import (
	"go/ast"
	"go/types"
)

// typeSwitchParam refuses a type switch with a case that names a type
// parameter, or a type made with one: yaegi v0.16.1 matches such a case
// against the wrong types (a case T with T = interface{} missed an int,
// and a case of a concrete type took the place of T's).
func (r *rewriter) typeSwitchParam(n *ast.TypeSwitchStmt) {
	if r.refusal != nil {
		return
	}
	for _, s := range n.Body.List {
		for _, e := range s.(*ast.CaseClause).List {
			tv, ok := r.env.facts.typeAt(r.p, e)
			if !ok || !tv.IsType() || !hasTypeParam(tv.Type) {
				continue
			}
			r.refusal = r.c.errAt(r.off(e.Pos()),
				"a type switch case on %s, which involves a type parameter, is matched wrongly by the interpreter (yaegi); "+
					"switch on concrete types, or run the code as a whole program (a cell with func main)", r.p.text(e))
			return
		}
	}
}

// hasTypeParam tells whether t is or contains a type parameter.
func hasTypeParam(t types.Type) bool {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) bool
	walk = func(t types.Type) bool {
		if t == nil || seen[t] {
			return false
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.TypeParam:
			return true
		case *types.Named:
			for i := range t.TypeArgs().Len() {
				if walk(t.TypeArgs().At(i)) {
					return true
				}
			}
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
		case *types.Signature:
			return walk(t.Params()) || walk(t.Results())
		case *types.Tuple:
			for i := range t.Len() {
				if walk(t.At(i).Type()) {
					return true
				}
			}
		case *types.Interface:
			for i := range t.NumMethods() {
				if walk(t.Method(i).Type()) {
					return true
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				if walk(t.Field(i).Type()) {
					return true
				}
			}
		}
		return false
	}
	return walk(t)
}

// bindTypeSwitch gives a type switch without a variable one, "switch
// x.(type)" → "switch __gk1 := x.(type)", used in each clause ("_ =
// __gk1; ", which also keeps a clause from being empty, on which yaegi
// crashed with a variable): yaegi v0.16.1 matched no case of a struct
// type of the notebook without the variable, and did with it.
func (r *rewriter) bindTypeSwitch(n *ast.TypeSwitchStmt) {
	if _, ok := n.Assign.(*ast.ExprStmt); !ok || r.refusal != nil {
		return
	}
	v := r.temp()
	r.e.insert(r.off(n.Assign.Pos()), v+" := ", r.unitEnd)
	for _, s := range n.Body.List {
		cc := s.(*ast.CaseClause)
		r.e.insert(r.off(cc.Colon)+1, " _ = "+v+";", r.unitEnd)
	}
}
