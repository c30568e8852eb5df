package gosrc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/traefik/yaegi/interp"
)

// TestIsFault runs cells in yaegi and checks how their panics are told
// apart: the cell's own errors, and the interpreter's failures.
func TestIsFault(t *testing.T) {
	w := newTestWorker(t)
	for _, setup := range []string{`import ("bytes"; "strconv")`, "type T struct{ X int }", "func send(c chan uint) { select { case c <- 1: } }", "var p *T", "var b *bytes.Buffer", "a := []int{1}", "i := 5", "var f func()"} {
		if _, err := w.eval(setup); err != nil {
			t.Fatalf("%s: %v", setup, err)
		}
	}
	tests := []struct {
		cell   string
		fault  bool
		goText string // what GoPanicText gives, "" when nothing
	}{
		{cell: `panic("reflect: call of reflect.Value.SetUint on int Value")`}, // the cell's own panic
		{cell: "p.X = 1", goText: "runtime error: invalid memory address or nil pointer dereference"},
		{cell: "f()", goText: "runtime error: invalid memory address or nil pointer dereference"},
		{cell: `b.WriteString("x")`},
		{cell: "a[i]", goText: "runtime error: index out of range"},
		{cell: `strconv.Itoa(1 / (i - 5))`},
		{cell: "send(make(chan uint, 1))", fault: true}, // Go converts the constant 1 to uint
	}
	for _, tt := range tests {
		_, err := w.i.EvalWithContext(context.Background(), tt.cell)
		var p interp.Panic
		if !errors.As(err, &p) {
			t.Errorf("%q: got %v, want a panic", tt.cell, err)
			continue
		}
		msg := fmt.Sprint(p.Value)
		if got := IsFault(msg, p.Stack, false); got != tt.fault {
			t.Errorf("%q (%s): IsFault = %v, want %v", tt.cell, msg, got, tt.fault)
		}
		if got, _ := GoPanicText(msg); got != tt.goText {
			t.Errorf("%q (%s): GoPanicText = %q, want %q", tt.cell, msg, got, tt.goText)
		}
	}
	if IsFault("reflect.Select: value of type int is not assignable to type uint", nil, false) {
		t.Error("IsFault without a stack = true, want false")
	}
}

