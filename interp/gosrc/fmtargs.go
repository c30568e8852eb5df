package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
)

// fmtFuncs are the fmt functions that format their arguments, with the
// number of leading arguments that are not values (a writer, a format).
var fmtFuncs = map[string]int{
	"Print": 0, "Println": 0, "Printf": 1, "Sprint": 0, "Sprintln": 0, "Sprintf": 1,
	"Fprint": 1, "Fprintln": 1, "Fprintf": 2, "Errorf": 1, "Appendf": 2, "Append": 1, "Appendln": 1,
}

// fmtCall adapts the arguments of a fmt call whose types it knows, since
// yaegi v0.16.1 hands fmt a cell-defined type's value without its methods
// when the value is not converted to an interface by a function's result:
//
//   - a value whose type has an Error method (fmt printed its fields)
//     becomes func(x T) error { return x }(v);
//   - a slice, array or map of values whose type has a String or Error
//     method (fmt printed the elements' fields) is copied into a slice or
//     map of fmt.Stringer or error, element by element the same way.
//
// A struct, or a pointer to one, with fields of such types, is refused
// (see fmtRefusal): fmt would print those fields without their methods.
func (r *rewriter) fmtCall(n *ast.CallExpr) {
	sel, ok := n.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	skip, ok := fmtFuncs[sel.Sel.Name]
	if o := r.env.lookup(id.Name); !ok || o == nil || o.kind != objPkg || o.path != "fmt" {
		return
	}
	if n.Ellipsis != token.NoPos {
		return
	}
	for i, a := range n.Args {
		if i < skip {
			continue
		}
		t := r.env.typeOf(a)
		if t == nil {
			continue
		}
		if text := r.fmtArg(t, a); text != "" {
			r.e.replace(r.off(a.Pos()), r.off(a.End()), text, r.unitEnd)
		} else if why := r.fmtRefusal(t); why != "" && r.refusal == nil {
			r.refusal = r.c.errAt(r.off(a.Pos()), "%s", why)
		}
	}
}

// methodIface is the interface through which fmt must see a value of type
// t: "error" or "__gkfmt.Stringer" when t is a type that a cell declared
// at top level, or a pointer to one, with an Error or a String method in
// its method set, or "". The methods are those of the cells' records, so
// that a method that a later cell added counts.
func (r *rewriter) methodIface(t types.Type) string {
	n := cellNamed(t)
	if n == nil || n.TypeParams().Len() > 0 || n.TypeArgs().Len() > 0 {
		return ""
	}
	if _, isIface := n.Underlying().(*types.Interface); isIface {
		return ""
	}
	_, ptr := t.(*types.Pointer)
	has := func(name string) bool {
		m := r.c.method(n.Obj().Name(), name)
		return m != nil && (ptr || !m.ptrRecv)
	}
	switch {
	case has("Error"):
		return "error"
	case has("String"):
		return "__gkfmt.Stringer"
	}
	return ""
}

// fmtArg is the text that replaces argument a, of type t, or "".
func (r *rewriter) fmtArg(t types.Type, a ast.Expr) string {
	arg := r.text(a)
	text, ok := r.env.text(t)
	if !ok {
		return ""
	}
	conv := func(elem, iface, v string) string {
		return "func(x " + elem + ") " + iface + " { return x }(" + v + ")"
	}
	if iface := r.methodIface(t); iface == "error" {
		return conv(text, iface, arg)
	}
	var elem, key types.Type
	nilCheck := ""
	switch x := t.Underlying().(type) {
	case *types.Slice:
		elem, nilCheck = x.Elem(), "if s == nil { return nil }; "
	case *types.Array:
		elem = x.Elem()
	case *types.Map:
		elem, key = x.Elem(), x.Key()
	default:
		return ""
	}
	iface := r.methodIface(elem)
	if iface == "" {
		return ""
	}
	etext, ok1 := r.env.text(elem)
	ktext, ok2 := r.env.text(key)
	switch {
	case !ok1:
		return ""
	case key == nil:
		return "func(s " + text + ") []" + iface + " { " + nilCheck +
			"out := make([]" + iface + ", 0, len(s)); for i := range s { out = append(out, " + conv(etext, iface, "s[i]") + ") }; return out }(" + arg + ")"
	case ok2:
		return "func(m " + text + ") map[" + ktext + "]" + iface + " { if m == nil { return nil }; " +
			"out := make(map[" + ktext + "]" + iface + ", len(m)); for k := range m { out[k] = " + conv(etext, iface, "m[k]") + " }; return out }(" + arg + ")"
	}
	return ""
}

// fmtRefusal explains why a fmt call cannot print its argument of type t
// right, or is "": t is a struct (or a pointer to one) without a String
// or Error method of its own, with a field whose type has one.
func (r *rewriter) fmtRefusal(t types.Type) string {
	base := t
	if p, ok := t.(*types.Pointer); ok {
		base = p.Elem()
	}
	if r.methodIface(t) != "" || r.methodIface(base) != "" {
		return ""
	}
	st, ok := base.Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	text, ok := r.env.text(t)
	if !ok {
		return ""
	}
	for i := range st.NumFields() {
		f := st.Field(i)
		method := "String"
		switch r.methodIface(f.Type()) {
		case "":
			continue
		case "error":
			method = "Error"
		}
		field := f.Name()
		if f.Embedded() {
			field, _ = r.env.text(f.Type())
		}
		return "fmt cannot use the " + method + " method of field " + field + " of " + text +
			" here: the interpreter (yaegi) would print the field's own fields instead. Print the field itself, give " +
			text + " a " + method + " method, or run the code as a whole program (a cell with func main)"
	}
	return ""
}

// cellType reports whether t is a type that the cells define, other than
// an interface, or a pointer to one: yaegi loses such a type when it
// stores the value in an error.
func (r *rewriter) cellType(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "main" {
		return false
	}
	_, isIface := n.Underlying().(*types.Interface)
	return !isIface
}

// errorsCall refuses errors.As with a target, and errors.Is with a value,
// of a type that the cells define: yaegi loses the type of a value stored
// in an error, so that As panicked and Is answered false.
func (r *rewriter) errorsCall(n *ast.CallExpr) {
	sel, ok := n.Fun.(*ast.SelectorExpr)
	if !ok || len(n.Args) != 2 || r.refusal != nil {
		return
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return
	}
	if o := r.env.lookup(id.Name); o == nil || o.kind != objPkg || o.path != "errors" {
		return
	}
	arg := n.Args[1]
	var t types.Type
	switch sel.Sel.Name {
	case "As":
		u, ok := ast.Unparen(arg).(*ast.UnaryExpr)
		if !ok || u.Op != token.AND {
			return
		}
		t = r.env.typeOf(u.X)
	case "Is":
		t = r.env.typeOf(arg)
	default:
		return
	}
	text, ok := r.env.text(t)
	if !ok || !r.cellType(t) {
		return
	}
	r.refusal = r.c.errAt(r.off(arg.Pos()),
		"errors.%s cannot match %s, a type of this notebook, in the interpreter (yaegi loses the type of a value stored in an error). "+
			"Use a sentinel error (var ErrX = errors.New(\"…\")) with errors.Is, compare err.Error(), or run the code as a whole program (a cell with func main)",
		sel.Sel.Name, text)
}
