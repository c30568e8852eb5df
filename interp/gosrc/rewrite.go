package gosrc

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"
)

// rewriter walks one unit's syntax tree, keeps track of scopes and loops,
// and records the edits that adapt the unit to yaegi:
//
//   - range over an integer becomes a three-clause loop;
//   - range over a function becomes a call with a closure;
//   - min, max and clear become calls of the Prelude's helpers, min and
//     max of constants are computed;
//   - loop variables that closures capture get a per-iteration copy;
//   - a labelled break or continue right in a select case goes in a block;
//   - at top level, generic calls on the right of := are hoisted into a
//     temporary that is declared by copying a plain operand.
type rewriter struct {
	c       *compiler
	p       *parsed
	e       *editor
	env     *env
	unitEnd int // cell offset where the unit ends

	forceInt  bool // treat ranges over operands of unknown type as integer ranges
	funcDepth int  // > 0 inside a function body (or a wrapped top-level statement)
	cellDepth int  // funcDepth at the cell's own level: 1 in a wrapped statement
	// cellDefer is set when the unit is a statement: its defer statements at
	// cellDepth run when the cell ends (see deferStmt).
	cellDefer bool
	defers    bool   // the unit has such a defer
	refusal   *Error // a construct of the unit that cannot run right
	topDefine bool   // the unit is a top-level := or var: hoist generic calls
	// commaOkRHS is the right side of a top-level v, ok := x, which
	// compiler.commaOk walks on its own.
	commaOkRHS ast.Expr
	hoists     []string
	notes      notes

	stack  []ast.Node
	frames []frame
	loops  []loopCtx
	ranges map[*ast.RangeStmt]rangePlan
	// movedInits are the if and switch statements whose init must run
	// before them (see moveInit).
	movedInits map[ast.Stmt]bool
}

// frame records what entering a node pushed, to undo it on leaving.
type frame struct{ scope, loop, fn bool }

// loopCtx is one enclosing statement that break or continue may target.
type loopCtx struct {
	loop    bool // a for or range statement: a continue target
	scope   int  // for loops: the index in env.scopes of the loop's scope
	barrier bool // a function: break and continue do not cross it
	yield   bool // a range over a function, being rewritten into a closure
}

type rangeKind int

const (
	rangeLeave    rangeKind = iota
	rangeIntConst           // range over an untyped integer constant
	rangeInt                // range over an integer value
	rangeFunc               // range over a function
)

type rangePlan struct {
	kind   rangeKind
	params []string // rangeFunc: the yield function's parameter types, as source
}

func (c *compiler) newRewriter(p *parsed, end int, forceInt bool) *rewriter {
	return &rewriter{
		c: c, p: p,
		e:        &editor{file: c.file, code: c.code},
		env:      &env{global: c.global, facts: c.facts, g: p},
		unitEnd:  end,
		forceInt: forceInt,
		ranges:   map[*ast.RangeStmt]rangePlan{},

		movedInits: map[ast.Stmt]bool{},
	}
}

func (r *rewriter) off(p token.Pos) int { return r.p.off(p) }

// text is the source of e with the edits inside it, preceded by its
// position in the cell.
func (r *rewriter) text(e ast.Expr) string { return r.e.orig(r.off(e.Pos()), r.off(e.End())) }

// withHoists is the unit's text, after the statements hoisted out of it.
func (r *rewriter) withHoists(start, end int) string {
	if len(r.hoists) == 0 {
		return r.e.src(start, end)
	}
	return strings.Join(r.hoists, "") + r.e.orig(start, end)
}

func (r *rewriter) temp() string { return "__gk" + strconv.Itoa(r.c.st.nextTemp()) }

