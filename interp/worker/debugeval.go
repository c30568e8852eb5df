package worker

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
)

// The debugger's evaluator. yaegi cannot compile code into a stopped
// frame, nor run the interpreter while a cell is stopped, so the debugger
// evaluates the expressions of evaluate requests (the watch list, the
// debug console, hovers) itself, over reflect values:
//
//   - names: the stopped frame's locals, the notebook's variables and
//     constants, true, false and nil;
//   - literals, parentheses, selectors (struct fields, pointers followed),
//     index and slice expressions on arrays, slices, strings and maps,
//     pointer indirection and &x;
//   - unary and binary operators on numbers, strings and booleans, with
//     Go's constant rules for untyped literals; == and != on any
//     comparable values;
//   - len and cap, conversions between basic types (int(x), string(r));
//   - calls of functions and methods of compiled packages (strings.ToUpper,
//     time.Duration's String): imported packages are looked up by the name
//     the notebook imported them under.
//
// Functions and methods that cells declared cannot be called: running them
// would need the interpreter, which the stopped cell holds. In the repl
// context (JupyterLab's debug console) a statement "x = expr" assigns to a
// variable, field or element.

// evalEnv is where the evaluator finds names.
type evalEnv struct {
	lookup  func(name string) (reflect.Value, bool) // a local or a notebook variable
	kind    func(name string) string                // what a cell declared name as, or ""
	imports map[string]string                       // package name → import path
	pkg     func(path string) (map[string]reflect.Value, bool)
}

// operand is a value during evaluation: a typed value v, or an untyped
// constant c (a literal), or nil, or the results of a call.
type operand struct {
	v      reflect.Value
	c      constant.Value
	isNil  bool
	multi  []reflect.Value
	binary bool // v is a function of a compiled package, which may be called
}

// errUnsupported says what the evaluator does not do.
var errUnsupported = errors.New("gokernel's debugger evaluates names, literals, selectors, indexing, slicing, " +
	"operators, len, cap, basic conversions and calls of compiled packages' functions")

// evalString evaluates src, an expression or, when repl is set, also an
// assignment "lhs = expr". It returns the value, or the results of a
// call with several.
func (env evalEnv) evalString(src string, repl bool) ([]reflect.Value, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return nil, errors.New("evaluate needs arguments.expression")
	}
	if repl {
		if lhs, rhs, ok := splitAssign(src); ok {
			v, err := env.assign(lhs, rhs)
			if err != nil {
				return nil, err
			}
			return []reflect.Value{v}, nil
		}
	}
	e, err := parser.ParseExpr(src)
	if err != nil {
		return nil, fmt.Errorf("%q is not a Go expression: %w", src, err)
	}
	op, err := env.eval(e)
	if err != nil {
		return nil, err
	}
	if op.multi != nil {
		return op.multi, nil
	}
	v, err := op.value(nil)
	if err != nil {
		return nil, err
	}
	return []reflect.Value{v}, nil
}

// splitAssign splits "lhs = rhs" at its assignment, if src is one.
func splitAssign(src string) (lhs, rhs ast.Expr, ok bool) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+src+"\n}", 0)
	if err != nil {
		return nil, nil, false
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) != 1 {
		return nil, nil, false
	}
	as, isAssign := body[0].(*ast.AssignStmt)
	if !isAssign || as.Tok != token.ASSIGN || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return nil, nil, false
	}
	return as.Lhs[0], as.Rhs[0], true
}

