package gosrc

import (
	"go/ast"
	"go/types"
	"strconv"
	"strings"
)

// assertIface rewrites a type assertion to an interface type of the
// notebook, x.(Shape), into assertions to the notebook's concrete types,
// which yaegi v0.16.1 gets right where it gets the interface's wrong. It
// failed x.(Shape) with reflect.Set's "value of type interface {} is not
// assignable to type interp.valueInterface" on values of []any or of an
// any parameter, failed it with "interface conversion: nil is not
// main.Shape" after var e any = Rect{…}, and let a value whose type lacks
// a method through as nil; its type switch on Shape matches every value of
// a notebook type with methods, bound, and none, unbound. go/types knows
// which of the notebook's types implement Shape, so
//
//	s, ok := x.(Shape)  →  s, ok := func(__gkx any) (Shape, bool) {
//		if __gkv, __gkok := __gkx.(Rect); __gkok { return __gkv, true }   // Rect implements Shape
//		if __gkv, __gkok := __gkx.(*Rect); __gkok { return __gkv, true }  // so does *Rect
//		if _, __gkok := __gkx.(Point); __gkok { return nil, false }       // Point does not
//		…
//		__gkv, __gkok := __gkx.(Shape); return __gkv, __gkok               // other packages' types
//	}(x)
//
// and x.(Shape) alone panics, where the type does not implement Shape or x
// is nil, with the message of Go's *runtime.TypeAssertionError, through the
// Prelude's __gk_assertfail. yaegi cannot tell apart types with identical
// underlying types (twins, or a named int and int), so the rewrite is made
// only when every named type of the notebook is a struct type without a
// twin, none is generic, and none that implements Shape is local to a
// function; otherwise the assertion stays as written.
func (r *rewriter) assertIface(n *ast.TypeAssertExpr) {
	named, ok := r.assertedType(n, false)
	if !ok || named.TypeParams().Len() > 0 || named.TypeArgs().Len() > 0 {
		return
	}
	iface, ok := named.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return
	}
	if xt, ok := r.env.facts.typeAt(r.p, n.X); !ok || hasTypeParam(xt.Type) || r.inGeneric() {
		return
	}
	name, ok := r.env.facts.typeText(named)
	if !ok {
		return
	}
	cases, ok := r.ifaceCases(iface)
	if !ok {
		return
	}
	commaOk := r.assertCommaOk(n)
	qualified := "main." + named.Obj().Name()
	start, end := r.off(n.Pos()), r.off(n.End())
	fail := r.e.at(start) + "__gk_assertfail(" // a failed assertion panics where the cell wrote it
	var b strings.Builder
	if commaOk {
		b.WriteString("func(__gkx any) (" + name + ", bool) { ")
	} else {
		b.WriteString("func(__gkx any) " + name + " { ")
		b.WriteString("if __gkx == nil { " + fail + "\"\", " + strconv.Quote(qualified) + ", \"\") }; ")
	}
	for _, c := range cases {
		switch {
		case c.missing == "" && commaOk:
			b.WriteString("if __gkv, __gkok := __gkx.(" + c.text + "); __gkok { return __gkv, true }; ")
		case c.missing == "":
			b.WriteString("if __gkv, __gkok := __gkx.(" + c.text + "); __gkok { return __gkv }; ")
		case commaOk:
			b.WriteString("if _, __gkok := __gkx.(" + c.text + "); __gkok { return nil, false }; ")
		default:
			b.WriteString("if _, __gkok := __gkx.(" + c.text + "); __gkok { " + fail +
				strconv.Quote(c.qualified) + ", " + strconv.Quote(qualified) + ", " + strconv.Quote(c.missing) + ") }; ")
		}
	}
	if commaOk {
		b.WriteString("__gkv, __gkok := __gkx.(" + name + "); return __gkv, __gkok }(")
	} else {
		// Another package's type: the assertion as written, where the
		// cell wrote it.
		b.WriteString("return " + r.e.at(start) + "__gkx.(" + name + ") }(")
	}
	b.WriteString(r.e.orig(r.off(n.X.Pos()), r.off(n.X.End())) + ")")
	r.e.replace(start, end, b.String(), r.unitEnd)
}

// An ifaceCase is a concrete type of the notebook, T or *T, in an
// assertion to an interface (see assertIface).
type ifaceCase struct {
	text      string // the type as the cell writes it
	qualified string // as Go's runtime names it, such as "*main.Rect"
	missing   string // a method of the interface it lacks, or "" if it implements it
}

// ifaceCases lists the notebook's named types, T and *T, for an assertion
// to iface, or reports false when one of them would make the assertions
// to concrete types wrong in yaegi (see assertIface).
func (r *rewriter) ifaceCases(iface *types.Interface) ([]ifaceCase, bool) {
	var cases []ifaceCase
	var structs []*types.Named
	for _, tn := range r.notebookTypes() {
		t, ok := tn.Type().(*types.Named)
		if !ok || types.IsInterface(t) {
			continue
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || t.TypeParams().Len() > 0 {
			return nil, false // a named int is int to yaegi; generic types are not written out here
		}
		for _, u := range structs {
			if types.Identical(u.Underlying(), st) {
				return nil, false // twins
			}
		}
		structs = append(structs, t)
		local := tn.Pkg() != nil && tn.Parent() != nil && tn.Parent() != tn.Pkg().Scope() // declared in a function
		for _, typ := range []types.Type{t, types.NewPointer(t)} {
			missing := ""
			if m, _ := types.MissingMethod(typ, iface, true); m != nil {
				missing = m.Name()
			}
			if local {
				if missing == "" {
					return nil, false // cannot be named where the assertion is
				}
				continue
			}
			text, ok := r.env.facts.typeText(typ)
			if !ok {
				return nil, false
			}
			cases = append(cases, ifaceCase{text: text, qualified: types.TypeString(typ, func(*types.Package) string { return "main" }), missing: missing})
		}
	}
	return cases, true
}

// assertCommaOk reports whether the type assertion n is the single value
// on the right of a two-value assignment or declaration: v, ok := x.(T).
func (r *rewriter) assertCommaOk(n *ast.TypeAssertExpr) bool {
	if r.commaOkRHS == n {
		return true
	}
	switch p := r.parent().(type) {
	case *ast.AssignStmt:
		return len(p.Lhs) == 2 && len(p.Rhs) == 1 && p.Rhs[0] == n
	case *ast.ValueSpec:
		return len(p.Names) == 2 && len(p.Values) == 1 && p.Values[0] == n
	}
	return false
}

// inGeneric reports whether a type parameter is in scope.
func (r *rewriter) inGeneric() bool {
	for _, s := range r.env.scopes {
		for _, o := range s {
			if o != nil && o.kind == objTypeParam {
				return true
			}
		}
	}
	return false
}