// walk visits n and its children, applying the rewrites bottom-up.
func (r *rewriter) walk(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil {
			top := r.stack[len(r.stack)-1]
			r.post(top)
			fr := r.frames[len(r.frames)-1]
			if fr.scope {
				r.env.pop()
			}
			if fr.loop {
				r.loops = r.loops[:len(r.loops)-1]
			}
			if fr.fn {
				r.funcDepth--
			}
			r.stack = r.stack[:len(r.stack)-1]
			r.frames = r.frames[:len(r.frames)-1]
			return false
		}
		r.stack = append(r.stack, n)
		r.frames = append(r.frames, r.pre(n))
		return true
	})
}

func (r *rewriter) parent() ast.Node {
	if len(r.stack) < 2 {
		return nil
	}
	return r.stack[len(r.stack)-2]
}

func (r *rewriter) pre(n ast.Node) frame {
	var fr frame
	scope := func() { r.env.push(); fr.scope = true }
	loop := func(l loopCtx) { r.loops = append(r.loops, l); fr.loop = true }
	switch n := n.(type) {
	case *ast.FuncDecl:
		scope()
		r.funcDepth++
		fr.fn = true
		loop(loopCtx{barrier: true})
		r.declareTypeParams(n.Type.TypeParams)
		r.declareFields(n.Recv)
		r.declareFields(n.Type.Params)
		r.declareFields(n.Type.Results)
	case *ast.FuncLit:
		scope()
		r.funcDepth++
		fr.fn = true
		loop(loopCtx{barrier: true})
		r.declareFields(n.Type.Params)
		r.declareFields(n.Type.Results)
	case *ast.BlockStmt, *ast.IfStmt, *ast.CaseClause, *ast.CommClause:
		scope()
	case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		scope()
		loop(loopCtx{})
	case *ast.ForStmt:
		scope()
		loop(loopCtx{loop: true, scope: len(r.env.scopes) - 1})
	case *ast.RangeStmt:
		plan := r.planRange(n)
		r.ranges[n] = plan
		scope()
		if n.Tok == token.DEFINE {
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok {
					r.env.declareAll(objVar, id)
				}
			}
		}
		loop(loopCtx{loop: true, scope: len(r.env.scopes) - 1, yield: plan.kind == rangeFunc})
	}
	return fr
}

func (r *rewriter) post(n ast.Node) {
	switch n := n.(type) {
	case *ast.BasicLit:
		r.floatLitAsInt(n)
	case *ast.SelectorExpr:
		r.aliasedSourcePkg(n)
		r.promotedPath(n)
	case *ast.UnaryExpr:
		r.negZero(n)
	case *ast.BinaryExpr:
		r.chanCompare(n)
		r.mixedCompare(n)
		if n.Op == token.SHL || n.Op == token.SHR {
			r.checkShift(n.Y)
		}
	case *ast.SwitchStmt:
		r.chanSwitch(n)
		r.nilCase(n)
		r.tagless(n)
		r.moveInit(n)
	case *ast.IfStmt:
		r.moveInit(n)
	case *ast.TypeSwitchStmt:
		r.typeSwitchParam(n)
		r.bindTypeSwitch(n)
	case *ast.TypeAssertExpr:
		r.assertTwin(n)
		r.assertIface(n)
	case *ast.GenDecl:
		r.varOrder(n)
	case *ast.ReturnStmt:
		r.recvReturn(n)
		r.parallelReturn(n)
	case *ast.FuncType:
		r.termConstraint(n.TypeParams, false)
	case *ast.TypeSpec:
		r.termConstraint(n.TypeParams, true)
	case *ast.AssignStmt:
		if (n.Tok == token.SHL_ASSIGN || n.Tok == token.SHR_ASSIGN) && len(n.Rhs) == 1 {
			r.checkShift(n.Rhs[0])
		}
		r.parenLiterals(n.Rhs)
		r.parallelAssign(n)
		r.opAssign(n)
		r.blankRead(n)
		r.recvAssign(n)
		if n.Tok == token.DEFINE && r.env.local() {
			for _, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					r.env.declareAll(objVar, id)
				}
			}
		}
	case *ast.ValueSpec:
		r.parenLiterals(n.Values)
	case *ast.DeclStmt:
		if gd, ok := n.Decl.(*ast.GenDecl); ok && r.env.local() {
			r.declareDecl(gd)
		}
	case *ast.CallExpr:
		r.typeArgs(n)
		r.makeDirChan(n)
		r.builtinCall(n)
		r.fmtCall(n)
		r.errorsCall(n)
		r.reflectCall(n)
	case *ast.DeferStmt:
		if r.cellDefer && r.funcDepth == r.cellDepth {
			r.deferStmt(n)
		} else {
			r.deferClosure(n)
			r.deferArgs(n)
			r.deferInLoop(n)
		}
	case *ast.GoStmt:
		if r.c.st.PlainGo == nil || !r.c.st.PlainGo() {
			r.goStmt(n)
		}
	case *ast.BranchStmt:
		r.branch(n)
		if _, inSelect := r.parent().(*ast.CommClause); inSelect && n.Label != nil {
			// yaegi v0.16.1 loops forever on a labelled break or
			// continue right in a select case; in a block it works.
			start, end := r.off(n.Pos()), r.off(n.End())
			r.e.replace(start, end, "{ "+r.e.src(start, end)+" }", r.unitEnd)
		}
	case *ast.RangeStmt:
		r.rangeStmt(n)
	case *ast.SelectStmt:
		if !r.hostSelect(n) {
			r.selectOrder(n)
		}
	case *ast.CommClause:
		r.commVars(n)
	case *ast.ForStmt:
		var names []string
		if as, ok := n.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			names = identNames(as.Lhs...)
		}
		r.loopVars(n.Body, names)
	}
}

