package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// typeArgs writes out the type arguments of a call of a generic function
// declared in a cell, as go/types inferred them: yaegi v0.16.1 fails to
// infer them from a func-typed argument ("cannot use type func(int) string
// as type func(int) int"), from untyped constants ("untyped float does not
// implement ..."), or for a variadic parameter ("undefined type for T").
//
//	Map(xs, func(i int) string { ... })   →  Map[int, string](xs, func(i int) string { ... })
//
// It does nothing when go/types did not check the call, or when a type
// argument cannot be written in the cell (a type of a package the session
// has not imported).
func (r *rewriter) typeArgs(n *ast.CallExpr) {
	if r.env.facts == nil {
		return
	}
	var id *ast.Ident
	explicit := 0
	start, end := 0, 0 // what the written type arguments replace
	switch f := ast.Unparen(n.Fun).(type) {
	case *ast.SelectorExpr: // a package's generic function (slices, maps)
		if inst, ok := r.env.facts.insts[nodeKey{r.off(f.Sel.Pos()), r.off(f.Sel.End())}]; ok && inst.TypeArgs != nil {
			r.genericGlobal(n)
		}
		return
	case *ast.Ident:
		id = f
		start, end = r.off(f.End()), r.off(f.End())
	case *ast.IndexExpr:
		id, _ = f.X.(*ast.Ident)
		explicit = 1
		start, end = r.off(f.Lbrack), r.off(f.Rbrack)+1
	case *ast.IndexListExpr:
		id, _ = f.X.(*ast.Ident)
		explicit = len(f.Indices)
		start, end = r.off(f.Lbrack), r.off(f.Rbrack)+1
	}
	if id == nil {
		return
	}
	inst, ok := r.env.facts.insts[nodeKey{r.off(id.Pos()), r.off(id.End())}]
	if !ok || inst.TypeArgs == nil || inst.fn.Pkg().Path() != "main" {
		return // only the functions of cells: yaegi compiles them from source
	}
	if inst.TypeArgs.Len() <= explicit {
		r.genericGlobal(n)
		return
	}
	if _, isFunc := inst.Type.(*types.Signature); !isFunc || !r.mustInfer(n, inst) {
		r.genericGlobal(n)
		return
	}
	args := make([]string, inst.TypeArgs.Len())
	for i := range args {
		text, ok := r.env.facts.typeText(inst.TypeArgs.At(i))
		if !ok {
			return
		}
		args[i] = text
	}
	r.e.replace(start, end, "["+strings.Join(args, ", ")+"]", r.unitEnd)
	r.genericGlobal(n)
}

// mustInfer reports whether the call's type arguments are inferred in a way
// that yaegi gets wrong: from an untyped constant or nil, from a func-typed
// argument, from a call with several results, for a variadic parameter, or
// through a constraint's core type (S ~[]E). Where yaegi infers them itself, writing them out can break
// what worked (an explicit instantiation with a generic type inside a
// generic method, for one).
func (r *rewriter) mustInfer(n *ast.CallExpr, inst instance) bool {
	sig, ok := inst.fn.Type().(*types.Signature)
	if !ok {
		return false
	}
	if sig.Variadic() {
		return true
	}
	for i := range sig.TypeParams().Len() {
		if coreTerm(sig.TypeParams().At(i).Constraint(), 0) {
			return true
		}
	}
	if len(n.Args) == 1 {
		if tv, ok := r.env.facts.typeAt(r.p, n.Args[0]); ok {
			if _, tuple := tv.Type.(*types.Tuple); tuple {
				return true // f(g()) with several results
			}
		}
	}
	for _, a := range n.Args {
		tv, ok := r.env.facts.typeAt(r.p, a)
		if !ok {
			continue
		}
		if tv.IsNil() {
			return true
		}
		if tv.Value != nil { // a constant (go/types records the type it was given)
			return true
		}
		if _, isFunc := tv.Type.Underlying().(*types.Signature); isFunc {
			return true
		}
	}
	return false
}

