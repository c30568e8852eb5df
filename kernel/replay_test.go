package kernel

import (
	"fmt"
	"testing"
)

func TestSignatureLog(t *testing.T) {
	sig := func(n int) []byte { return fmt.Appendf(nil, "%064x", n) }
	tests := []struct {
		name string
		size int
		adds []int
		want []bool
	}{
		{"new signatures", 4, []int{1, 2, 3}, []bool{true, true, true}},
		{"a repeat is refused", 4, []int{1, 2, 1}, []bool{true, true, false}},
		{"a repeat within the history", 3, []int{1, 2, 3, 1}, []bool{true, true, true, false}},
		{"the oldest is forgotten", 3, []int{1, 2, 3, 4, 1}, []bool{true, true, true, true, true}},
		{"the forgotten one is remembered again", 2, []int{1, 2, 3, 1, 1}, []bool{true, true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newSignatureLog(tt.size)
			for k, n := range tt.adds {
				if got := l.add(sig(n)); got != tt.want[k] {
					t.Errorf("add #%d (signature %d) = %v, want %v", k, n, got, tt.want[k])
				}
			}
			if len(l.seen) > tt.size || len(l.ring) > tt.size {
				t.Errorf("history holds %d signatures (ring %d), more than %d", len(l.seen), len(l.ring), tt.size)
			}
		})
	}
}
