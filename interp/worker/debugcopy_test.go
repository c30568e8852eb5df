package worker

import (
	"reflect"
	"testing"
	"time"
)

func TestPlainType(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string // "" when Go source cannot name the type without a package
	}{
		{0, "int"},
		{"", "string"},
		{[]float64{}, "[]float64"},
		{map[string][]int{}, "map[string][]int"},
		{[3]bool{}, "[3]bool"},
		{new(int), "*int"},
		{[]any{}, "[]interface {}"},
		{time.Second, ""},
		{struct{ X int }{}, ""},
		{[]time.Duration{}, ""},
		{func() {}, ""},
	} {
		got, ok := plainType(reflect.TypeOf(tc.v))
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("plainType(%T) = %q, %v; want %q", tc.v, got, ok, tc.want)
		}
	}
}

func TestDeclLine(t *testing.T) {
	code := "x := 1\nfunc add(a, b int) int {\n\treturn a + b\n}\ntype P struct{}\nfunc (p *P) Get() int { return 0 }\nfunc Map[T any](xs []T) {}\n"
	for name, want := range map[string]int{"add": 2, "Get": 6, "Map": 7, "x": 0, "missing": 0, "": 0} {
		if got := declLine(code, name); got != want {
			t.Errorf("declLine(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestMainPanicLines(t *testing.T) {
	d := &debugger{plines: []goLine{
		{7, "In[2]/_.go:3:1: panic: main.work(...)"}, // a goroutine's panic
		{5, "In[1]/_.go:3:6: panic: main.put(...)"},
		{5, "In[2]/_.go:1:1: panic: main(...)"},
	}}
	got := d.mainPanicLinesLocked()
	want := []string{"In[1]/_.go:3:6: panic: main.put(...)", "In[2]/_.go:1:1: panic: main(...)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("main thread's panic lines = %q, want %q", got, want)
	}
}