// assign evaluates rhs and stores it in lhs: a variable, a field, an
// element of an array or slice, or a map entry.
func (env evalEnv) assign(lhs, rhs ast.Expr) (reflect.Value, error) {
	r, err := env.eval(rhs)
	if err != nil {
		return reflect.Value{}, err
	}
	if ix, ok := lhs.(*ast.IndexExpr); ok {
		m, err := env.eval(ix.X)
		if err != nil {
			return reflect.Value{}, err
		}
		if mv := deref(m.v); mv.IsValid() && mv.Kind() == reflect.Map {
			if mv.IsNil() {
				return reflect.Value{}, errors.New("assignment to entry in nil map")
			}
			k, err := env.eval(ix.Index)
			if err != nil {
				return reflect.Value{}, err
			}
			kv, err := k.value(mv.Type().Key())
			if err != nil {
				return reflect.Value{}, err
			}
			val, err := r.value(mv.Type().Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			if err := catch(func() { mv.SetMapIndex(kv, val) }); err != nil {
				return reflect.Value{}, fmt.Errorf("cannot assign to %s: %w", exprString(lhs), err)
			}
			return val, nil
		}
	}
	l, err := env.eval(lhs)
	if err != nil {
		return reflect.Value{}, err
	}
	if !l.v.IsValid() || !l.v.CanSet() {
		return reflect.Value{}, fmt.Errorf("cannot assign to %s", exprString(lhs))
	}
	val, err := r.value(l.v.Type())
	if err != nil {
		return reflect.Value{}, err
	}
	if err := catch(func() { l.v.Set(val) }); err != nil {
		return reflect.Value{}, fmt.Errorf("cannot assign to %s: %w", exprString(lhs), err)
	}
	return l.v, nil
}

// exprString is the source of e, for messages.
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.IndexExpr:
		return exprString(e.X) + "[" + exprString(e.Index) + "]"
	case *ast.BasicLit:
		return e.Value
	}
	return fmt.Sprintf("%T", e)
}

