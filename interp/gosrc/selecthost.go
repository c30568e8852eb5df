package gosrc

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strings"
)

// hostSelect makes a select statement choose its case through the host's
// Select (see [HostSymbols]) instead of yaegi's. yaegi v0.16.1 keeps one
// list of cases per select statement and fills it in place each time the
// statement runs, so two goroutines that run the same select at once, as
// a pool of workers does, could each wait on or send the other's operands:
// values went twice to one receiver, or both goroutines waited forever
// (ken/chan.go). The host builds the cases afresh on every run:
//
//	select {                  { __gk1 := c; var __gk2 T; __gk3 := out; var __gk4 U = x
//	case v, ok := <-c:        switch __gk5, __gk6 := __gkhost.Select("rs", __gk1, &__gk2, __gk3, &__gk4); __gk5 {
//		use(v, ok)        →   case 0: v, ok := __gk2, __gk6; use(v, ok)
//	case out <- x:            case 1:
//	}                         } }
//
// The operands are evaluated once, in source order, before the choice, as
// in Go. A break in a case leaves the switch as it left the select. An
// interrupt ends the wait, and yaegi then stops the goroutine. A select
// whose channel or value types go/types does not know stays as it is, and
// so does one in a generic function whose channel's element type is a type
// parameter.
// It reports whether it rewrote n.
func (r *rewriter) hostSelect(n *ast.SelectStmt) bool {
	if r.funcDepth == 0 || len(n.Body.List) == 0 {
		return false
	}
	var pre, cases strings.Builder
	dirs := make([]byte, 0, len(n.Body.List))
	var args []string
	chosen, okVar := r.temp(), r.temp()
	for i, s := range n.Body.List {
		cc := s.(*ast.CommClause)
		var set string // what the case assigns before its statements
		switch c := cc.Comm.(type) {
		case nil:
			dirs = append(dirs, 'd')
			args = append(args, "nil", "nil")
		case *ast.SendStmt:
			elem, ok := r.chanElem(c.Chan)
			if !ok {
				return false
			}
			ch, v := r.temp(), r.temp()
			pre.WriteString(ch + " := " + r.text(c.Chan) + "; var " + v + " " + elem + " = " + r.text(c.Value) + "; ")
			dirs = append(dirs, 's')
			args = append(args, ch, "&"+v)
		case *ast.ExprStmt:
			u, ok := ast.Unparen(c.X).(*ast.UnaryExpr)
			if !ok || u.Op != token.ARROW {
				return false
			}
			if _, ok := r.chanElem(u.X); !ok {
				return false
			}
			ch := r.temp()
			pre.WriteString(ch + " := " + r.text(u.X) + "; ")
			dirs = append(dirs, 'r')
			args = append(args, ch, "nil")
		case *ast.AssignStmt:
			u, ok := ast.Unparen(c.Rhs[0]).(*ast.UnaryExpr)
			if !ok || u.Op != token.ARROW || len(c.Lhs) > 2 {
				return false
			}
			elem, ok := r.chanElem(u.X)
			if !ok {
				return false
			}
			ch, v := r.temp(), r.temp()
			pre.WriteString(ch + " := " + r.text(u.X) + "; var " + v + " " + elem + "; ")
			dirs = append(dirs, 'r')
			args = append(args, ch, "&"+v)
			values := v
			if len(c.Lhs) == 2 {
				values += ", " + okVar
			}
			lhs := make([]string, len(c.Lhs))
			for k, l := range c.Lhs {
				lhs[k] = r.text(l)
			}
			set = " " + strings.Join(lhs, ", ") + " " + c.Tok.String() + " " + values + ";"
		default:
			return false
		}
		fmt.Fprintf(&cases, "case %d:%s%s", i, set, r.e.orig(r.off(cc.Colon)+1, r.off(cc.End())))
		if !strings.HasSuffix(cases.String(), "\n") {
			cases.WriteString("\n") // not ";": yaegi skips the next case's statements after "case 0: ;"
		}
	}
	start := r.off(n.Pos())
	label := ""
	if l, ok := r.parent().(*ast.LabeledStmt); ok && l.Stmt == n {
		start, label = r.off(l.Pos()), l.Label.Name+": "
	}
	text := "{ " + pre.String() + label + "switch " + chosen + ", " + okVar + " := __gkhost.Select(" +
		fmt.Sprintf("%q", dirs) + ", " + strings.Join(args, ", ") + "); " + chosen + " {\n" + cases.String() +
		"} }"
	r.e.replace(start, r.off(n.End()), text, r.unitEnd)
	return true
}

// chanElem is the element type of channel expression c, as source, when
// go/types knows it and it is not a type parameter, which yaegi's
// generic functions would have to declare a variable of.
func (r *rewriter) chanElem(c ast.Expr) (string, bool) {
	tv, ok := r.env.facts.typeAt(r.p, c)
	if !ok {
		return "", false
	}
	ct, ok := tv.Type.Underlying().(*types.Chan)
	if !ok {
		return "", false
	}
	if _, isParam := ct.Elem().(*types.TypeParam); isParam {
		return "", false
	}
	return r.env.facts.typeText(ct.Elem())
}

// hostSelectFunc is the host's Select: dirs has one letter per case, r
// for a receive, s for a send and d for default, and ops two operands per
// case: the channel, and a pointer to the variable that receives the value
// or holds the value to send (nil when a receive's value is not used).
// It returns the index of the case that ran, with the ok of a receive, or
// -1 when the running cell was interrupted.
func hostSelectFunc(interrupted func() <-chan struct{}) func(dirs string, ops ...any) (int, bool) {
	return func(dirs string, ops ...any) (int, bool) {
		cases := make([]reflect.SelectCase, len(dirs), len(dirs)+1)
		for i := range len(dirs) {
			switch dirs[i] {
			case 'd':
				cases[i].Dir = reflect.SelectDefault
			case 'r':
				cases[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ops[2*i])}
			case 's':
				cases[i] = reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(ops[2*i]),
					Send: reflect.ValueOf(ops[2*i+1]).Elem()}
			}
		}
		if interrupted != nil {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(interrupted())})
		}
		i, v, ok := reflect.Select(cases)
		if i == len(dirs) {
			return -1, false
		}
		if dirs[i] == 'r' && ops[2*i+1] != nil && v.IsValid() {
			reflect.ValueOf(ops[2*i+1]).Elem().Set(v)
		}
		return i, ok
	}
}
