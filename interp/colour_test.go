package interp

import (
	"reflect"
	"testing"
)

func TestColourTraceback(t *testing.T) {
	const r, b, x = ansiRed, ansiBold, ansiReset
	tests := []struct {
		in, want []string
	}{
		{[]string{"In[3]:1:15: undefined: fmt", "hint: import it"},
			[]string{b + "In[3]:1:15" + x + ": " + r + "undefined: fmt" + x, "hint: import it"}},
		{[]string{"panic: boom", "", "goroutine 1 [running]:", "main.main()", "\tIn[5]:7"},
			[]string{r + "panic" + x + ": boom", "", "goroutine 1 [running]:", "main.main()", "\t" + b + "In[5]:7" + x}},
		{[]string{"panic: x", "In[7]:1:15: panic: main.boom(...)"},
			[]string{r + "panic" + x + ": x", b + "In[7]:1:15" + x + ": panic: main.boom(...)"}},
		{[]string{"WorkerDied: the Go worker process died"},
			[]string{r + "WorkerDied" + x + ": the Go worker process died"}},
		{[]string{"something odd"}, []string{r + "something odd" + x}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		if got := colourTraceback(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("colourTraceback(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
