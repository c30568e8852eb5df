package gosrc

import (
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strings"
)

// This file gives go/types the packages that have neither export data nor
// sources, but whose symbols the interpreter has (gokernel's own packages,
// golang.org/x/sys/unix): it builds a types.Package from the reflect
// values of the symbol table, in yaegi's layout. Such a package lacks
// what reflection cannot hold (generic functions, unexported names), so a
// cell that uses it gets types but no trusted errors.

// reflectPackage builds the package at path, named name, from its symbols.
// Types of other packages come from imp. s.mu is held.
func (s *srcImporter) reflectPackage(path, name string, syms map[string]reflect.Value) (*types.Package, error) {
	pkg := types.NewPackage(path, name)
	s.pkgs[path] = pkg // a type of the package may refer to the package
	s.prefetchLocked(typePaths(syms))
	b := &reflectBuilder{s: s, pkg: pkg, named: map[reflect.Type]*types.Named{}}
	names := make([]string, 0, len(syms))
	for n := range syms {
		names = append(names, n)
	}
	sort.Strings(names)
	scope := pkg.Scope()
	for _, n := range names {
		v := syms[n]
		if strings.HasPrefix(n, "_") || !v.IsValid() || !token.IsExported(n) {
			continue // yaegi's wrapper types
		}
		var obj types.Object
		switch {
		case v.Kind() == reflect.Pointer && v.IsNil(): // (*T)(nil) stands for type T
			t := b.typ(v.Type().Elem())
			if named, ok := t.(*types.Named); ok && named.Obj().Pkg() == pkg {
				obj = named.Obj()
			}
		case isConstValue(v): // an untyped constant
			c := v.Interface().(constant.Value)
			obj = types.NewConst(token.NoPos, pkg, n, untypedOf(c), c)
		case v.CanAddr(): // &pkg.V, a variable
			if t := b.typ(v.Type()); t != nil {
				obj = types.NewVar(token.NoPos, pkg, n, t)
			}
		case v.Kind() == reflect.Func:
			if sig, ok := b.typ(v.Type()).(*types.Signature); ok {
				obj = types.NewFunc(token.NoPos, pkg, n, sig)
			}
		default: // a typed constant
			if t := b.typ(v.Type()); t != nil {
				if c := constOf(v); c != nil {
					obj = types.NewConst(token.NoPos, pkg, n, t, c)
				}
			}
		}
		if obj != nil {
			scope.Insert(obj)
		}
	}
	pkg.MarkComplete()
	return pkg, nil
}

// isConstValue reports whether v holds a go/constant value, which is how
// yaegi's tables give an untyped constant.
func isConstValue(v reflect.Value) bool {
	if v.CanAddr() || !v.CanInterface() {
		return false
	}
	_, ok := v.Interface().(constant.Value)
	return ok
}