// coreTerm reports whether a constraint has a single type term, such as
// ~[]E, through which type arguments may be inferred.
func coreTerm(t types.Type, depth int) bool {
	iface, ok := t.Underlying().(*types.Interface)
	if !ok || depth > 4 {
		return false
	}
	for i := range iface.NumEmbeddeds() {
		switch e := iface.EmbeddedType(i).(type) {
		case *types.Union:
			if e.Len() == 1 {
				return true
			}
		default:
			if _, isIface := e.Underlying().(*types.Interface); !isIface || coreTerm(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// genericGlobal passes the result of a generic call that is the whole value
// of a global declared at cell top level through a conversion to its type:
// yaegi gives such a global no type otherwise ("constant definition loop",
// "nil reflect type"). In a var declaration, which yaegi v0.16.1 would
// silently leave at its zero value, the call also moves into a temporary
// before it:
//
//	x := Min(2, 3)        →  x := int(Min[int](2, 3))
//	var x = Min(2, 3)     →  __gk1 := int(Min[int](2, 3)); var x = __gk1
func (r *rewriter) genericGlobal(n *ast.CallExpr) {
	if !r.topDefine || r.funcDepth != 0 || r.env.facts == nil {
		return
	}
	var values []ast.Expr
	isVar := false
	switch p := r.parent().(type) {
	case *ast.AssignStmt:
		values = p.Rhs
	case *ast.ValueSpec:
		values, isVar = p.Values, true
	}
	direct := false
	for _, v := range values {
		direct = direct || v == ast.Expr(n)
	}
	if !direct {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n)
	if !ok {
		return
	}
	if _, isFunc := tv.Type.Underlying().(*types.Signature); isFunc {
		return // a method value through a conversion fails at run time in yaegi
	}
	text, ok := r.env.facts.typeText(tv.Type)
	if !ok {
		return
	}
	if !token.IsIdentifier(strings.ReplaceAll(text, ".", "_")) {
		text = "(" + text + ")"
	}
	start, end := r.off(n.Pos()), r.off(n.End())
	conv := text + "(" + r.e.src(start, end) + ")"
	if !isVar {
		r.e.replace(start, end, conv, r.unitEnd)
		return
	}
	tmp := r.temp()
	r.hoists = append(r.hoists, tmp+" := "+conv+"; ")
	r.e.replace(start, end, tmp, r.unitEnd)
}

// termConstraint writes a type parameter's constraint that is an interface
// literal holding only ~T terms in its short form: yaegi v0.16.1 panics on
// "[M interface{ ~map[K]V }]" ("CFG post-order panic: invalid memory
// address") but compiles "[M ~map[K]V]", which Go defines to mean the same.
// In a type declaration a term starting with * stays as it is: "type
// T[P *C]" would read as an array length.
func (r *rewriter) termConstraint(tparams *ast.FieldList, inType bool) {
	if tparams == nil {
		return
	}
	for _, f := range tparams.List {
		it, ok := f.Type.(*ast.InterfaceType)
		if !ok || it.Methods == nil || len(it.Methods.List) != 1 || len(it.Methods.List[0].Names) != 0 {
			continue
		}
		term := it.Methods.List[0].Type
		if !hasTilde(term) {
			continue
		}
		if u, ok := term.(*ast.UnaryExpr); ok && inType {
			if _, star := u.X.(*ast.StarExpr); star {
				continue
			}
		}
		text := r.e.src(r.off(term.Pos()), r.off(term.End()))
		r.e.replace(r.off(it.Pos()), r.off(it.End()), text, r.unitEnd)
	}
}

// hasTilde reports whether a constraint element has a ~T term.
func hasTilde(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.TILDE
	case *ast.BinaryExpr:
		return x.Op == token.OR && (hasTilde(x.X) || hasTilde(x.Y))
	case *ast.ParenExpr:
		return hasTilde(x.X)
	}
	return false
}

// makeDirChan rewrites make of a send-only or receive-only channel type,
// which yaegi v0.16.1 turns into a panic ("reflect.MakeChan: unidirectional
// channel type"), as the conversion of a bidirectional channel, which Go
// defines to be the same:
//
//	make(Recv)  →  (Recv)(make(chan int))   // type Recv <-chan int
func (r *rewriter) makeDirChan(n *ast.CallExpr) {
	id, ok := n.Fun.(*ast.Ident)
	if !ok || id.Name != "make" || len(n.Args) == 0 || !r.env.isBuiltin("make") {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n.Args[0])
	if !ok || !tv.IsType() {
		return
	}
	ch, ok := tv.Type.Underlying().(*types.Chan)
	if !ok || ch.Dir() == types.SendRecv {
		return
	}
	elem, ok := r.env.facts.typeText(ch.Elem())
	if !ok {
		return
	}
	t := r.e.src(r.off(n.Args[0].Pos()), r.off(n.Args[0].End()))
	rest := ""
	if len(n.Args) > 1 {
		rest = ", " + r.e.src(r.off(n.Args[1].Pos()), r.off(n.Args[len(n.Args)-1].End()))
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()), "("+t+")(make(chan "+elem+rest+"))", r.unitEnd)
}
