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
	origin := panicOrigin(stack)
	if origin == "" || strings.HasPrefix(origin, "github.com/traefik/yaegi/interp._panic") {
		return false
	}
	inYaegi := strings.HasPrefix(origin, "github.com/traefik/yaegi/")
	inReflect := strings.HasPrefix(origin, "reflect.")
	if msg == "runtime error: invalid memory address or nil pointer dereference" {
		return inYaegi
	}
	if !inYaegi && !inReflect || userReflect && inReflect {
		return false
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

// panicOrigin is the function that raised the first panic in stack: the
// first frame below the deepest "panic(" line that is not in package
// runtime or log (yaegi reports its own errors with log.Panic).
func panicOrigin(stack []byte) string {
	lines := bytes.Split(stack, []byte("\n"))
	deepest := -1
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("panic(")) {
			deepest = i
		}
	}
	if deepest < 0 {
		return ""
	}
	for _, l := range lines[deepest+1:] {
		if len(l) == 0 || l[0] == '\t' || bytes.HasPrefix(l, []byte("runtime.")) || bytes.HasPrefix(l, []byte("log.")) {
			continue
		}
		return string(l)
	}
	return ""
}

// GoPanicText turns the reflect-flavoured text by which yaegi reports some
// of the cell's own runtime errors into the text that Go gives them. ok is
// false when msg is not one of them.
func GoPanicText(msg string) (text string, ok bool) {
	const nilDeref = "runtime error: invalid memory address or nil pointer dereference"
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
