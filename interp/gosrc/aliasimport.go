package gosrc

import "go/ast"

// sourceCopies are the standard packages whose generic functions yaegi
// runs from a source copy of the package (slices.Index, maps.Keys,
// cmp.Compare; gokernel adds more: see symbols.LoadGeneric). yaegi finds
// the copy only through the package's own name: under an alias, as in
// import sl "slices", it looks in the package's table of compiled symbols,
// which has none of them ("package sl "slices" has no symbol Sort").
var sourceCopies = map[string]bool{"slices": true, "maps": true, "cmp": true}

// aliasedSourcePkg rewrites sl.Sort, where sl is an alias of such a
// package, into slices.Sort, so that the interpreter resolves it as it does
// without the alias. It leaves the selector alone when a name in scope
// (a variable, or another package imported as slices) hides the package's
// own name; the interpreter's error then stands.
func (r *rewriter) aliasedSourcePkg(n *ast.SelectorExpr) {
	id, ok := n.X.(*ast.Ident)
	if !ok {
		return
	}
	o := r.env.lookup(id.Name)
	if o == nil || o.kind != objPkg {
		return
	}
	name := o.path
	if !sourceCopies[name] || id.Name == name {
		return
	}
	if own := r.env.lookup(name); own != nil && (own.kind != objPkg || own.path != o.path) {
		return
	}
	r.e.replace(r.off(id.Pos()), r.off(id.End()), name, r.unitEnd)
}
