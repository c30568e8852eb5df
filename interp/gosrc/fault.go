package gosrc

import (
	"bytes"
	"strings"
)

// InterpreterFault is the message shown for a panic that the interpreter
// raised in its own code, on a construct it miscompiled: see [IsFault].
const InterpreterFault = "the interpreter failed on this construct; run it as a whole program"

// faultTexts are panic messages that no Go program raises on its own, but
// yaegi does when it gets a construct wrong: reflect calls with the wrong
// kinds or types, types it could not build.
var faultTexts = []string{
	"nil reflect type",
	"reflect.Type is nil",
	"interp.valueInterface",
	"reflect.StructOf:",
	"reflect.Select:",
	"reflect: Method index out of range",
	"reflect.Value.Convert: value of type interface {}",
	"reflect.Set: value of type",
	"reflect.Value.MapIndex: value of type",
	"using unaddressable value",
	"reflect: call of MakeFunc",
	" not an Int", // go/constant, on a float constant that yaegi takes for an integer
	// Go's own bounds checks in yaegi's code: yaegi indexes the cell's
	// slices through reflect, whose messages differ.
	"runtime error: index out of range [",
	"runtime error: slice bounds out of range [",
}

// IsFault reports whether a panic that the interpreter returned was raised
// by the interpreter's own code, not by the cell: msg is the panic value
// as text, stack the host stack of the goroutine that recovered it (where
// the deepest "panic(" frame is the first panic). userReflect says that
// the cell's session imported reflect, whose own panics then may be the
// cell's.
//
// A fault is a panic in yaegi's code, or in reflect called by yaegi, whose
// message no Go program produces by itself (a reflect call with the wrong
// kind of value, "reflect.Type is nil"), or a nil pointer dereference in
// yaegi's own code. A panic that the cell raised (its panic calls, a
// package function it called) is never a fault, nor are the reflect
// messages by which yaegi reports the cell's own nil dereferences and
// index errors.
func IsFault(msg string, stack []byte, userReflect bool) bool {
	frames := panicFrames(stack)
	if len(frames) == 0 || strings.HasPrefix(frames[0], "github.com/traefik/yaegi/interp._panic") {
		return false
	}
	// yaegi's own code raised it, or reflect called by yaegi's code
	// directly (not through reflect.Value.Call, by which yaegi calls the
	// functions that the cell calls).
	const yaegi = "github.com/traefik/yaegi/"
	if strings.Contains(msg, "reflect: Method index out of range") {
		// reflect sees none of the methods of the cell's types.
		return true
	}
	if strings.HasSuffix(msg, " on zero Value") {
		return lostValue(frames, userReflect) || lenOfNilArray(msg, frames) || zeroByYaegi(frames)
	}
	if msg == nilDeref && strings.HasPrefix(frames[0], "runtime.(*Func).") {
		// runtime.FuncForPC knows none of the interpreter's functions.
		return true
	}
	if (msg == nilDeref || msg == "reflect.Value.Call: call of nil function") && len(frames) > 2 &&
		strings.HasPrefix(frames[0], "reflect.Value.call(") &&
		strings.HasPrefix(frames[1], "reflect.Value.Call(") && strings.HasPrefix(frames[2], "github.com/traefik/yaegi/interp.runCfg.func1(") {
		// yaegi's runner of deferred calls called a nil function: the
		// panic escapes the deferred calls that would recover it.
		return true
	}
	if strings.HasPrefix(msg, "reflect: Call with too ") {
		return wrongArgCount(frames)
	}
	byYaegi := strings.HasPrefix(frames[0], yaegi)
	// When the cell uses reflect itself, its calls reach reflect through
	// reflect.Value.call, as all its calls of Go functions do: a reflect
	// frame right under one of yaegi's own is yaegi's doing.
	if !byYaegi && reflectFrame(frames[0]) {
		for _, f := range frames {
			if strings.HasPrefix(f, "reflect.Value.call(") {
				break
			}
			if !reflectFrame(f) {
				byYaegi = strings.HasPrefix(f, yaegi)
				break
			}
		}
	}
	if !byYaegi {
		return false
	}
	if msg == nilDeref {
		return true
	}
	for _, t := range faultTexts {
		if strings.Contains(msg, t) {
			return true
		}
	}
	// "reflect: call of reflect.Value.SetUint on int Value": a value of
	// the wrong kind ("on zero Value" is a nil pointer of the cell's).
	if rest, ok := strings.CutPrefix(msg, "reflect: call of reflect.Value."); ok {
		return !strings.HasSuffix(rest, " on zero Value")
	}
	return false
}

const nilDeref = "runtime error: invalid memory address or nil pointer dereference"

