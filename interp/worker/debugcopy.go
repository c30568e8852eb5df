package worker

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"reflect"
	"regexp"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/beacceaf/gokernel/interp/gosrc"
)

// copyToGlobals, as ipykernel has it: JupyterLab's Variables panel offers
// "Copy to globals" on a variable of the stopped frame, and sends
// srcVariableName, dstVariableName (the same name) and srcFrameId. The
// value is copied at once (a Go copy: later changes to the local do not
// show). When the notebook already has a variable of that name and a
// type that takes the value, it is set there and then. Otherwise the
// variable is declared when the stopped cell ends: yaegi cannot declare
// a variable while a cell runs. Until then the Globals scope lists it.

// globalCopy is a copy that waits to be declared as a notebook variable.
type globalCopy struct {
	name, typ string // the variable and its type, as Go source
	v         reflect.Value
}

// copyToGlobals answers copyToGlobals with the copied value, as
// ipykernel answers it with its setExpression response.
func (d *debugger) copyToGlobals(a dapArgs) (any, error) {
	switch {
	case a.SrcVariableName == "":
		return nil, errors.New("copyToGlobals needs arguments.srcVariableName")
	case a.DstVariableName == "":
		return nil, errors.New("copyToGlobals needs arguments.dstVariableName")
	case a.SrcFrameID == nil:
		return nil, errors.New("copyToGlobals needs arguments.srcFrameId")
	case !token.IsIdentifier(a.DstVariableName) || a.DstVariableName == "_":
		return nil, fmt.Errorf("copyToGlobals: %q is not a name for a variable", a.DstVariableName)
	}
	d.mu.Lock()
	stopped := len(d.stops) > 0 || d.pstop != nil
	known := *a.SrcFrameID >= 1 && *a.SrcFrameID <= len(d.frames)
	d.mu.Unlock()
	if !stopped {
		return nil, fmt.Errorf("copyToGlobals: %w", errNotStopped)
	}
	if !known {
		return nil, fmt.Errorf("copyToGlobals: no frame %d", *a.SrcFrameID)
	}
	vals, err := d.env(a.SrcFrameID).evalString(a.SrcVariableName, false)
	if err != nil {
		return nil, fmt.Errorf("copyToGlobals: %w", err)
	}
	if len(vals) != 1 || !vals[0].IsValid() {
		return nil, fmt.Errorf("copyToGlobals: %s has no single value", a.SrcVariableName)
	}
	src := vals[0]
	var v reflect.Value
	if err := catch(func() { v = reflect.New(src.Type()).Elem(); v.Set(src) }); err != nil {
		return nil, fmt.Errorf("copyToGlobals: %s cannot be copied: %w", a.SrcVariableName, err)
	}
	name := a.DstVariableName
	if n, ok := d.w.sess.state.Lookup(name); ok {
		if n.Kind != "var" {
			return nil, fmt.Errorf("copyToGlobals: %s is a %s of the notebook, not a variable", name, n.Kind)
		}
		g, ok := d.w.sess.i.Globals()[name]
		if !ok || !g.CanSet() || !v.Type().AssignableTo(g.Type()) {
			return nil, fmt.Errorf("copyToGlobals: the notebook's %s is a %s, which cannot hold a %s", name, typeName(g), typeName(v))
		}
		g.Set(v)
		return d.copied(g), nil
	}
	typ, err := d.typeSource(a.SrcVariableName, a.SrcFrameID, v.Type())
	if err != nil {
		return nil, fmt.Errorf("copyToGlobals: %w", err)
	}
	d.mu.Lock()
	kept := d.copies[:0]
	for _, c := range d.copies {
		if c.name != name {
			kept = append(kept, c)
		}
	}
	d.copies = append(kept, globalCopy{name: name, typ: typ, v: v})
	d.mu.Unlock()
	return d.copied(v), nil
}

// copied is copyToGlobals's answer, a setExpression response's body.
func (d *debugger) copied(v reflect.Value) map[string]any {
	dv := d.dapVars([]variable{{name: "", v: v}})[0]
	return map[string]any{"value": dv["value"], "type": dv["type"], "variablesReference": dv["variablesReference"]}
}

// mainPrefix is the package that yaegi gives the types cells declare.
var mainPrefix = regexp.MustCompile(`\bmain\.`)

