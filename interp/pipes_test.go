package interp

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCrashFilter(t *testing.T) {
	const dump = "runtime: goroutine stack exceeds 1000-byte limit\n" +
		"runtime: sp=0x1 stack=[0x0, 0x2]\n" +
		"fatal error: stack overflow\n\n" +
		"runtime stack:\nruntime.throw(...)\n\n" +
		"goroutine 7 gp=0x1 m=2 [running]:\nmain.rec(...)\n\tx.go:1\n"
	const panicDump = "panic: boom [recovered, repanicked]\n\ngoroutine 26 [running]:\nmain.f()\n"
	chunks := func(s string, n int) []string {
		var out []string
		for len(s) > n {
			out = append(out, s[:n])
			s = s[n:]
		}
		return append(out, s)
	}
	tests := []struct {
		name    string
		writes  []string
		wait    bool   // wait for the hold to pass before checking
		release bool   // the worker lived on
		shown   string // what the user sees
		dumped  string // what take returns
		summary []string
	}{
		{"plain text", []string{"hello\n", "world\n"}, false, false, "hello\nworld\n", "", nil},
		{"dump in one piece", []string{"before\n" + dump}, false, false, "before\n", dump,
			[]string{"runtime: goroutine stack exceeds 1000-byte limit", "fatal error: stack overflow"}},
		{"dump in 7-byte writes", chunks("before\n"+dump, 7), false, false, "before\n", dump,
			[]string{"runtime: goroutine stack exceeds 1000-byte limit", "fatal error: stack overflow"}},
		{"dump in 1-byte writes", chunks(dump, 1), false, false, "", dump,
			[]string{"runtime: goroutine stack exceeds 1000-byte limit", "fatal error: stack overflow"}},
		{"a held line that grows into text", []string{"pa", "rty\n"}, false, false, "party\n", "", nil},
		{"panic dump", []string{panicDump}, false, false, "", panicDump, []string{"panic: boom"}},
		{"a lone panic line is shown after the hold", []string{"x\npanic: not really\n"}, true, false, "x\npanic: not really\n", "", nil},
		{"a live worker's dump is shown", []string{panicDump, "after\n"}, false, true, panicDump + "after\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var shown strings.Builder
			c := newCrashFilter(func(s string) { mu.Lock(); shown.WriteString(s); mu.Unlock() })
			for _, w := range tt.writes {
				c.write(w)
			}
			if tt.wait {
				deadline := time.Now().Add(5 * time.Second)
				for {
					mu.Lock()
					got := shown.String()
					mu.Unlock()
					if got == tt.shown || time.Now().After(deadline) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			if tt.release {
				c.release()
			}
			dumped := c.take()
			mu.Lock()
			defer mu.Unlock()
			if shown.String() != tt.shown {
				t.Errorf("shown %q, want %q", shown.String(), tt.shown)
			}
			if dumped != tt.dumped {
				t.Errorf("take() = %q, want %q", dumped, tt.dumped)
			}
			if got := dumpSummary(dumped); strings.Join(got, "|") != strings.Join(tt.summary, "|") {
				t.Errorf("dumpSummary = %q, want %q", got, tt.summary)
			}
		})
	}
}
