package worker

import "testing"

func TestCellPositions(t *testing.T) {
	tests := []struct {
		msg      string
		unitLine int
		want     string
	}{
		{"2:5: undefined: x", 1, "In[3]:1:5: undefined: x"},
		{"_.go:4:1: expected '}', found 'EOF'", 3, "In[3]:5:1: expected '}', found 'EOF'"},
		{"3:10: cannot use \"s\" (type stringT) as type intT in return argument", 10, "In[3]:11:10: cannot use \"s\" (type stringT) as type intT in return argument"},
		{"_.go:2:1: a\n_.go:3:2: b", 1, "In[3]:1:1: a\nIn[3]:2:2: b"},
		{"no position here", 1, "no position here"},
	}
	for _, tt := range tests {
		if got := cellPositions(tt.msg, "In[3]", tt.unitLine); got != tt.want {
			t.Errorf("cellPositions(%q, %d) = %q, want %q", tt.msg, tt.unitLine, got, tt.want)
		}
	}
}