// typePaths lists the packages whose named types the symbols use, so that
// their export data is asked for at once.
func typePaths(syms map[string]reflect.Value) []string {
	seen := map[reflect.Type]bool{}
	paths := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		if t.PkgPath() != "" {
			paths[t.PkgPath()] = true
		}
		switch t.Kind() {
		case reflect.Array, reflect.Slice, reflect.Pointer, reflect.Chan:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Func:
			for i := range t.NumIn() {
				walk(t.In(i))
			}
			for i := range t.NumOut() {
				walk(t.Out(i))
			}
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
		for i := range t.NumMethod() {
			walk(t.Method(i).Type)
		}
	}
	for _, v := range syms {
		if v.IsValid() {
			walk(v.Type())
		}
	}
	out := make([]string, 0, len(paths))
	for p := range paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// untypedOf is the untyped type of a constant's kind.
func untypedOf(c constant.Value) types.Type {
	switch c.Kind() {
	case constant.Bool:
		return types.Typ[types.UntypedBool]
	case constant.String:
		return types.Typ[types.UntypedString]
	case constant.Float:
		return types.Typ[types.UntypedFloat]
	case constant.Complex:
		return types.Typ[types.UntypedComplex]
	}
	return types.Typ[types.UntypedInt]
}

// constOf is the value of a typed constant, or nil.
func constOf(v reflect.Value) constant.Value {
	switch v.Kind() {
	case reflect.Bool:
		return constant.MakeBool(v.Bool())
	case reflect.String:
		return constant.MakeString(v.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return constant.MakeInt64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return constant.MakeUint64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return constant.MakeFloat64(v.Float())
	}
	return nil
}

// reflectBuilder turns reflect types into go/types types for one package.
type reflectBuilder struct {
	s     *srcImporter
	pkg   *types.Package
	named map[reflect.Type]*types.Named
}

var basicKinds = map[reflect.Kind]types.BasicKind{
	reflect.Bool: types.Bool, reflect.Int: types.Int, reflect.Int8: types.Int8, reflect.Int16: types.Int16,
	reflect.Int32: types.Int32, reflect.Int64: types.Int64, reflect.Uint: types.Uint, reflect.Uint8: types.Uint8,
	reflect.Uint16: types.Uint16, reflect.Uint32: types.Uint32, reflect.Uint64: types.Uint64,
	reflect.Uintptr: types.Uintptr, reflect.Float32: types.Float32, reflect.Float64: types.Float64,
	reflect.Complex64: types.Complex64, reflect.Complex128: types.Complex128, reflect.String: types.String,
	reflect.UnsafePointer: types.UnsafePointer,
}

// typ converts t, or returns nil when it cannot (a type of a package that
// the importer cannot load).
func (b *reflectBuilder) typ(t reflect.Type) types.Type {
	if t == reflect.TypeFor[error]() {
		return types.Universe.Lookup("error").Type()
	}
	if t.Name() != "" && t.PkgPath() != "" {
		return b.namedType(t)
	}
	return b.structure(t)
}

// structure converts what t is made of, ignoring its name.
func (b *reflectBuilder) structure(t reflect.Type) types.Type {
	if k, ok := basicKinds[t.Kind()]; ok {
		return types.Typ[k]
	}
	switch t.Kind() {
	case reflect.Array:
		if e := b.typ(t.Elem()); e != nil {
			return types.NewArray(e, int64(t.Len()))
		}
	case reflect.Slice:
		if e := b.typ(t.Elem()); e != nil {
			return types.NewSlice(e)
		}
	case reflect.Pointer:
		if e := b.typ(t.Elem()); e != nil {
			return types.NewPointer(e)
		}
	case reflect.Map:
		k, e := b.typ(t.Key()), b.typ(t.Elem())
		if k != nil && e != nil {
			return types.NewMap(k, e)
		}
	case reflect.Chan:
		dir := map[reflect.ChanDir]types.ChanDir{reflect.BothDir: types.SendRecv, reflect.SendDir: types.SendOnly, reflect.RecvDir: types.RecvOnly}[t.ChanDir()]
		if e := b.typ(t.Elem()); e != nil {
			return types.NewChan(dir, e)
		}
	case reflect.Func:
		return b.signature(nil, t, 0)
	case reflect.Struct:
		var fields []*types.Var
		for i := range t.NumField() {
			f := t.Field(i)
			ft := b.typ(f.Type)
			switch {
			case ft == nil && f.IsExported():
				return nil
			case ft == nil: // a cell cannot use it: a stand-in will do
				ft = types.NewStruct(nil, nil)
			}
			fields = append(fields, types.NewField(token.NoPos, b.pkg, f.Name, ft, f.Anonymous))
		}
		return types.NewStruct(fields, nil)
	case reflect.Interface:
		return b.iface(t)
	}
	return nil
}

// signature converts a func type, whose first skip parameters (a method's
// receiver) are left out.
func (b *reflectBuilder) signature(recv *types.Var, t reflect.Type, skip int) *types.Signature {
	var params, results []*types.Var
	for i := skip; i < t.NumIn(); i++ {
		p := b.typ(t.In(i))
		if p == nil {
			return nil
		}
		params = append(params, types.NewParam(token.NoPos, b.pkg, "", p))
	}
	for i := range t.NumOut() {
		r := b.typ(t.Out(i))
		if r == nil {
			return nil
		}
		results = append(results, types.NewParam(token.NoPos, b.pkg, "", r))
	}
	return types.NewSignatureType(recv, nil, nil, types.NewTuple(params...), types.NewTuple(results...), t.IsVariadic())
}

func (b *reflectBuilder) iface(t reflect.Type) types.Type {
	var methods []*types.Func
	for i := range t.NumMethod() {
		m := t.Method(i)
		sig := b.signature(nil, m.Type, 0)
		if sig == nil {
			return nil
		}
		methods = append(methods, types.NewFunc(token.NoPos, b.pkg, m.Name, sig))
	}
	return types.NewInterfaceType(methods, nil).Complete()
}

// namedType is the type named by t: one of the package being built, made
// here with its exported methods, or one of another package, from the
// importer.
func (b *reflectBuilder) namedType(t reflect.Type) types.Type {
	if t.PkgPath() != b.pkg.Path() {
		p, err := b.s.load(t.PkgPath(), "")
		if err == nil {
			if tn, ok := p.Scope().Lookup(t.Name()).(*types.TypeName); ok {
				return tn.Type()
			}
		}
		return nil
	}
	if n, ok := b.named[t]; ok {
		return n
	}
	obj := types.NewTypeName(token.NoPos, b.pkg, t.Name(), nil)
	n := types.NewNamed(obj, nil, nil)
	b.named[t] = n
	u := b.structure(t)
	if u == nil {
		u = types.Typ[types.Invalid]
	}
	n.SetUnderlying(u)
	if t.Kind() == reflect.Interface {
		return n
	}
	for _, mt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := range mt.NumMethod() {
			m := mt.Method(i)
			if mt != t {
				if _, ok := t.MethodByName(m.Name); ok {
					continue // a value method, added already
				}
			}
			rt := types.Type(n)
			if mt != t {
				rt = types.NewPointer(n)
			}
			recv := types.NewVar(token.NoPos, b.pkg, "", rt)
			if sig := b.signature(recv, m.Type, 1); sig != nil {
				n.AddMethod(types.NewFunc(token.NoPos, b.pkg, m.Name, sig))
			}
		}
	}
	return n
}