func (r *rewriter) declareFields(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		r.env.declareAll(objVar, f.Names...)
	}
}

func (r *rewriter) declareTypeParams(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		r.env.declareAll(objTypeParam, f.Names...)
	}
}

func (r *rewriter) declareDecl(gd *ast.GenDecl) {
	for _, s := range gd.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			r.env.declare(s.Name.Name, &object{kind: objType, generic: s.TypeParams != nil})
		case *ast.ValueSpec:
			k := objVar
			if gd.Tok == token.CONST {
				k = objConst
			}
			r.env.declareAll(k, s.Names...)
		}
	}
}

func identNames(xs ...ast.Expr) []string {
	var out []string
	for _, x := range xs {
		if id, ok := x.(*ast.Ident); ok && id.Name != "_" {
			out = append(out, id.Name)
		}
	}
	return out
}

// planRange decides how to rewrite a range statement, from the type of its
// operand.
func (r *rewriter) planRange(n *ast.RangeStmt) rangePlan {
	t := r.env.typeOf(n.X)
	if c, ok := r.env.constVal(n.X); ok {
		if c.Kind() == constant.Int && types.Identical(types.Default(t), types.Typ[types.Int]) {
			return rangePlan{kind: rangeIntConst}
		}
	}
	if isInt(t) {
		return rangePlan{kind: rangeInt}
	}
	if t != nil {
		if ft, ok := t.Underlying().(*types.Signature); ok {
			params, ok := r.yieldParams(ft)
			nvars := 0
			if n.Key != nil {
				nvars++
			}
			if n.Value != nil {
				nvars++
			}
			if ok && nvars <= len(params) && simpleBody(n.Body) {
				return rangePlan{kind: rangeFunc, params: params}
			}
			r.notes.rangeFuncComplex = true
		}
		return rangePlan{}
	}
	if n.Value == nil {
		if r.forceInt {
			return rangePlan{kind: rangeInt}
		}
		r.notes.rangeUnknown = true
	} else {
		r.notes.rangeUnknown2 = true
	}
	return rangePlan{}
}

