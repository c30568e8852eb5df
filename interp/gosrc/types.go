package gosrc

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"sync"
)

// This file answers the rewrites' questions about types (range over an
// integer or a function, a channel's element type, a call's results). It
// asks go/types' facts about the cell first (typecheck.go). Where go/types
// knows nothing (no GOROOT sources, a package or name it cannot see), a
// small syntactic guesser looks at declarations: parameters, var and const
// declarations, := from literals, conversions, len and cap, calls of
// functions whose results are written out, fields of structs declared in
// cells. When both fail the type is unknown and the rewrite is not made.

// srcFile is the text that nodes were parsed from, so that the source of
// any node (a type, most often) can be recovered.
type srcFile struct {
	tf  *token.File
	src string
}

func (f *srcFile) text(n ast.Node) string {
	return f.src[f.tf.Offset(n.Pos()):f.tf.Offset(n.End())]
}

// typ is a type expression, with the file it was written in. The zero typ
// means "unknown".
type typ struct {
	x ast.Expr
	f *srcFile
	// untyped marks an untyped constant; x is then its default type.
	untyped bool
	// tt is the type as go/types knows it, when it does.
	tt types.Type
}

func (t typ) known() bool { return t.x != nil }

func (t typ) text() string {
	if t.x == nil {
		return ""
	}
	return t.f.text(t.x)
}

var synthCache sync.Map // type source → typ

// synth parses a type written as text.
func synth(src string) typ {
	if t, ok := synthCache.Load(src); ok {
		return t.(typ)
	}
	fset := token.NewFileSet()
	x, err := parser.ParseExprFrom(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return typ{}
	}
	t := typ{x: x, f: &srcFile{tf: fset.File(x.Pos()), src: src}}
	synthCache.Store(src, t)
	return t
}

func untyped(name string) typ {
	t := synth(name)
	t.untyped = true
	return t
}

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

// object is what the guesser knows about a name.
type object struct {
	kind objKind
	// t is the type of a var or const, the *ast.FuncType of a func, the
	// definition of a type (what follows its name).
	t       typ
	val     constant.Value // a constant's value, when known
	generic bool           // a func or type with type parameters
	path    string         // an imported package's path
	ptrRecv bool           // a method with a pointer receiver
}

var predeclaredTypes = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true,
}

var intTypes = map[string]bool{
	"byte": true, "int": true, "int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
}

// scope is one block's worth of local names.
type scope map[string]*object

