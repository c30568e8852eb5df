package gosrc

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// floatLitAsInt writes a floating-point literal whose type is an integer
// type, such as 1e16 in a case of a switch on a uint64, as an integer
// literal: yaegi v0.16.1 compares a switch's tag with such a case as
// float64 values, so 10000000000000001 matched the case 1e16. A value
// beyond int64 gets a conversion to its type.
func (r *rewriter) floatLitAsInt(n *ast.BasicLit) {
	if n.Kind != token.FLOAT {
		return
	}
	tv, ok := r.env.facts.typeAt(r.p, n)
	if !ok || tv.Value == nil {
		return
	}
	if b, isBasic := tv.Type.Underlying().(*types.Basic); !isBasic || b.Info()&types.IsInteger == 0 {
		return
	}
	v := constant.ToInt(tv.Value)
	if v.Kind() != constant.Int {
		return
	}
	text := v.ExactString()
	if _, exact := constant.Int64Val(v); !exact {
		// yaegi takes an untyped integer constant for an int64.
		t, ok := r.env.facts.typeText(tv.Type)
		if !ok {
			return
		}
		text = t + "(" + text + ")"
	}
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}