// yieldParams checks that ft is func(yield func(...) bool), with at most
// two parameters of types that the cell can write, and returns them.
func (r *rewriter) yieldParams(ft *types.Signature) ([]string, bool) {
	if ft.TypeParams() != nil || ft.Params().Len() != 1 || ft.Results().Len() != 0 {
		return nil, false
	}
	yt, ok := ft.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok || yt.Results().Len() != 1 || yt.Params().Len() > 2 || yt.Variadic() {
		return nil, false
	}
	if b, ok := yt.Results().At(0).Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
		return nil, false
	}
	var params []string
	for i := range yt.Params().Len() {
		text, ok := r.env.text(yt.Params().At(i).Type())
		if !ok {
			return nil, false
		}
		params = append(params, text)
	}
	return params, true
}

// simpleBody reports whether a loop body can become a closure body:
// no return, goto, defer or labeled break and continue outside nested
// function literals.
func simpleBody(b *ast.BlockStmt) bool {
	ok := true
	ast.Inspect(b, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt, *ast.DeferStmt:
			ok = false
		case *ast.BranchStmt:
			if n.Label != nil || n.Tok == token.GOTO {
				ok = false
			}
		}
		return ok
	})
	return ok
}

func (r *rewriter) rangeStmt(n *ast.RangeStmt) {
	plan := r.ranges[n]
	switch plan.kind {
	case rangeIntConst, rangeInt:
		r.rangeInt(n, plan)
	case rangeFunc:
		r.rangeFunc(n, plan)
		return // closure parameters are per iteration already
	case rangeLeave:
		if n.Tok == token.ASSIGN {
			r.rangeAssign(n)
		}
	}
	if n.Tok == token.DEFINE {
		r.loopVars(n.Body, identNames(n.Key, n.Value))
	}
}

// rangeInt turns "for i := range n {" into "for i := 0; i < n; i++ {".
// A non-constant n is evaluated once, into a temporary declared before the
// loop; i gets n's type from "tmp - tmp".
func (r *rewriter) rangeInt(n *ast.RangeStmt, plan rangePlan) {
	forOff, lb := r.off(n.For), r.off(n.Body.Lbrace)
	xs, xe := r.off(n.X.Pos()), r.off(n.X.End())
	v, tok := "", ":="
	if id, ok := n.Key.(*ast.Ident); n.Key != nil && !(ok && id.Name == "_") {
		v = r.e.src(r.off(n.Key.Pos()), r.off(n.Key.End()))
		if n.Tok == token.ASSIGN {
			// for k = range n leaves k at n-1: count in a temporary
			// and assign k at the start of each iteration.
			counter := r.temp()
			r.e.insert(lb+1, " "+v+" = "+counter+";", r.unitEnd)
			v = counter
		}
	}
	if v == "" {
		v = r.temp()
	}
	var pre, limit, zero string
	if plan.kind == rangeIntConst {
		limit, zero = r.e.orig(xs, xe), "0"
	} else {
		tmp := r.temp()
		pre = tmp + " := " + r.e.orig(xs, xe) + "; "
		limit, zero = tmp, tmp+" - "+tmp
	}
	header := fmt.Sprintf("for %s %s %s; %s < %s; %s++ ", v, tok, zero, v, limit, v)
	start := forOff
	if pre != "" {
		header = r.e.at(forOff) + header
		if lab, ok := r.parent().(*ast.LabeledStmt); ok {
			start = r.off(lab.Pos())
			header = pre + r.e.orig(start, forOff) + header
		} else {
			header = pre + header
		}
	}
	r.e.replace(start, lb, header, r.unitEnd)
}

// rangeFunc turns "for x := range seq {...}" into
// "seq(func(x T) bool {...; return true })"; break and continue in the
// body became return false and return true on the way up.
func (r *rewriter) rangeFunc(n *ast.RangeStmt, plan rangePlan) {
	forOff, lb, rb := r.off(n.For), r.off(n.Body.Lbrace), r.off(n.Body.Rbrace)
	vars := []ast.Expr{n.Key, n.Value}
	var params []string
	assigns := ""
	for i, pt := range plan.params {
		name := "_"
		if vars[i] != nil {
			id, isIdent := vars[i].(*ast.Ident)
			switch {
			case n.Tok == token.DEFINE && isIdent:
				name = id.Name
			case n.Tok == token.ASSIGN:
				name = r.temp()
				assigns += r.e.src(r.off(vars[i].Pos()), r.off(vars[i].End())) + " = " + name + "; "
			}
		}
		params = append(params, name+" "+pt)
	}
	head := r.text(n.X) +
		"(func(" + strings.Join(params, ", ") + ") bool { " + assigns
	r.e.replace(forOff, lb+1, head, r.unitEnd)
	r.e.replace(rb, rb+1, "; return true })", r.unitEnd)
}