// env answers questions about names and types. Locals come from scopes;
// globals from the cell being compiled, then from earlier cells.
type env struct {
	scopes []scope
	global func(name string) *object
	method func(typeName, method string) *object
	pkgSym func(path, name string) string // see State.SymbolType
	f      *srcFile                       // the file expressions are read from
	// facts are go/types' facts about the cell, asked first; g is the
	// group that f holds.
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

func (v *env) here(x ast.Expr) typ { return typ{x: x, f: v.f} }

// typeOf gives the type of expression e, read from v.f: go/types' when it
// knows it, else a guess.
func (v *env) typeOf(e ast.Expr) typ {
	if tv, ok := v.facts.typeAt(v.g, e); ok && !tv.IsVoid() {
		if _, tuple := tv.Type.(*types.Tuple); !tuple {
			if t := v.facts.typOf(tv.Type); t.known() {
				return t
			}
		}
	}
	return v.guess(e)
}

// guess guesses the type of expression e from the source.
func (v *env) guess(e ast.Expr) typ {
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			return untyped("int")
		case token.FLOAT:
			return untyped("float64")
		case token.IMAG:
			return untyped("complex128")
		case token.CHAR:
			return untyped("rune")
		case token.STRING:
			return untyped("string")
		}
	case *ast.Ident:
		if o := v.lookup(e.Name); o != nil {
			switch o.kind {
			case objVar, objConst, objFunc:
				return o.t
			}
			return typ{}
		}
		switch e.Name {
		case "true", "false":
			return untyped("bool")
		case "iota":
			return untyped("int")
		}
	case *ast.ParenExpr:
		return v.typeOf(e.X)
	case *ast.UnaryExpr:
		t := v.typeOf(e.X)
		switch e.Op {
		case token.AND:
			if t.known() {
				return synth("*" + t.text())
			}
		case token.ARROW:
			if ch, ok := v.underlying(t).x.(*ast.ChanType); ok {
				return typ{x: ch.Value, f: v.underlying(t).f}
			}
		case token.NOT:
			return untyped("bool")
		default:
			return t
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return untyped("bool")
		case token.SHL, token.SHR:
			return v.typeOf(e.X)
		}
		x, y := v.typeOf(e.X), v.typeOf(e.Y)
		switch {
		case x.known() && !x.untyped:
			return x
		case y.known() && !y.untyped:
			return y
		case x.known() && y.known():
			if untypedRank(y) > untypedRank(x) {
				return y
			}
			return x
		}
	case *ast.CallExpr:
		if rs := v.results(e); len(rs) == 1 {
			return rs[0]
		}
	case *ast.CompositeLit:
		if e.Type != nil {
			return v.here(e.Type)
		}
	case *ast.FuncLit:
		return v.here(e.Type)
	case *ast.IndexExpr:
		switch u := v.underlying(v.typeOf(e.X)); x := u.x.(type) {
		case *ast.ArrayType:
			return typ{x: x.Elt, f: u.f}
		case *ast.MapType:
			return typ{x: x.Value, f: u.f}
		case *ast.StarExpr:
			if a, ok := v.underlying(typ{x: x.X, f: u.f}).x.(*ast.ArrayType); ok {
				return typ{x: a.Elt, f: v.underlying(typ{x: x.X, f: u.f}).f}
			}
		case *ast.Ident:
			if x.Name == "string" {
				return synth("byte")
			}
		}
	case *ast.SliceExpr:
		t := v.typeOf(e.X)
		switch x := v.underlying(t).x.(type) {
		case *ast.ArrayType:
			if x.Len == nil {
				return t
			}
			return synth("[]" + v.underlying(t).f.text(x.Elt))
		case *ast.Ident:
			if x.Name == "string" {
				return t
			}
		}
	case *ast.StarExpr:
		u := v.underlying(v.typeOf(e.X))
		if p, ok := u.x.(*ast.StarExpr); ok {
			return typ{x: p.X, f: u.f}
		}
	case *ast.SelectorExpr:
		return v.selector(e)
	case *ast.TypeAssertExpr:
		if e.Type != nil {
			return v.here(e.Type)
		}
	}
	return typ{}
}

// untypedRank orders untyped constant kinds: int < rune < float < complex.
func untypedRank(t typ) int {
	if id, ok := t.x.(*ast.Ident); ok {
		switch id.Name {
		case "rune":
			return 1
		case "float64":
			return 2
		case "complex128":
			return 3
		}
	}
	return 0
}

// results gives the result types of a call. A conversion has one result.
func (v *env) results(call *ast.CallExpr) []typ {
	if tv, ok := v.facts.typeAt(v.g, call); ok {
		switch {
		case tv.IsVoid():
			return []typ{}
		case tv.IsType(), tv.IsBuiltin():
		default:
			var ts []types.Type
			if tup, isTuple := tv.Type.(*types.Tuple); isTuple {
				for i := range tup.Len() {
					ts = append(ts, tup.At(i).Type())
				}
			} else {
				ts = []types.Type{tv.Type}
			}
			out := make([]typ, len(ts))
			for i, t := range ts {
				out[i] = v.facts.typOf(t) // unknown when it cannot be written
			}
			return out
		}
	}
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.Ident:
		o := v.lookup(f.Name)
		if o == nil {
			return v.builtinResults(f.Name, call)
		}
		switch o.kind {
		case objType:
			if !o.generic {
				return []typ{v.here(f)}
			}
		case objFunc, objVar:
			if !o.generic {
				return funcResults(v.underlying(o.t))
			}
		}
	case *ast.FuncLit:
		return funcResults(v.here(f.Type))
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.StarExpr, *ast.InterfaceType, *ast.StructType:
		if _, ok := call.Fun.(*ast.StarExpr); !ok { // *T(x) is a dereference
			return []typ{v.here(fun)}
		}
	case *ast.SelectorExpr:
		if t := v.selector(f); t.known() {
			return funcResults(v.underlying(t))
		}
	}
	return nil
}