// typeSource spells the type of the value of src for a declaration: the
// type yaegi knows the variable by (a type a cell declared keeps its
// name), or else t when Go source can name it without a package.
func (d *debugger) typeSource(src string, frame *int, t reflect.Type) (string, error) {
	if f := d.frameAt(frame); f != nil && token.IsIdentifier(src) {
		for _, sc := range frameScopes(f) {
			if s := declaredType(sc, src); s != "" {
				return s, nil
			}
		}
	}
	if s, ok := plainType(t); ok {
		return s, nil
	}
	return "", fmt.Errorf("the type of %s (%s) cannot be named in a cell", src, t)
}

// yaegiTypeName reads the type of variable name in scope sc from yaegi's
// symbol tables: sc's frame's scope, and its block scopes within the same
// function, as yaegi's debugger lists variables. They are all unexported,
// so they are read with reflect, which may read them; "" when any step is
// missing.
func yaegiTypeName(sc *interp.DebugFrameScope, name string) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	f := reflect.ValueOf(sc).Elem().FieldByName("frame")
	scope := f.Elem().FieldByName("debug").Elem().FieldByName("scope")
	return scopeTypeName(scope, scope.Elem().FieldByName("def").Pointer(), name)
}

// scopeTypeName finds name in scope (a *scope) or its children of the same
// function def.
func scopeTypeName(scope reflect.Value, def uintptr, name string) string {
	if scope.IsNil() || scope.Elem().FieldByName("def").Pointer() != def {
		return ""
	}
	sym := scope.Elem().FieldByName("sym").MapIndex(reflect.ValueOf(name))
	if sym.IsValid() && !sym.IsNil() {
		if typ := sym.Elem().FieldByName("typ"); !typ.IsNil() {
			if str := typ.Elem().FieldByName("str").String(); !strings.Contains(str, "untyped") {
				return str
			}
		}
	}
	kids := scope.Elem().FieldByName("child")
	for k := 0; k < kids.Len(); k++ {
		if s := scopeTypeName(kids.Index(k), def, name); s != "" {
			return s
		}
	}
	return ""
}

// plainType spells t when it is built from predeclared types only.
func plainType(t reflect.Type) (string, bool) {
	if t.PkgPath() != "" {
		return "", false // a named type of a package
	}
	ok := true
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer, reflect.Chan:
		_, ok = plainType(t.Elem())
	case reflect.Map:
		_, k := plainType(t.Key())
		_, e := plainType(t.Elem())
		ok = k && e
	case reflect.Struct, reflect.Func, reflect.UnsafePointer:
		ok = false
	case reflect.Interface:
		ok = t.NumMethod() == 0
	}
	if !ok {
		return "", false
	}
	return t.String(), true
}

// declareCopies declares, as the notebook's variables, the copies that
// copyToGlobals made while the cell was stopped, now that it has ended.
// It returns what went wrong, for the cell's output.
func (s *session) declareCopies(cell string) []string {
	d := s.w.dbg
	d.mu.Lock()
	copies := d.copies
	d.copies = nil
	d.mu.Unlock()
	var problems []string
	for _, c := range copies {
		if err := s.declare(cell, c); err != nil {
			problems = append(problems, fmt.Sprintf("gokernel debugger: copying %s to the notebook's variables: %v\n", c.name, err))
		}
	}
	return problems
}

// declare declares c.name with c's type and value, outside the debugger.
func (s *session) declare(cell string, c globalCopy) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if _, ok := s.state.Lookup(c.name); !ok {
		plan, err := gosrc.Compile(cell, "var "+c.name+" "+c.typ+"\n", s.state)
		if err != nil {
			return err
		}
		for _, u := range plan.Units {
			p, err := s.i.Compile(u.Src)
			if err != nil {
				return err
			}
			if _, err := s.i.ExecuteWithContext(context.Background(), p); err != nil {
				return err
			}
			s.state.Commit(u)
		}
	}
	g, ok := s.i.Globals()[c.name]
	if !ok || !g.CanSet() || !c.v.Type().AssignableTo(g.Type()) {
		return fmt.Errorf("the variable %s (%s) cannot hold a %s", c.name, typeName(g), typeName(c.v))
	}
	g.Set(c.v)
	return nil
}