// branch rewrites break and continue that leave a range-over-func body.
func (r *rewriter) branch(n *ast.BranchStmt) {
	if n.Label != nil {
		return
	}
	for i := len(r.loops) - 1; i >= 0; i-- {
		l := r.loops[i]
		if l.barrier {
			return
		}
		if n.Tok == token.CONTINUE && !l.loop {
			continue
		}
		if n.Tok != token.CONTINUE && n.Tok != token.BREAK {
			return
		}
		if l.yield {
			text := "return false"
			if n.Tok == token.CONTINUE {
				text = "return true"
			}
			r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
		}
		return
	}
}

// loopVars gives loop variables Go 1.22 semantics where it matters: when a
// closure (or &v) in the body captures them and the body does not assign
// them, the body starts with v := v, on the line of its brace.
func (r *rewriter) loopVars(body *ast.BlockStmt, names []string) {
	if r.funcDepth == 0 || len(names) == 0 || body == nil {
		return
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	if !captures(body, set) || assigns(body, set) {
		return
	}
	// A name the body declares itself (the pre-1.22 idiom i := i)
	// needs no copy, and a copy would clash with it.
	for _, st := range body.List {
		var declared []ast.Expr
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				declared = st.Lhs
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok {
				for _, sp := range gd.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							declared = append(declared, n)
						}
					}
				}
			}
		}
		for _, n := range identNames(declared...) {
			delete(set, n)
		}
	}
	var b strings.Builder
	for _, n := range names {
		if set[n] {
			fmt.Fprintf(&b, " %s := %s;", n, n)
		}
	}
	if b.Len() == 0 {
		return
	}
	r.e.insert(r.off(body.Lbrace)+1, b.String(), r.unitEnd)
}

func captures(body ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if refers(n.Body, names) {
				found = true
			}
			return false
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND && names[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

func refers(n ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			found = found || refers(n.X, names)
			return false
		case *ast.Ident:
			found = found || names[n.Name]
		}
		return !found
	})
	return found
}

