package worker

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"unsafe"
)

// maxShown bounds the text of a value in the debugger's Variables panel,
// and maxParts the parts of a slice or map it lists.
const (
	maxShown = 200
	maxParts = 100
)

// yaegiIface is how yaegi holds a value of an interpreted interface type:
// a struct of its own whose field "value" is the dynamic value.
const yaegiIfacePkg = "github.com/traefik/yaegi/interp"

// unwrap returns the dynamic value of v when yaegi holds v as one of its
// interface values; otherwise v. The field is unexported, so it is read
// through its address; a value that has none stays as it is.
func unwrap(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Struct && v.Type().Name() == "valueInterface" && v.Type().PkgPath() == yaegiIfacePkg {
		f := v.FieldByName("value")
		if !f.IsValid() || !f.CanAddr() || f.Type() != reflect.TypeOf(reflect.Value{}) {
			return v
		}
		v = *(*reflect.Value)(unsafe.Pointer(f.UnsafeAddr()))
	}
	return v
}

// show is the text of v for the Variables panel: Go syntax for strings,
// fmt's %v for the rest, cut at maxShown characters.
func show(v reflect.Value) string {
	v = unwrap(v)
	var s string
	switch {
	case !v.IsValid():
		s = "nil"
	case v.Kind() == reflect.String:
		s = strconv.Quote(v.String())
	case (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil():
		s = "nil"
	case v.Kind() == reflect.Interface:
		return show(v.Elem())
	default:
		s = fmt.Sprintf("%v", v)
	}
	if r := []rune(s); len(r) > maxShown {
		s = string(r[:maxShown]) + "…"
	}
	return s
}

// typeName is v's type as the Variables panel shows it.
func typeName(v reflect.Value) string {
	v = unwrap(v)
	if !v.IsValid() {
		return "nil"
	}
	if v.Kind() == reflect.Interface && !v.IsNil() {
		return typeName(v.Elem())
	}
	return v.Type().String()
}

// parts returns the parts of v that the Variables panel can expand to:
// struct fields, slice and array elements, map entries, and what a
// non-nil pointer or interface holds. It returns nil for a value without
// parts.
func parts(v reflect.Value) func() []variable {
	v = unwrap(v)
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		e := v.Elem()
		if ep := parts(e); ep != nil && unwrap(e).Kind() != reflect.Pointer {
			return ep
		}
		return func() []variable { return []variable{{name: "*", v: e}} }
	case reflect.Struct:
		if v.NumField() == 0 {
			return nil
		}
		return func() []variable {
			out := make([]variable, v.NumField())
			for i := range out {
				out[i] = variable{name: v.Type().Field(i).Name, v: v.Field(i)}
			}
			return out
		}
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return nil
		}
		return func() []variable {
			n := min(v.Len(), maxParts)
			out := make([]variable, n)
			for i := range out {
				out[i] = variable{name: "[" + strconv.Itoa(i) + "]", v: v.Index(i)}
			}
			return out
		}
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		return func() []variable {
			var out []variable
			it := v.MapRange()
			for it.Next() {
				out = append(out, variable{name: "[" + show(it.Key()) + "]", v: it.Value()})
			}
			sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
			return out[:min(len(out), maxParts)]
		}
	}
	return nil
}
