package gosrc

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// This file answers the rewrites' questions about names and types. What a
// name denotes (a variable, a constant, a type, a package, a builtin) comes
// from the scopes that the rewriter keeps while it walks a unit, and from
// the declarations of the cells. Types and constant values come from
// go/types only (typecheck.go). Where go/types knows nothing (an
// expression of a cell it could not check, of a package without export
// data or sources), the type is unknown and a rewrite that needs it is not
// made.

// objKind says what a name denotes.
type objKind int

const (
	objVar objKind = iota
	objConst
	objFunc
	objType
	objPkg
	objTypeParam
)

// object is what a name denotes, as far as the rewrites need to know.
type object struct {
	kind    objKind
	generic bool   // a func or type with type parameters
	path    string // an imported package's path
	ptrRecv bool   // a method with a pointer receiver
}

// scope is one block's worth of local names.
type scope map[string]*object

// env answers questions about names and types. Locals come from scopes;
// globals from the cell being compiled, then from earlier cells; types
// from go/types' facts about the cell.
type env struct {
	scopes []scope
	global func(name string) *object
	// facts are go/types' facts about the cell, or nil; g is the group
	// of the cell that the unit was parsed from.
	facts *typeFacts
	g     *parsed
}

func (v *env) push()       { v.scopes = append(v.scopes, scope{}) }
func (v *env) pop()        { v.scopes = v.scopes[:len(v.scopes)-1] }
func (v *env) local() bool { return len(v.scopes) > 0 }
func (v *env) declare(name string, o *object) {
	if name == "_" || name == "" || len(v.scopes) == 0 {
		return
	}
	v.scopes[len(v.scopes)-1][name] = o
}

// declareAll declares names as objects of kind k.
func (v *env) declareAll(k objKind, names ...*ast.Ident) {
	for _, n := range names {
		v.declare(n.Name, &object{kind: k})
	}
}

func (v *env) lookup(name string) *object {
	for i := len(v.scopes) - 1; i >= 0; i-- {
		if o, ok := v.scopes[i][name]; ok {
			return o
		}
	}
	if v.global != nil {
		return v.global(name)
	}
	return nil
}

// isBuiltin reports whether name still means the predeclared identifier.
func (v *env) isBuiltin(name string) bool { return v.lookup(name) == nil }

// typeOf is the type of expression e as go/types recorded it (for an
// untyped constant, the type it was given where it is used), or nil when
// go/types does not know it. A comma-ok form (m[k], <-ch, x.(T)) has the
// type of its value.
func (v *env) typeOf(e ast.Expr) types.Type {
	tv, ok := v.facts.typeAt(v.g, e)
	if !ok || tv.IsVoid() || tv.IsType() || tv.IsBuiltin() || tv.IsNil() {
		return nil
	}
	if tup, isTuple := tv.Type.(*types.Tuple); isTuple {
		if !isCommaOk(e) || tup.Len() != 2 {
			return nil
		}
		return tup.At(0).Type()
	}
	return tv.Type
}

// freeVarType is the type of the variable name that n uses but does not
// declare, or nil when go/types does not know it.
func (v *env) freeVarType(n ast.Node, name string) types.Type {
	if v.facts == nil {
		return nil
	}
	start, end := v.g.off(n.Pos()), v.g.off(n.End())
	var t types.Type
	ast.Inspect(n, func(x ast.Node) bool {
		id, ok := x.(*ast.Ident)
		if !ok || id.Name != name || t != nil {
			return t == nil
		}
		obj, ok := v.facts.use(v.g.key(id)).(*types.Var)
		if !ok {
			return true
		}
		if off, ok := v.facts.declOff(obj); ok && (off < start || off >= end) {
			t = obj.Type()
		}
		return t == nil
	})
	return t
}

// results gives the result types of a call, an empty slice when it has
// none, or nil when go/types does not know them. A conversion has one
// result.
func (v *env) results(call *ast.CallExpr) []types.Type {
	tv, ok := v.facts.typeAt(v.g, call)
	switch {
	case !ok || tv.IsType() || tv.IsBuiltin():
		return nil
	case tv.IsVoid():
		return []types.Type{}
	}
	if tup, isTuple := tv.Type.(*types.Tuple); isTuple {
		out := make([]types.Type, tup.Len())
		for i := range out {
			out[i] = tup.At(i).Type()
		}
		return out
	}
	return []types.Type{tv.Type}
}

// text writes t as source for the cell, or reports false when it cannot
// (an unknown type, a type of a package the session has not imported).
func (v *env) text(t types.Type) (string, bool) {
	if t == nil {
		return "", false
	}
	return v.facts.typeText(t)
}

// constVal is the value of e when go/types found it to be a constant.
func (v *env) constVal(e ast.Expr) (constant.Value, bool) {
	tv, ok := v.facts.typeAt(v.g, e)
	if !ok || tv.Value == nil || tv.Value.Kind() == constant.Unknown {
		return nil, false
	}
	return tv.Value, true
}

// isInt reports whether t is an integer type, typed or not.
func isInt(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// isUntyped reports whether t is the type of an untyped constant.
func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}

// cellNamed is the type that t names, or that t points to, when a cell
// declared it at top level; else nil.
func cellNamed(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "main" || n.Obj().Parent() != n.Obj().Pkg().Scope() {
		return nil
	}
	return n
}

// safeCompare compares two constants, which go/constant does by panicking
// when their kinds do not match.
func safeCompare(x constant.Value, op token.Token, y constant.Value) (res, ok bool) {
	defer func() {
		if recover() != nil {
			res, ok = false, false
		}
	}()
	return constant.Compare(x, op, y), true
}