func assigns(body ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok && names[id.Name] {
						found = true
					}
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && names[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

// builtinCall rewrites calls of min, max and clear, which yaegi lacks, and
// of print, println, recover and append, which it gets wrong, unless a
// declaration shadows them.
func (r *rewriter) builtinCall(n *ast.CallExpr) {
	id, ok := n.Fun.(*ast.Ident)
	if !ok || !r.env.isBuiltin(id.Name) {
		return
	}
	switch id.Name {
	case "clear":
		r.e.replace(r.off(id.Pos()), r.off(id.End()), "__gk_clear", r.unitEnd)
	case "print", "println":
		r.printBuiltin(id)
	case "recover":
		r.recoverBuiltin(n)
	case "append":
		r.appendArgs(n)
	case "new":
		r.newValue(n)
	case "copy", "delete":
		r.spreadCall(id.Name, n)
	case "len", "cap":
		r.constLen(n)
	case "min", "max":
		if len(n.Args) == 0 || n.Ellipsis.IsValid() {
			return
		}
		if text, ok := r.minmax(n, id.Name); ok {
			r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
		}
	}
}

// minmax builds the replacement of a call n of min or max. Constant
// operands are folded into one (go/types computed them: yaegi's generic
// helper cannot infer a type from constants alone) and moved after the
// other operands, which fix the type. When every operand is constant, the
// folded one gets the call's type. In a top-level := the result goes
// through a temporary, because yaegi cannot give a global the type of a
// generic call's result.
func (r *rewriter) minmax(n *ast.CallExpr, name string) (string, bool) {
	type carg struct {
		val  constant.Value
		text string
	}
	var vars []string
	var consts []carg
	for _, a := range n.Args {
		s, e := r.off(a.Pos()), r.off(a.End())
		if v, ok := r.env.constVal(a); ok && v.Kind() != constant.Bool && v.Kind() != constant.Complex {
			consts = append(consts, carg{v, r.e.src(s, e)})
		} else {
			vars = append(vars, r.e.orig(s, e))
		}
	}
	op := token.LSS
	if name == "max" {
		op = token.GTR
	}
	folded := ""
	var best carg
	if len(consts) > 0 {
		best = consts[0]
		for _, c := range consts[1:] {
			if (c.val.Kind() == constant.String) != (best.val.Kind() == constant.String) {
				return "", false // mismatched kinds: let the interpreter complain
			}
			less, ok := safeCompare(c.val, op, best.val)
			if !ok {
				return "", false
			}
			if less {
				best = c
			}
		}
		folded = "(" + best.text + ")"
	}
	if len(vars) == 0 {
		t := r.env.typeOf(n)
		if t == nil {
			return "", false
		}
		b, basic := t.(*types.Basic)
		switch {
		case basic && b.Kind() == types.UntypedFloat:
			folded = "(" + best.text + " + 0.0)"
		case !isUntyped(t):
			text, ok := r.env.text(t)
			if !ok {
				return "", false
			}
			folded = text + folded
		}
		return folded, true
	}
	seq := vars
	if folded != "" {
		seq = append(seq, folded)
	}
	if len(seq) == 1 {
		return "(" + seq[0] + ")", true
	}
	helper := "__gk_" + name
	nest := func(first string) string {
		acc := first
		for _, x := range seq[1:] {
			acc = helper + "(" + acc + ", " + x + ")"
		}
		return acc
	}
	if r.topDefine && r.funcDepth == 0 {
		tmp := r.temp()
		r.hoists = append(r.hoists, tmp+" := "+seq[0]+"; "+tmp+" = "+nest(tmp)+"; ")
		return tmp, true
	}
	return nest(seq[0]), true
}

// operand is the text of a map or key operand of a rewritten comma-ok
// index; an operand that may have side effects goes into a temporary.
func (r *rewriter) operand(x ast.Expr, b *strings.Builder) string {
	s, e := r.off(x.Pos()), r.off(x.End())
	if simple(x) {
		return r.e.orig(s, e)
	}
	tmp := r.temp()
	fmt.Fprintf(b, "%s := %s; ", tmp, r.e.orig(s, e))
	return tmp
}

func simple(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return simple(x.X)
	case *ast.SelectorExpr:
		return simple(x.X)
	}
	return false
}

// deferStmt turns a defer at the cell's own level into a call that puts the
// deferred call on the cell's defer stack, which the worker runs when the
// cell ends (Plan.Defers): yaegi would run it at the end of the statement's
// own evaluation. As in Go, the function value and the arguments are
// evaluated at the defer statement:
//
//	defer f.Close()   →  __gk_defer(func() func() { __gk1 := f.Close; return func() { __gk1() } }())
func (r *rewriter) deferStmt(n *ast.DeferStmt) {
	caps, body := r.capturedCall(n.Call)
	text := "__gk_defer(func() { " + body + " })"
	if len(caps) > 0 {
		text = "__gk_defer(func() func() { " + strings.Join(caps, "") + "return func() { " + body + " } }())"
	}
	r.defers = true
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}

// capturedCall splits a deferred call into the statements that evaluate
// its function value and arguments now, as Go does at the defer statement
// (caps, such as "__gk3 := x; "), and the call to make later with those
// values (body).
func (r *rewriter) capturedCall(call *ast.CallExpr) (caps []string, body string) {
	capture := func(x ast.Expr) string {
		t := r.temp()
		caps = append(caps, t+" := "+r.text(x)+"; ")
		return t
	}
	fn := r.text(call.Fun)
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
	case *ast.Ident:
		if o := r.env.lookup(f.Name); o != nil && o.kind == objVar {
			fn = capture(call.Fun)
		}
	case *ast.SelectorExpr:
		id, ok := f.X.(*ast.Ident)
		if o := r.env.lookup(identName(id, ok)); o == nil || o.kind != objPkg {
			fn = capture(call.Fun) // a method value: the receiver is evaluated now
		}
	default:
		fn = capture(call.Fun)
	}
	late := len(call.Args) == 1 && call.Ellipsis == token.NoPos
	if late {
		// f(g()) with g returning several values cannot be split.
		inner, isCall := ast.Unparen(call.Args[0]).(*ast.CallExpr)
		late = isCall && len(r.env.results(inner)) != 1
		if late {
			if id, ok := ast.Unparen(inner.Fun).(*ast.Ident); ok && r.env.lookup(id.Name) != nil && r.env.lookup(id.Name).kind == objType {
				late = false // a conversion
			}
		}
	}
	var args []string
	for _, a := range call.Args {
		switch {
		case late:
			args = append(args, r.text(a))
		case isConstant(a):
			args = append(args, r.text(a))
		default:
			args = append(args, capture(a))
		}
	}
	ell := ""
	if call.Ellipsis != token.NoPos {
		ell = "..."
	}
	return caps, fn + "(" + strings.Join(args, ", ") + ell + ")"
}