// value converts op to a value of type t, or of its own or default type
// when t is nil.
func (op operand) value(t reflect.Type) (reflect.Value, error) {
	switch {
	case op.multi != nil:
		return reflect.Value{}, fmt.Errorf("a call with %d results used as a value", len(op.multi))
	case op.isNil:
		if t == nil {
			return reflect.Value{}, nil
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, fmt.Errorf("cannot use nil as %s", t)
	case op.c != nil:
		if t == nil {
			t = defaultType(op.c)
		}
		return constValue(op.c, t)
	}
	v := op.v
	if t == nil || !v.IsValid() {
		return v, nil
	}
	if t.Kind() == reflect.Interface {
		// A Go interface gets the value inside yaegi's wrapper of an
		// interpreted interface value, not the wrapper.
		if u := unwrap(v); u.IsValid() {
			v = u
		}
	}
	if v.Type().AssignableTo(t) {
		if v.Type() != t {
			nv := reflect.New(t).Elem()
			nv.Set(v)
			return nv, nil
		}
		return v, nil
	}
	if u := unwrap(v); u.IsValid() && u.Type().AssignableTo(t) {
		return u, nil
	}
	return reflect.Value{}, fmt.Errorf("cannot use a %s as %s", typeName(v), t)
}

// defaultType is the type an untyped constant takes by default.
func defaultType(c constant.Value) reflect.Type {
	switch c.Kind() {
	case constant.Bool:
		return reflect.TypeOf(false)
	case constant.String:
		return reflect.TypeOf("")
	case constant.Float:
		return reflect.TypeOf(0.0)
	case constant.Complex:
		return reflect.TypeOf(complex128(0))
	}
	return reflect.TypeOf(0)
}

// constValue converts c to a value of type t, as Go converts an untyped
// constant, refusing one that does not fit.
func constValue(c constant.Value, t reflect.Type) (reflect.Value, error) {
	v := reflect.New(t).Elem()
	bad := fmt.Errorf("cannot use %s as %s", c.ExactString(), t)
	switch t.Kind() {
	case reflect.Bool:
		if c.Kind() != constant.Bool {
			return v, bad
		}
		v.SetBool(constant.BoolVal(c))
	case reflect.String:
		if c.Kind() != constant.String {
			return v, bad
		}
		v.SetString(constant.StringVal(c))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, exact := constant.Int64Val(constant.ToInt(c))
		if !exact || v.OverflowInt(i) {
			return v, bad
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, exact := constant.Uint64Val(constant.ToInt(c))
		if !exact || v.OverflowUint(u) {
			return v, bad
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, _ := constant.Float64Val(constant.ToFloat(c))
		if c.Kind() != constant.Int && c.Kind() != constant.Float {
			return v, bad
		}
		v.SetFloat(f)
	case reflect.Interface:
		d, err := constValue(c, defaultType(c))
		if err != nil || !d.Type().AssignableTo(t) {
			return v, bad
		}
		v.Set(d)
	default:
		return v, bad
	}
	return v, nil
}

// constOf returns v as a constant, when it is a boolean, a number or a
// string.
func constOf(v reflect.Value) (constant.Value, bool) {
	v = unwrap(v)
	if v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
		v = unwrap(v.Elem())
	}
	if !v.IsValid() {
		return nil, false
	}
	switch v.Kind() {
	case reflect.Bool:
		return constant.MakeBool(v.Bool()), true
	case reflect.String:
		return constant.MakeString(v.String()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return constant.MakeInt64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return constant.MakeUint64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return constant.MakeFloat64(v.Float()), true
	}
	return nil, false
}

// deref follows pointers and yaegi's interface wrappers.
func deref(v reflect.Value) reflect.Value {
	for {
		v = unwrap(v)
		if !v.IsValid() || (v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface) || v.IsNil() {
			return v
		}
		v = v.Elem()
	}
}

// basicTypes are the types a conversion may name.
var basicTypes = map[string]reflect.Type{
	"int": reflect.TypeOf(int(0)), "int8": reflect.TypeOf(int8(0)), "int16": reflect.TypeOf(int16(0)),
	"int32": reflect.TypeOf(int32(0)), "rune": reflect.TypeOf(rune(0)), "int64": reflect.TypeOf(int64(0)),
	"uint": reflect.TypeOf(uint(0)), "uint8": reflect.TypeOf(uint8(0)), "byte": reflect.TypeOf(byte(0)),
	"uint16": reflect.TypeOf(uint16(0)), "uint32": reflect.TypeOf(uint32(0)), "uint64": reflect.TypeOf(uint64(0)),
	"uintptr": reflect.TypeOf(uintptr(0)), "float32": reflect.TypeOf(float32(0)), "float64": reflect.TypeOf(0.0),
	"string": reflect.TypeOf(""), "bool": reflect.TypeOf(false),
}

// eval evaluates one expression.
func (env evalEnv) eval(e ast.Expr) (operand, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return env.eval(e.X)
	case *ast.BasicLit:
		c := constant.MakeFromLiteral(e.Value, e.Kind, 0)
		if c.Kind() == constant.Unknown {
			return operand{}, fmt.Errorf("bad literal %s", e.Value)
		}
		return operand{c: c}, nil
	case *ast.Ident:
		return env.ident(e.Name)
	case *ast.SelectorExpr:
		return env.selector(e)
	case *ast.IndexExpr:
		return env.index(e)
	case *ast.SliceExpr:
		return env.slice(e)
	case *ast.StarExpr:
		x, err := env.eval(e.X)
		if err != nil {
			return x, err
		}
		v := unwrap(x.v)
		if !v.IsValid() || v.Kind() != reflect.Pointer {
			return operand{}, fmt.Errorf("cannot indirect %s", exprString(e.X))
		}
		if v.IsNil() {
			return operand{}, errors.New("invalid memory address or nil pointer dereference")
		}
		return operand{v: v.Elem()}, nil
	case *ast.UnaryExpr:
		return env.unary(e)
	case *ast.BinaryExpr:
		return env.binary(e)
	case *ast.CallExpr:
		return env.call(e)
	}
	return operand{}, fmt.Errorf("%s: %w", nodeKind(e), errUnsupported)
}

// nodeKind names an unsupported kind of expression.
func nodeKind(e ast.Expr) string {
	switch e.(type) {
	case *ast.CompositeLit:
		return "composite literals are not evaluated"
	case *ast.FuncLit:
		return "function literals are not evaluated"
	case *ast.TypeAssertExpr:
		return "type assertions are not evaluated"
	}
	return "this expression is not evaluated"
}

// ident evaluates a name: a variable, true, false or nil.
func (env evalEnv) ident(name string) (operand, error) {
	if v, ok := env.lookup(name); ok {
		return operand{v: v}, nil
	}
	switch name {
	case "true", "false":
		return operand{c: constant.MakeBool(name == "true")}, nil
	case "nil":
		return operand{isNil: true}, nil
	case "_":
		return operand{}, errors.New("cannot use _ as value")
	}
	if _, ok := env.imports[name]; ok {
		return operand{}, fmt.Errorf("%s is a package: name one of its functions, variables or constants", name)
	}
	if env.kind != nil {
		switch env.kind(name) {
		case "func":
			return operand{}, fmt.Errorf("%s: functions that cells declare cannot be called while a cell is stopped (the interpreter is busy with it); %w", name, errUnsupported)
		case "type":
			return operand{}, fmt.Errorf("%s is a type: %w", name, errUnsupported)
		}
	}
	return operand{}, fmt.Errorf("undefined: %s (the debugger sees the stopped frame's variables and the notebook's variables and constants)", name)
}

// selector evaluates x.f: a package's symbol, a field (through pointers
// and interface values), or a method of a compiled type.
func (env evalEnv) selector(e *ast.SelectorExpr) (operand, error) {
	if id, ok := e.X.(*ast.Ident); ok {
		if _, isVar := env.lookup(id.Name); !isVar {
			if path, isPkg := env.imports[id.Name]; isPkg {
				syms, found := env.pkg(path)
				if !found {
					return operand{}, fmt.Errorf("package %s is not compiled in: %w", path, errUnsupported)
				}
				v, ok := syms[e.Sel.Name]
				if !ok {
					return operand{}, fmt.Errorf("undefined: %s.%s", id.Name, e.Sel.Name)
				}
				if c, isConst := v.Interface().(constant.Value); isConst {
					return operand{c: c}, nil
				}
				if v.Kind() == reflect.Func {
					return operand{v: v, binary: true}, nil
				}
				if v.Kind() == reflect.Pointer && v.IsNil() && !v.CanAddr() {
					// yaegi exports a type as a nil pointer to it.
					return operand{}, fmt.Errorf("%s.%s is a type: %w", id.Name, e.Sel.Name, errUnsupported)
				}
				return operand{v: v}, nil
			}
		}
	}
	x, err := env.eval(e.X)
	if err != nil {
		return x, err
	}
	name := e.Sel.Name
	v := deref(x.v)
	if v.IsValid() && v.Kind() == reflect.Struct {
		if f := v.FieldByName(name); f.IsValid() {
			return operand{v: f}, nil
		}
	}
	// A method of a compiled type: yaegi gives the types that cells
	// declare no methods that reflect can see.
	for _, r := range []reflect.Value{unwrap(x.v), v} {
		if r.IsValid() && (r.Kind() != reflect.Pointer || !r.IsNil()) {
			if m := r.MethodByName(name); m.IsValid() {
				return operand{v: m, binary: true}, nil
			}
		}
	}
	if !v.IsValid() {
		return operand{}, fmt.Errorf("%s is nil", exprString(e.X))
	}
	return operand{}, fmt.Errorf("%s has no field %s (methods of types that cells declare cannot be called)", exprString(e.X), name)
}

// intOf evaluates e as an index or a length.
func (env evalEnv) intOf(e ast.Expr) (int, error) {
	op, err := env.eval(e)
	if err != nil {
		return 0, err
	}
	v, err := op.value(reflect.TypeOf(0))
	if err != nil {
		if c, ok := constOf(op.v); ok && c.Kind() == constant.Int {
			if i, exact := constant.Int64Val(c); exact {
				return int(i), nil
			}
		}
		return 0, fmt.Errorf("index %s must be an integer", exprString(e))
	}
	return int(v.Int()), nil
}

// indexable evaluates the operand of an index or slice expression: a
// string constant becomes a string value, and a pointer to an array the
// array, as Go indexes and slices through it.
func (env evalEnv) indexable(x ast.Expr) (reflect.Value, error) {
	o, err := env.eval(x)
	if err != nil {
		return reflect.Value{}, err
	}
	v := unwrap(o.v)
	if o.c != nil && o.c.Kind() == constant.String {
		v = reflect.ValueOf(constant.StringVal(o.c))
	}
	if v.IsValid() && v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Array {
		v = v.Elem()
	}
	return v, nil
}

// index evaluates x[i] on an array, slice, string or map; a missing map
// key gives the zero value, as in Go.
func (env evalEnv) index(e *ast.IndexExpr) (operand, error) {
	v, err := env.indexable(e.X)
	if err != nil {
		return operand{}, err
	}
	if !v.IsValid() {
		return operand{}, fmt.Errorf("cannot index %s", exprString(e.X))
	}
	switch v.Kind() {
	case reflect.Map:
		k, err := env.eval(e.Index)
		if err != nil {
			return k, err
		}
		kv, err := k.value(v.Type().Key())
		if err != nil {
			return operand{}, err
		}
		if r := v.MapIndex(kv); r.IsValid() {
			return operand{v: r}, nil
		}
		return operand{v: reflect.Zero(v.Type().Elem())}, nil
	case reflect.Slice, reflect.Array, reflect.String:
		i, err := env.intOf(e.Index)
		if err != nil {
			return operand{}, err
		}
		if i < 0 || i >= v.Len() {
			return operand{}, fmt.Errorf("index out of range [%d] with length %d", i, v.Len())
		}
		return operand{v: v.Index(i)}, nil
	}
	return operand{}, fmt.Errorf("cannot index %s (a %s)", exprString(e.X), typeName(v))
}

// slice evaluates x[lo:hi] on an array, slice or string.
func (env evalEnv) slice(e *ast.SliceExpr) (operand, error) {
	if e.Slice3 {
		return operand{}, fmt.Errorf("3-index slices: %w", errUnsupported)
	}
	v, err := env.indexable(e.X)
	if err != nil {
		return operand{}, err
	}
	if !v.IsValid() || (v.Kind() != reflect.Slice && v.Kind() != reflect.String && !(v.Kind() == reflect.Array && v.CanAddr())) {
		return operand{}, fmt.Errorf("cannot slice %s", exprString(e.X))
	}
	lo, hi := 0, v.Len()
	if e.Low != nil {
		if lo, err = env.intOf(e.Low); err != nil {
			return operand{}, err
		}
	}
	if e.High != nil {
		if hi, err = env.intOf(e.High); err != nil {
			return operand{}, err
		}
	}
	limit := v.Len()
	if v.Kind() == reflect.Slice {
		limit = v.Cap()
	}
	if lo < 0 || hi < lo || hi > limit {
		return operand{}, fmt.Errorf("slice bounds out of range [%d:%d] with capacity %d", lo, hi, limit)
	}
	return operand{v: v.Slice(lo, hi)}, nil
}

// unary evaluates -x, +x, !x, ^x and &x.
func (env evalEnv) unary(e *ast.UnaryExpr) (operand, error) {
	x, err := env.eval(e.X)
	if err != nil {
		return x, err
	}
	if e.Op == token.AND {
		if !x.v.IsValid() || !x.v.CanAddr() {
			return operand{}, fmt.Errorf("cannot take the address of %s", exprString(e.X))
		}
		return operand{v: x.v.Addr()}, nil
	}
	if e.Op != token.SUB && e.Op != token.ADD && e.Op != token.NOT && e.Op != token.XOR {
		return operand{}, fmt.Errorf("operator %s: %w", e.Op, errUnsupported)
	}
	c, t, err := asConst(x)
	if err != nil {
		return operand{}, err
	}
	var r constant.Value
	if err := catch(func() {
		prec := uint(0)
		if t != nil && e.Op == token.XOR && isUnsigned(t) {
			prec = uint(t.Bits())
		}
		r = constant.UnaryOp(e.Op, c, prec)
	}); err != nil {
		return operand{}, fmt.Errorf("operator %s on %s: %w", e.Op, exprString(e.X), err)
	}
	return typed(r, t)
}

// isUnsigned tells whether t is an unsigned integer type.
func isUnsigned(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// asConst returns op as a constant and its type, nil when untyped.
func asConst(op operand) (constant.Value, reflect.Type, error) {
	if op.c != nil {
		return op.c, nil, nil
	}
	if c, ok := constOf(op.v); ok {
		v := unwrap(op.v)
		if v.Kind() == reflect.Interface {
			v = unwrap(v.Elem())
		}
		return c, v.Type(), nil
	}
	return nil, nil, fmt.Errorf("operators apply to numbers, strings and booleans, not to a %s", typeName(op.v))
}

// typed makes c an operand of type t, untyped when t is nil.
func typed(c constant.Value, t reflect.Type) (operand, error) {
	if t == nil {
		return operand{c: c}, nil
	}
	v, err := constValue(c, t)
	if err != nil {
		return operand{}, fmt.Errorf("%s overflows %s", c.ExactString(), t)
	}
	return operand{v: v}, nil
}

// catch turns a panic of f (go/constant panics on a bad operation) into an
// error.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// binary evaluates x op y, with && and || short-circuited as in Go.
func (env evalEnv) binary(e *ast.BinaryExpr) (operand, error) {
	x, err := env.eval(e.X)
	if err != nil {
		return x, err
	}
	if e.Op == token.LAND || e.Op == token.LOR {
		xc, _, err := asConst(x)
		if err != nil || xc.Kind() != constant.Bool {
			return operand{}, fmt.Errorf("%s needs booleans", e.Op)
		}
		if constant.BoolVal(xc) == (e.Op == token.LOR) {
			return operand{c: xc}, nil
		}
		y, err := env.eval(e.Y)
		if err != nil {
			return y, err
		}
		yc, _, err := asConst(y)
		if err != nil || yc.Kind() != constant.Bool {
			return operand{}, fmt.Errorf("%s needs booleans", e.Op)
		}
		return operand{c: yc}, nil
	}
	y, err := env.eval(e.Y)
	if err != nil {
		return y, err
	}
	if e.Op == token.EQL || e.Op == token.NEQ {
		if eq, ok := sameValue(x, y); ok {
			return operand{c: constant.MakeBool(eq == (e.Op == token.EQL))}, nil
		}
	}
	xc, xt, err := asConst(x)
	if err != nil {
		return operand{}, err
	}
	yc, yt, err := asConst(y)
	if err != nil {
		return operand{}, err
	}
	t := xt
	if t == nil {
		t = yt
	}
	shift := e.Op == token.SHL || e.Op == token.SHR
	if xt != nil && yt != nil && xt != yt && !shift {
		return operand{}, fmt.Errorf("mismatched types %s and %s", xt, yt)
	}
	var r constant.Value
	err = catch(func() {
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			r = constant.MakeBool(constant.Compare(xc, e.Op, yc))
			t = nil
		case token.SHL, token.SHR:
			n, ok := constant.Uint64Val(constant.ToInt(yc))
			if !ok {
				panic("bad shift count")
			}
			t = xt
			r = constant.Shift(xc, e.Op, uint(n))
		default:
			op := e.Op
			if (op == token.QUO || op == token.REM) && constant.Sign(yc) == 0 {
				panic("integer divide by zero")
			}
			if op == token.QUO && xc.Kind() == constant.Int && yc.Kind() == constant.Int &&
				(t == nil || t.Kind() != reflect.Float32 && t.Kind() != reflect.Float64) {
				op = token.QUO_ASSIGN // integer division
			}
			r = constant.BinaryOp(xc, op, yc)
		}
	})
	if err != nil {
		return operand{}, fmt.Errorf("%s %s %s: %w", exprString(e.X), e.Op, exprString(e.Y), err)
	}
	return typed(r, t)
}

// sameValue compares two operands that are not both numbers, strings or
// booleans: pointers, nil, structs and the like.
func sameValue(x, y operand) (equal, ok bool) {
	if _, _, err := asConst(x); err == nil {
		if _, _, err := asConst(y); err == nil {
			return false, false
		}
	}
	if y.isNil {
		x, y = y, x
	}
	if x.isNil {
		v := unwrap(y.v)
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func:
			return v.IsNil(), true
		}
		return false, false
	}
	a, b := unwrap(x.v), unwrap(y.v)
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() || !a.Type().Comparable() {
		return false, false
	}
	return a.Equal(b), true
}

// call evaluates len, cap, a conversion to a basic type, or a call of a
// compiled function or method.
func (env evalEnv) call(e *ast.CallExpr) (operand, error) {
	if e.Ellipsis.IsValid() {
		return operand{}, fmt.Errorf("calls with ...: %w", errUnsupported)
	}
	if id, ok := e.Fun.(*ast.Ident); ok {
		if _, shadowed := env.lookup(id.Name); !shadowed {
			switch id.Name {
			case "len", "cap":
				return env.lenCap(id.Name, e.Args)
			}
			if t, isType := basicTypes[id.Name]; isType {
				return env.convert(t, e.Args)
			}
		}
	}
	f, err := env.eval(e.Fun)
	if err != nil {
		return f, err
	}
	fv := f.v
	if !fv.IsValid() || fv.Kind() != reflect.Func {
		return operand{}, fmt.Errorf("%s is not a function", exprString(e.Fun))
	}
	if !f.binary {
		return operand{}, fmt.Errorf("%s: functions that cells declare cannot be called while a cell is stopped (the interpreter is busy with it); %w", exprString(e.Fun), errUnsupported)
	}
	ft := fv.Type()
	if len(e.Args) < ft.NumIn()-btoi(ft.IsVariadic()) || (!ft.IsVariadic() && len(e.Args) != ft.NumIn()) {
		return operand{}, fmt.Errorf("%s takes %d arguments, not %d", exprString(e.Fun), ft.NumIn(), len(e.Args))
	}
	args := make([]reflect.Value, len(e.Args))
	for k, a := range e.Args {
		op, err := env.eval(a)
		if err != nil {
			return op, err
		}
		pt := reflect.Type(nil)
		if ft.IsVariadic() && k >= ft.NumIn()-1 {
			pt = ft.In(ft.NumIn() - 1).Elem()
		} else {
			pt = ft.In(k)
		}
		if args[k], err = op.value(pt); err != nil {
			return operand{}, fmt.Errorf("argument %d of %s: %w", k+1, exprString(e.Fun), err)
		}
		if args[k].Kind() == reflect.Func {
			return operand{}, fmt.Errorf("argument %d of %s: functions cannot be passed: %w", k+1, exprString(e.Fun), errUnsupported)
		}
	}
	var out []reflect.Value
	if err := catch(func() { out = fv.Call(args) }); err != nil {
		return operand{}, fmt.Errorf("%s panicked: %w", exprString(e.Fun), err)
	}
	switch len(out) {
	case 0:
		return operand{multi: []reflect.Value{}}, nil
	case 1:
		return operand{v: out[0]}, nil
	}
	return operand{multi: out}, nil
}

// btoi is 1 for true, 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lenCap evaluates len(x) or cap(x).
func (env evalEnv) lenCap(name string, args []ast.Expr) (operand, error) {
	if len(args) != 1 {
		return operand{}, fmt.Errorf("%s takes one argument", name)
	}
	x, err := env.eval(args[0])
	if err != nil {
		return x, err
	}
	if x.c != nil && x.c.Kind() == constant.String && name == "len" {
		return operand{v: reflect.ValueOf(len(constant.StringVal(x.c)))}, nil
	}
	v := unwrap(x.v)
	if v.IsValid() && v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Array {
		v = v.Elem()
	}
	if !v.IsValid() {
		return operand{}, fmt.Errorf("invalid argument for %s", name)
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Chan:
		if name == "cap" {
			return operand{v: reflect.ValueOf(v.Cap())}, nil
		}
		return operand{v: reflect.ValueOf(v.Len())}, nil
	case reflect.String, reflect.Map:
		if name == "len" {
			return operand{v: reflect.ValueOf(v.Len())}, nil
		}
	}
	return operand{}, fmt.Errorf("invalid argument: %s of a %s", name, typeName(v))
}

// convert converts the one argument to the basic type t.
func (env evalEnv) convert(t reflect.Type, args []ast.Expr) (operand, error) {
	if len(args) != 1 {
		return operand{}, fmt.Errorf("conversion to %s takes one argument", t)
	}
	x, err := env.eval(args[0])
	if err != nil {
		return x, err
	}
	if x.c != nil {
		if t.Kind() == reflect.String && x.c.Kind() == constant.Int {
			i, _ := constant.Int64Val(x.c)
			return operand{v: reflect.ValueOf(string(rune(i)))}, nil
		}
		if v, err := constValue(x.c, t); err == nil {
			return operand{v: v}, nil
		}
		x.v, _ = constValue(x.c, defaultType(x.c))
	}
	v := unwrap(x.v)
	if !v.IsValid() || !v.Type().ConvertibleTo(t) {
		return operand{}, fmt.Errorf("cannot convert %s to %s", exprString(args[0]), t)
	}
	return operand{v: v.Convert(t)}, nil
}
