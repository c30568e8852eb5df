package gosrc

import (
	"fmt"
	"go/ast"
	"reflect"
	"strings"
)

// recoverBuiltin makes a call of the recover builtin pass its value
// through the Prelude's __gk_recovered, which turns the panics by which
// yaegi v0.16.1 meets the cell's runtime errors into runtime errors, as
// Go's recover returns them (see goRecovered). recover itself is still
// called by the deferred function, as Go requires. A session that
// imports reflect is left alone: its own reflect calls may raise the same
// panics, which Go's recover returns as they are.
func (r *rewriter) recoverBuiltin(n *ast.CallExpr) {
	if len(n.Args) != 0 || r.c.importsReflect() {
		return
	}
	r.e.insert(r.off(n.Pos()), "__gk_recovered(", r.unitEnd)
	r.e.insert(r.off(n.End()), ")", r.unitEnd)
}

// importsReflect tells whether the session or the cell imports reflect
// under a name of its own.
func (c *compiler) importsReflect() bool {
	for _, d := range []decls{c.pending, c.sn.decls} {
		for name, path := range d.imports.all() {
			if path == "reflect" && !strings.HasPrefix(name, "__gk") {
				return true
			}
		}
	}
	return false
}

// nilDerefValue is the value that Go's recover returns after a nil
// dereference, taken from the host's own runtime.
var nilDerefValue = func() (v any) {
	defer func() { v = recover() }()
	var p *int
	return *p
}()

// A runtimeError is a runtime error of the cell's that yaegi reported in
// its own words, in Go's words as far as they are known: Go's message for
// an index out of range names the index and the length, which yaegi's
// does not. Reading the message calls read, unless nil.
type runtimeError struct {
	msg  string
	read func()
}

func (e runtimeError) Error() string {
	if e.read != nil {
		e.read()
	}
	return e.msg
}

// RuntimeError marks it as a runtime.Error.
func (runtimeError) RuntimeError() {}

// goRecovered returns the value that Go's recover would return for v, the
// value that yaegi's returned, and whether it differs from v. When Go's
// message is not known in full (the numbers of an index error, the type
// names of a failed type assertion), reading it calls inexact.
func goRecovered(v any, inexact func()) (goV any, changed bool) {
	var msg string
	switch x := v.(type) {
	case *reflect.ValueError:
		if x.Kind == reflect.Invalid {
			return nilDerefValue, true
		}
		return v, false
	case string:
		msg = x
	case reflect.Value:
		// yaegi recovers a value that a host function gave panic as its
		// reflect.Value: the Prelude's failed assertions (see
		// assertionError) are given back as the runtime errors they are.
		if x.IsValid() && x.CanInterface() {
			if re, ok := x.Interface().(runtimeError); ok {
				return re, true
			}
		}
		return v, false
	case error:
		if fmt.Sprintf("%T", x) != "*interp.cfgError" {
			return v, false
		}
		msg = x.Error()
	default:
		return v, false
	}
	switch msg {
	case "reflect.Value.Call: call of nil function", "reflect: Method on nil interface value":
		return nilDerefValue, true
	case "reflect: slice index out of range", "reflect: array index out of range", "reflect: string index out of range":
		return runtimeError{"runtime error: index out of range", inexact}, true
	case "reflect.Value.Slice: slice index out of bounds", "reflect.Value.Slice: string slice index out of bounds",
		"reflect.Value.Slice3: slice index out of bounds":
		return runtimeError{"runtime error: slice bounds out of range", inexact}, true
	}
	// A failed type assertion: "In[2]/_.go:3:4: interface conversion: ...".
	if i := strings.Index(msg, ": interface conversion: "); i >= 0 && strings.Contains(msg[:i], "_.go:") {
		return runtimeError{msg[i+2:], inexact}, true
	}
	return v, false
}

// assertionError is the value that a failed type assertion of a value of
// type concrete to the interface iface panics with, in Go's words: iface
// lacks method missing, or the value is a nil interface when concrete is
// "" (see assertIface).
func assertionError(concrete, iface, missing string) error {
	if concrete == "" {
		return runtimeError{msg: "interface conversion: interface is nil, not " + iface}
	}
	return runtimeError{msg: "interface conversion: " + concrete + " is not " + iface + ": missing method " + missing}
}
