package gosrc

import (
	"strconv"
	"strings"
)

// maxResults is how many results of a trailing call Display.Src formats.
const maxResults = 8

// Prelude is yaegi source that the worker evaluates once, right after
// creating the interpreter and loading the standard library symbols. It
// defines what rewritten units and Display.Src call: the min, max and clear
// helpers and the display format. Its names start with __gk, and its
// imports use aliases, so that a cell can still import fmt, reflect and cmp.
// Type parameters are named __gkT too: yaegi v0.16.1 lets a generic
// function's type parameter names leak into the package scope, so a
// parameter named T broke a cell's own type T ("reflect.Type is nil").
const Prelude = `import __gkfmt "fmt"
import __gkhost "gokernel/host"
import __gkreflect "reflect"
import __gkcmp "cmp"

// __gk_dfmt formats up to 8 values: their types, then \x01, then their
// values, separated by \x00. Missing values format as BADINDEX.
const __gk_dfmt = "%[1]T\x00%[2]T\x00%[3]T\x00%[4]T\x00%[5]T\x00%[6]T\x00%[7]T\x00%[8]T\x01%[1]v\x00%[2]v\x00%[3]v\x00%[4]v\x00%[5]v\x00%[6]v\x00%[7]v\x00%[8]v"

func __gk_min[__gkT __gkcmp.Ordered](a, b __gkT) __gkT {
	if a != a {
		return a
	}
	if b != b || b < a {
		return b
	}
	return a
}

func __gk_max[__gkT __gkcmp.Ordered](a, b __gkT) __gkT {
	if a != a {
		return a
	}
	if b != b || b > a {
		return b
	}
	return a
}

// __gk_showN formats any number of values, for calls whose result count
// is unknown; interpreted types lose their String method on the way.
func __gk_showN(vs ...any) string {
	return __gkfmt.Sprintf(__gk_dfmt, vs...)
}

// __gk_defers is the stack of the running cell's deferred calls.
var __gk_defers []func()

func __gk_defer(f func()) { __gk_defers = append(__gk_defers, f) }

func __gk_dropdefers() { __gk_defers = nil }

// __gk_rundefers runs the deferred calls, last first. As in Go, a panic in
// one does not stop the others; the last panic goes on.
func __gk_rundefers() {
	ds := __gk_defers
	__gk_defers = nil
	__gk_runlifo(ds)
}

func __gk_runlifo(ds []func()) {
	if len(ds) == 0 {
		return
	}
	defer __gk_runlifo(ds[:len(ds)-1])
	ds[len(ds)-1]()
}

// __gk_gorecover, deferred first in a goroutine that a cell started (see
// goStmt), hands the goroutine's panic, if any, to the worker.
func __gk_gorecover(pos string) {
	if r := recover(); r != nil {
		__gkhost.GoroutinePanicked(pos, r)
	}
}

// __gk_print and __gk_println are the print and println builtins, as Go's
// runtime formats them.
func __gk_print(a ...any) { print(__gkhost.Sprint(a...)) }

func __gk_println(a ...any) { print(__gkhost.Sprintln(a...)) }

// __gk_recovered is the value of the recover builtin as Go gives it (see
// recoverBuiltin). v itself is returned unless it stands for a runtime
// error, so that a value of a cell's type keeps its type.
func __gk_recovered(v any) any {
	if v == nil {
		return nil // yaegi's nil from recover fails a type assertion
	}
	if r, changed := __gkhost.Recovered(v); changed {
		return r
	}
	return v
}

// __gk_rtype and __gk_rvalue pass on the result of a reflect call that
// the interpreter may answer unlike Go (see reflectCall).
func __gk_rtype(t __gkreflect.Type) __gkreflect.Type { __gkhost.Reflected(); return t }

func __gk_rvalue(v __gkreflect.Value) __gkreflect.Value { __gkhost.Reflected(); return v }

// __gk_assertfail panics as Go's failed type assertion of a value of
// type concrete (of a nil interface when concrete is "") to the interface
// iface, which lacks method missing (see assertIface).
func __gk_assertfail(concrete, iface, missing string) { panic(__gkhost.AssertionError(concrete, iface, missing)) }

// __gk_shift checks a shift count that is not a constant: Go panics on a
// negative one (see checkShift).
func __gk_shift(n int64) uint64 { return __gkhost.ShiftCount(n) }

func __gk_clear(x any) {
	__gkreflect.ValueOf(x).Clear()
}
`

// Format turns the string that one of Display.Srcs evaluated to into the text to
// show: the values separated by ", ", strings quoted. show is false when
// there is nothing to show: the values of a WriteLike call whose error is
// nil.
func (d *Display) Format(raw string) (text string, show bool) {
	types, values, ok := strings.Cut(raw, "\x01")
	if !ok {
		return raw, true
	}
	ts := strings.Split(types, "\x00")
	n := 0
	for n < len(ts) && !strings.HasPrefix(ts[n], "%!") {
		n++
	}
	if n == 0 {
		return "", false
	}
	values = strings.TrimSuffix(values, strings.Repeat("\x00%!v(BADINDEX)", maxResults-n))
	vs := []string{values}
	if n > 1 {
		vs = strings.SplitN(values, "\x00", n)
	}
	if d.WriteLike && ts[min(n, len(vs))-1] == "<nil>" {
		return "", false
	}
	if d.Call && n == 1 && ts[0] == "<nil>" {
		return "", false // a call whose only result is a nil error, such as cmd.Start()
	}
	for i := range vs {
		if i < n && ts[i] == "string" {
			vs[i] = strconv.Quote(vs[i])
		}
	}
	return strings.Join(vs, ", "), true
}
