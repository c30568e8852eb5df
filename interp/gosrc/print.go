package gosrc

import (
	"fmt"
	"go/ast"
	"reflect"
	"strconv"
	"strings"
)

// printBuiltin makes a call of the print or println builtin call the
// Prelude's __gk_print or __gk_println, which format their operands as Go's
// runtime does: println(p) with a nil pointer, map, channel or func shows
// 0x0, a slice [len/cap]0xADDR, a nil interface (0x0,0x0), and print puts
// no spaces between its operands. yaegi v0.16.1 formats them as fmt.Print
// does ("<nil>", "[]") and separates print's operands by spaces.
func (r *rewriter) printBuiltin(id *ast.Ident) {
	r.e.replace(r.off(id.Pos()), r.off(id.End()), "__gk_"+id.Name, r.unitEnd)
}

// sprint returns the host function behind __gk_print (ln false) or
// __gk_println (ln true): the text that the builtin writes. The Prelude
// writes it with yaegi's own print, to the interpreter's standard output,
// as yaegi's builtins do (Go's runtime writes to standard error), so that
// it keeps its order with fmt's output.
func sprint(ln bool) func(args ...any) string {
	return func(args ...any) string {
		var b strings.Builder
		for i, a := range args {
			if ln && i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(printText(a))
		}
		if ln {
			b.WriteByte('\n')
		}
		return b.String()
	}
}

// printText formats one operand of print as Go's runtime does. An
// operand whose static type is an interface arrives here as its dynamic
// value; only a nil one is told apart.
func printText(a any) string {
	if a == nil {
		return "(0x0,0x0)"
	}
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Complex64, reflect.Complex128:
		return fmt.Sprint(v.Complex())
	case reflect.String:
		return v.String()
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return fmt.Sprintf("%#x", v.Pointer())
	case reflect.Slice:
		return fmt.Sprintf("[%d/%d]%#x", v.Len(), v.Cap(), v.Pointer())
	case reflect.Struct:
		// yaegi holds a value of a non-empty interface type in a struct
		// of its own; its node is nil when the interface is.
		if t := v.Type(); t.Name() == "valueInterface" && strings.HasPrefix(t.PkgPath(), "github.com/traefik/yaegi/") {
			if n := v.FieldByName("node"); n.IsValid() && n.Kind() == reflect.Pointer {
				if n.IsNil() {
					return "(0x0,0x0)"
				}
				return fmt.Sprintf("(%#x,%#x)", n.Pointer(), n.Pointer())
			}
		}
	}
	return fmt.Sprint(a)
}