func (v *env) builtinResults(name string, call *ast.CallExpr) []typ {
	switch name {
	case "clear", "close", "delete", "panic", "print", "println":
		return []typ{}
	case "recover", "complex", "real", "imag":
		return []typ{{}} // one value of a type not worth guessing
	case "len", "cap", "copy":
		return []typ{synth("int")}
	case "new":
		if len(call.Args) == 1 {
			return []typ{synth("*" + v.f.text(call.Args[0]))}
		}
	case "make":
		if len(call.Args) >= 1 {
			return []typ{v.here(call.Args[0])}
		}
	case "append":
		if len(call.Args) >= 1 {
			return []typ{v.typeOf(call.Args[0])}
		}
	case "min", "max":
		var best typ
		for _, a := range call.Args {
			t := v.typeOf(a)
			if !t.known() {
				return nil
			}
			if !t.untyped {
				return []typ{t}
			}
			if !best.known() || untypedRank(t) > untypedRank(best) {
				best = t
			}
		}
		if best.known() {
			return []typ{best}
		}
	}
	if predeclaredTypes[name] {
		return []typ{synth(name)}
	}
	return nil
}

// funcResults lists the results of a function type, one per value.
func funcResults(t typ) []typ {
	ft, ok := t.x.(*ast.FuncType)
	if !ok {
		return nil
	}
	if ft.Results == nil {
		return []typ{}
	}
	var out []typ
	for _, fld := range ft.Results.List {
		n := max(len(fld.Names), 1)
		for range n {
			out = append(out, typ{x: fld.Type, f: t.f})
		}
	}
	return out
}

// selector guesses the type of x.Sel: a struct field or a method.
func (v *env) selector(e *ast.SelectorExpr) typ {
	if id, ok := e.X.(*ast.Ident); ok {
		o := v.lookup(id.Name)
		if o == nil {
			return typ{}
		}
		if o.kind == objPkg {
			if v.pkgSym != nil {
				if s := v.pkgSym(o.path, e.Sel.Name); s != "" {
					return synth(s)
				}
			}
			return typ{}
		}
	}
	return v.member(v.typeOf(e.X), e.Sel.Name, 0)
}

func (v *env) member(t typ, name string, depth int) typ {
	if !t.known() || depth > 4 {
		return typ{}
	}
	if p, ok := t.x.(*ast.StarExpr); ok {
		t = typ{x: p.X, f: t.f}
	}
	if id, ok := ast.Unparen(t.x).(*ast.Ident); ok && v.method != nil {
		if m := v.method(id.Name, name); m != nil {
			return m.t
		}
	}
	u := v.underlying(t)
	if p, ok := u.x.(*ast.StarExpr); ok {
		u = v.underlying(typ{x: p.X, f: u.f})
	}
	st, ok := u.x.(*ast.StructType)
	if !ok || st.Fields == nil {
		return typ{}
	}
	for _, fld := range st.Fields.List {
		for _, n := range fld.Names {
			if n.Name == name {
				return typ{x: fld.Type, f: u.f}
			}
		}
	}
	for _, fld := range st.Fields.List {
		if len(fld.Names) == 0 { // embedded
			if r := v.member(typ{x: fld.Type, f: u.f}, name, depth+1); r.known() {
				return r
			}
		}
	}
	return typ{}
}

