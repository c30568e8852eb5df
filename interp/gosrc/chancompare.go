package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
)

// chanCompare converts the bidirectional operand of a comparison between
// channels of different directions, ch == recvOnly, to the other
// operand's type: yaegi v0.16.1 refuses such a comparison ("mismatched
// types"), which Go allows.
func (r *rewriter) chanCompare(n *ast.BinaryExpr) {
	if n.Op != token.EQL && n.Op != token.NEQ {
		return
	}
	x, y := r.chanType(n.X), r.chanType(n.Y)
	if x == nil || y == nil || types.Identical(x, y) {
		return
	}
	switch {
	case isBidi(x) && !isBidi(y):
		r.convertTo(n.X, y)
	case isBidi(y) && !isBidi(x):
		r.convertTo(n.Y, x)
	}
}

// chanSwitch does the same for a switch on a channel whose cases are
// channels of another direction: yaegi v0.16.1 takes them for unequal.
// The tag, when bidirectional, takes the one direction of the cases, and
// each case whose type differs is converted to the tag's.
func (r *rewriter) chanSwitch(n *ast.SwitchStmt) {
	if n.Tag == nil {
		return
	}
	tag := r.chanType(n.Tag)
	if tag == nil {
		return
	}
	var cases []ast.Expr
	var dir types.Type
	for _, s := range n.Body.List {
		for _, e := range s.(*ast.CaseClause).List {
			t := r.chanType(e)
			if t == nil || types.Identical(t, tag) {
				continue
			}
			if !isBidi(t) {
				if dir != nil && !types.Identical(dir, t) {
					return
				}
				dir = t
			}
			cases = append(cases, e)
		}
	}
	if len(cases) == 0 {
		return
	}
	if isBidi(tag) {
		if dir == nil {
			return
		}
		r.convertTo(n.Tag, dir)
		tag = dir
	}
	for _, e := range cases {
		if t := r.chanType(e); isBidi(t) {
			r.convertTo(e, tag)
		}
	}
}

// chanType is the type of channel e, as go/types gives it, or nil.
func (r *rewriter) chanType(e ast.Expr) types.Type {
	tv, ok := r.env.facts.typeAt(r.p, e)
	if !ok || tv.IsType() {
		return nil
	}
	if _, ok := tv.Type.Underlying().(*types.Chan); !ok {
		return nil
	}
	return tv.Type
}

func isBidi(t types.Type) bool {
	c, ok := t.(*types.Chan) // a named channel type keeps its own identity
	return ok && c.Dir() == types.SendRecv
}

// convertTo wraps e in a conversion to t, when t can be written.
func (r *rewriter) convertTo(e ast.Expr, t types.Type) {
	text, ok := r.env.facts.typeText(t)
	if !ok {
		return
	}
	start, end := r.off(e.Pos()), r.off(e.End())
	r.e.replace(start, end, "("+text+")("+r.e.src(start, end)+")", r.unitEnd)
}

// mixedCompare refuses a comparison of a value of one of the notebook's
// own types that has methods, other than an interface, with a value of the
// empty interface: yaegi v0.16.1 answers such a comparison false even when
// the interface holds that very value (convT2X.go). Without methods, or
// against an interface with methods, it answered right.
func (r *rewriter) mixedCompare(n *ast.BinaryExpr) {
	if (n.Op != token.EQL && n.Op != token.NEQ) || r.refusal != nil {
		return
	}
	x, okx := r.env.facts.typeAt(r.p, n.X)
	y, oky := r.env.facts.typeAt(r.p, n.Y)
	if !okx || !oky || x.IsNil() || y.IsNil() {
		return
	}
	for _, pair := range [][2]types.Type{{x.Type, y.Type}, {y.Type, x.Type}} {
		iface, ok := pair[1].Underlying().(*types.Interface)
		if !ok || !iface.Empty() || types.IsInterface(pair[0]) {
			continue
		}
		named, ok := types.Unalias(pair[0]).(*types.Named)
		if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "main" ||
			types.NewMethodSet(types.NewPointer(named)).Len() == 0 {
			continue
		}
		r.refusal = r.c.errAt(r.off(n.Pos()),
			"comparing a %s, a type of this notebook, with an interface value is answered wrongly by the interpreter (yaegi); "+
				"compare with a type assertion first (v, ok := i.(%s); ok && v == x), or run the code as a whole program (a cell with func main)",
			named.Obj().Name(), named.Obj().Name())
		return
	}
}
