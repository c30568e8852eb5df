package interp_test

import (
	"testing"
	"time"
)

// TestInterruptDropsDefers checks that an interrupted cell runs none of
// its top-level deferred calls, as an interrupted Go program runs none,
// and that no later cell runs them.
func TestInterruptDropsDefers(t *testing.T) {
	in := newInterpreter(t, t.TempDir())
	if _, res := run(t, in, 1, "ran := 0"); res.Err != nil {
		t.Fatal(res.Err)
	}
	res, _ := interruptAfter(t, in, 2, "defer func() { ran++ }()\nfor {}", 300*time.Millisecond)
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("result %+v, want an Interrupted error", res.Err)
	}
	for k := 3; k <= 4; k++ {
		_, res = run(t, in, k, "ran")
		if res.Err != nil || res.Value["text/plain"] != "0" {
			t.Errorf("cell %d: ran = %v (%+v), want 0", k, res.Value, res.Err)
		}
	}
	// A cell that ends normally runs them, once.
	run(t, in, 5, "defer func() { ran++ }()")
	_, res = run(t, in, 6, "ran")
	_, res2 := run(t, in, 7, "ran")
	if res.Value["text/plain"] != "1" || res2.Value["text/plain"] != "1" {
		t.Errorf("after a deferred increment: ran = %v then %v, want 1 and 1", res.Value, res2.Value)
	}
}