// underlying follows type names declared in cells down to a predeclared type
// name or a type literal. It returns the zero typ when it cannot.
func (v *env) underlying(t typ) typ {
	if t.tt != nil {
		if u := v.facts.typOf(t.tt.Underlying()); u.known() {
			return u
		}
	}
	for range 10 {
		switch x := t.x.(type) {
		case nil:
			return typ{}
		case *ast.ParenExpr:
			t.x = x.X
		case *ast.Ident:
			o := v.lookup(x.Name)
			switch {
			case o != nil && o.kind == objType:
				t = o.t
			case o == nil && predeclaredTypes[x.Name]:
				return t
			default:
				return typ{}
			}
		case *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr:
			return typ{}
		default:
			return t
		}
	}
	return typ{}
}

func (v *env) isInt(t typ) bool {
	if t.tt != nil {
		b, ok := t.tt.Underlying().(*types.Basic)
		if ok && b.Kind() != types.Invalid {
			return b.Info()&types.IsInteger != 0
		}
	}
	id, ok := v.underlying(t).x.(*ast.Ident)
	return ok && intTypes[id.Name]
}

// constVal evaluates e as an untyped constant expression. iota is the value
// of iota in a const declaration, or -1 elsewhere.
func (v *env) constVal(e ast.Expr, iota int) (constant.Value, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		c := constant.MakeFromLiteral(e.Value, e.Kind, 0)
		return c, c.Kind() != constant.Unknown
	case *ast.Ident:
		if o := v.lookup(e.Name); o != nil {
			if o.kind == objConst && o.t.untyped && o.val != nil {
				return o.val, true
			}
			return nil, false
		}
		switch e.Name {
		case "true", "false":
			return constant.MakeBool(e.Name == "true"), true
		case "iota":
			if iota >= 0 {
				return constant.MakeInt64(int64(iota)), true
			}
		}
	case *ast.ParenExpr:
		return v.constVal(e.X, iota)
	case *ast.UnaryExpr:
		x, ok := v.constVal(e.X, iota)
		if !ok {
			return nil, false
		}
		switch e.Op {
		case token.ADD, token.SUB, token.XOR, token.NOT:
			return safeConst(func() constant.Value { return constant.UnaryOp(e.Op, x, 0) })
		}
	case *ast.BinaryExpr:
		x, ok1 := v.constVal(e.X, iota)
		y, ok2 := v.constVal(e.Y, iota)
		if !ok1 || !ok2 {
			return nil, false
		}
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return safeConst(func() constant.Value { return constant.MakeBool(constant.Compare(x, e.Op, y)) })
		case token.SHL, token.SHR:
			s, ok := constant.Uint64Val(constant.ToInt(y))
			if !ok || s > 1024 {
				return nil, false
			}
			return safeConst(func() constant.Value { return constant.Shift(x, e.Op, uint(s)) })
		case token.QUO:
			if constant.Sign(y) == 0 {
				return nil, false
			}
			op := e.Op
			if x.Kind() == constant.Int && y.Kind() == constant.Int {
				op = token.QUO_ASSIGN // integer division
			}
			return safeConst(func() constant.Value { return constant.BinaryOp(x, op, y) })
		case token.REM:
			if constant.Sign(y) == 0 {
				return nil, false
			}
		}
		return safeConst(func() constant.Value { return constant.BinaryOp(x, e.Op, y) })
	}
	return nil, false
}

// safeConst runs a go/constant operation, which panics on mismatched kinds.
func safeConst(f func() constant.Value) (c constant.Value, ok bool) {
	defer func() {
		if recover() != nil {
			c, ok = nil, false
		}
	}()
	c = f()
	return c, c != nil && c.Kind() != constant.Unknown
}

// pkgName guesses the name a package is imported under from its path.
func pkgName(path string) string {
	elems := strings.Split(path, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = elems[len(elems)-2]
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	name = strings.TrimPrefix(name, "go-")
	return strings.ReplaceAll(name, "-", "_")
}