// TestIsFaultStacks checks stacks taken from Go's test suite under yaegi.
func TestIsFaultStacks(t *testing.T) {
	const nilDeref = "runtime error: invalid memory address or nil pointer dereference"
	stack := func(frames ...string) []byte {
		s := "goroutine 1 [running]:\nruntime/debug.Stack()\n\t/go/src/runtime/debug/stack.go:26\ngithub.com/traefik/yaegi/interp.runCfg.func1()\n\t/x.go:1\npanic({0x1, 0x2})\n\t/go/src/runtime/panic.go:1\nruntime.panicmem(...)\nruntime.sigpanic()\n\t/go/src/runtime/signal_unix.go:1\n"
		for _, f := range frames {
			s += f + "\n\t/somewhere.go:1 +0x1\n"
		}
		return []byte(s)
	}
	tests := []struct {
		name  string
		msg   string
		stack []byte
		want  bool
	}{
		{"nil type in reflect, called by yaegi (ddd.go)", nilDeref,
			stack("reflect.SliceOf({0x0?, 0x0?})", "github.com/traefik/yaegi/interp.(*itype).frameType(0x58baf37b80?)"), true},
		{"runtime.FuncForPC, which knows no interpreted function, gave nil (inline_literal.go)", nilDeref,
			stack("runtime.(*Func).FileLine(0x0?, 0x497833?)", "reflect.Value.call({0xe6dc60?}, {0xefed13, 0x4})", "reflect.Value.Call({0xe6dc60?})", "github.com/traefik/yaegi/interp.callBin.func2()"), true},
		{"the type descriptor of a value yaegi lost (bug348.go)", nilDeref,
			stack("internal/abi.(*Type).Kind(...)", "reflect.convertOp(0xf47ae0, 0x0)", "reflect.Value.Convert({0x0?})", "github.com/traefik/yaegi/interp.genValueAs.func1(0x82a757?)"), true},
		{"reflect without the methods of the cell's types (reflectmethod1.go)", "reflect: Method index out of range",
			stack("reflect.Value.Method({0x1})", "reflect.Value.call({0x1})", "github.com/traefik/yaegi/interp.callBin.func2()"), true},
		{"yaegi's array length from a float constant (bug254.go)", "10 not an Int",
			stack("go/constant.BitLen({0x11784e0?, 0x15d9c544eb00?})", "github.com/traefik/yaegi/interp.constToInt({0x11784e0, 0x15d9c544eb00})"), true},
		{"yaegi's call of a Go function with an argument too many (issue15329.go)", "reflect: Call with too many input arguments",
			stack("reflect.Value.call({0x10e4b40?})", "reflect.Value.Call({0x10e4b40?})", "github.com/traefik/yaegi/interp.callBin.func2({0x10e4b40?})"), true},
		{"the cell's reflect.Value.Call with an argument too many", "reflect: Call with too many input arguments",
			stack("reflect.Value.call({0x10e4b40?})", "reflect.Value.Call({0x10e4b40?})", "reflect.Value.call({0x1})", "reflect.Value.Call({0x1})", "github.com/traefik/yaegi/interp.callBin.func2({0x10e4b40?})"), false},
		{"range over a nil pointer to an array (bug454.go)", "reflect: call of reflect.Value.Len on zero Value",
			stack("reflect.Value.lenNonSlice({0x0?, 0x0?, 0x8743dc?})", "reflect.Value.Len(...)", "github.com/traefik/yaegi/interp._range.func2(0x1be94554420)"), true},
		{"the cell's reflect call", "reflect: call of reflect.Value.SetUint on int Value",
			stack("reflect.flag.mustBe(...)", "reflect.Value.SetUint({0x1})", "reflect.Value.call({0x1})", "github.com/traefik/yaegi/interp.callBin.func2()"), false},
		{"yaegi's own nil dereference", nilDeref, stack("github.com/traefik/yaegi/interp.genValue.func3(0x0)"), true},
		{"a result lost by yaegi's function wrapper (issue52072.go)", "reflect: call of reflect.Value.Set on zero Value",
			stack("reflect.flag.mustBeExportedSlow(0x16e7e00?)", "reflect.flag.mustBeExported(...)", "reflect.Value.Set({0x2e46f01b1ce0?}, {0x0?})", "github.com/traefik/yaegi/interp.genFunctionWrapper.func1.1({0x1709dc0, 0x0, 0x0?})", "reflect.Value.call({0xd91e80?})"), true},
		{"an argument lost by yaegi (issue25897b.go)", "reflect: call of reflect.Value.Interface on zero Value",
			stack("reflect.valueInterface({0x0?, 0x0?, 0x1?}, 0x1?)", "reflect.Value.Interface(...)", "reflect.Value.call({0xefc380?})", "reflect.Value.Call({0xefc380?})", "github.com/traefik/yaegi/interp.callBin.func2()"), true},
		{"the cell's nil pointer", "reflect: call of reflect.Value.Field on zero Value",
			stack("reflect.Value.Field({0x0?, 0x0?})", "reflect.Value.FieldByIndex({0x0?})", "github.com/traefik/yaegi/interp.getIndexSeq.func1()"), false},
		{"a package's nil dereference", nilDeref, stack("bytes.(*Buffer).WriteString(0x0?, {0x1?, 0x0?})", "reflect.Value.call({0xee4dc0?})"), false},
		{"yaegi's own bounds check, on a call of a call's results (issue50672.go)", "runtime error: index out of range [1] with length 1",
			stack("github.com/traefik/yaegi/interp.call.func9(0x1)", "github.com/traefik/yaegi/interp.runCfg(0x1)"), true},
		{"a package's bounds check", "runtime error: slice bounds out of range [:5] with capacity 3",
			stack("bytes.(*Buffer).Truncate(0x1?, 0x5)", "reflect.Value.call({0xee4dc0?})", "github.com/traefik/yaegi/interp.callBin.func2()"), false},
	}
	for _, tt := range tests {
		if got := IsFault(tt.msg, tt.stack, false); got != tt.want {
			t.Errorf("%s: IsFault = %v, want %v", tt.name, got, tt.want)
		}
	}
}
