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