func identName(id *ast.Ident, ok bool) string {
	if !ok {
		return ""
	}
	return id.Name
}

// isConstant reports whether x is a literal, or a func literal: values
// that evaluating early or late cannot change.
func isConstant(x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.BasicLit, *ast.FuncLit:
		return true
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isConstant(x.X)
	}
	return false
}

// deferInLoop passes the variables of a loop iteration that a deferred
// func literal uses as arguments: yaegi v0.16.1 makes the closure when the
// deferred call runs, so that every call saw the last iteration's values.
//
//	for i := 0; i < 3; i++ { defer func() { print(i) }() }
//	→ for i := 0; i < 3; i++ { defer func(i int) { print(i) }(i) }
//
// It does so only when it knows the type of each such variable, and the
// func literal does not assign to it.
func (r *rewriter) deferInLoop(n *ast.DeferStmt) {
	lit, ok := n.Call.Fun.(*ast.FuncLit)
	if !ok {
		return
	}
	loopScope := -1
	for i := len(r.loops) - 1; i >= 0; i-- {
		if r.loops[i].barrier {
			break
		}
		if r.loops[i].loop {
			loopScope = r.loops[i].scope
			break
		}
	}
	if loopScope < 0 {
		return
	}
	free := freeNames(lit)
	var names []string
	for name := range free {
		for k := len(r.env.scopes) - 1; k >= 0; k-- {
			if _, ok := r.env.scopes[k][name]; ok {
				if k >= loopScope {
					names = append(names, name)
				}
				break
			}
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	set := map[string]bool{}
	for _, name := range names {
		set[name] = true
	}
	if assigns(lit.Body, set) {
		return
	}
	var params []string
	for _, name := range names {
		o := r.env.lookup(name)
		if o == nil || o.kind != objVar {
			return
		}
		t, ok := r.env.text(r.env.freeVarType(lit, name))
		if !ok {
			return
		}
		params = append(params, name+" "+t)
	}
	sep := ""
	if len(lit.Type.Params.List) > 0 {
		sep = ", "
	}
	r.e.insert(r.off(lit.Type.Params.Opening)+1, strings.Join(params, ", ")+sep, r.unitEnd)
	sep = ""
	if len(n.Call.Args) > 0 {
		sep = ", "
	}
	r.e.insert(r.off(n.Call.Lparen)+1, strings.Join(names, ", ")+sep, r.unitEnd)
}