// reflectFrame tells whether a stack frame belongs to reflect, or to the
// runtime's type descriptors that reflect reads.
func reflectFrame(f string) bool {
	return strings.HasPrefix(f, "reflect.") || strings.HasPrefix(f, "internal/abi.") || strings.HasPrefix(f, "go/constant.")
}

// wrongArgCount tells whether reflect's "Call with too many (few) input
// arguments" came from yaegi calling a Go function with the wrong number
// of arguments (one reflect.Value.call under yaegi's callBin), rather than
// from the cell's own reflect.Value.Call (a second one, for the call of
// its method Call).
func wrongArgCount(frames []string) bool {
	calls := 0
	for _, f := range frames {
		if strings.HasPrefix(f, "reflect.Value.call(") {
			calls++
		}
		if !reflectFrame(f) {
			return calls == 1 && strings.HasPrefix(f, "github.com/traefik/yaegi/interp.callBin")
		}
	}
	return false
}

// lenOfNilArray tells whether a reflect call on a zero Value is yaegi
// taking the length of a nil pointer to an array, in len or range: Go
// takes it from the type, and so does not panic there.
func lenOfNilArray(msg string, frames []string) bool {
	if !strings.HasPrefix(msg, "reflect: call of reflect.Value.Len ") {
		return false
	}
	for _, f := range frames {
		if !reflectFrame(f) {
			return strings.HasPrefix(f, "github.com/traefik/yaegi/interp._range") ||
				strings.HasPrefix(f, "github.com/traefik/yaegi/interp._len")
		}
	}
	return false
}

// zeroByYaegi tells whether a reflect call on a zero Value comes from a
// step of yaegi that meets no nil pointer of the cell's in Go: a type
// assertion (Go panics with a TypeAssertionError on a nil interface, not
// a nil dereference), or the array of a range over a pointer to an array,
// whose length Go takes from the type.
func zeroByYaegi(frames []string) bool {
	for _, f := range frames {
		if !reflectFrame(f) {
			return strings.HasPrefix(f, "github.com/traefik/yaegi/interp.typeAssert") ||
				strings.HasPrefix(f, "github.com/traefik/yaegi/interp.genValueRangeArray")
		}
	}
	return false
}

// lostValue tells whether a reflect call on a zero Value, which is how
// yaegi meets the cell's nil pointers, is rather a value that yaegi lost:
// one that its wrapper of an interpreted function returns to Go code, or
// an argument of a function that the cell calls (unless the cell uses
// reflect, whose own calls look the same).
func lostValue(frames []string, userReflect bool) bool {
	for _, f := range frames {
		switch {
		case strings.HasPrefix(f, "github.com/traefik/yaegi/interp.genFunctionWrapper"):
			return true
		case strings.HasPrefix(f, "reflect.Value.call("):
			return !userReflect
		case !strings.HasPrefix(f, "reflect."):
			return false
		}
	}
	return false
}

// panicFrames lists the functions on the stack from the one that raised
// the first panic (the deepest "panic(" line) down, without the runtime's
// panic machinery and yaegi's log.Panic.
func panicFrames(stack []byte) []string {
	lines := bytes.Split(stack, []byte("\n"))
	deepest := -1
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("panic(")) {
			deepest = i
		}
	}
	if deepest < 0 {
		return nil
	}
	var out []string
	for _, l := range lines[deepest+1:] {
		if len(l) == 0 || l[0] == '\t' {
			continue
		}
		f := string(l)
		if len(out) == 0 && (strings.HasPrefix(f, "runtime.panic") || strings.HasPrefix(f, "runtime.sigpanic") ||
			strings.HasPrefix(f, "runtime.gopanic") || strings.HasPrefix(f, "log.Panic")) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// GoPanicText turns the reflect-flavoured text by which yaegi reports some
// of the cell's own runtime errors into the text that Go gives them. ok is
// false when msg is not one of them.
func GoPanicText(msg string) (text string, ok bool) {
	switch {
	case strings.HasPrefix(msg, "reflect: call of reflect.Value.") && strings.HasSuffix(msg, " on zero Value"),
		msg == "reflect.Value.Call: call of nil function",
		msg == "reflect: Method on nil interface value":
		return nilDeref, true
	case msg == "reflect: slice index out of range", msg == "reflect: array index out of range",
		msg == "reflect: string index out of range":
		return "runtime error: index out of range", true
	}
	return "", false
}

// FaultHint says, for some of the panics that [IsFault] blames on the
// interpreter, which construct it could not run; "" when it has nothing to
// add.
func FaultHint(msg string) string {
	switch {
	case strings.Contains(msg, "reflect: Method index out of range"):
		return "reflect does not see the methods of types declared in cells (Method, MethodByName, NumMethod)."
	case strings.HasPrefix(msg, "reflect: call of reflect.Value.Len "):
		return "the interpreter takes the length of a nil pointer to an array from the pointer, where Go takes it from the type."
	}
	return ""
}
