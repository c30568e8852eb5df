package maps

import (
	"fmt"
	stdmaps "maps"
	"slices"
	"testing"
)

func TestAgainstStd(t *testing.T) {
	for _, m := range []map[string]int{nil, {}, {"a": 1}, {"a": 1, "b": 2, "c": 3}} {
		odd := func(_ string, v int) bool { return v%2 == 1 }
		cases := []struct {
			name      string
			got, want any
		}{
			{"Equal", Equal(m, map[string]int{"a": 1}), stdmaps.Equal(m, map[string]int{"a": 1})},
			{"EqualFunc", EqualFunc(m, map[string]int{"a": 2}, func(a, b int) bool { return a < b }), stdmaps.EqualFunc(m, map[string]int{"a": 2}, func(a, b int) bool { return a < b })},
			{"Clone", fmt.Sprint(Clone(m) == nil, Clone(m)), fmt.Sprint(stdmaps.Clone(m) == nil, stdmaps.Clone(m))},
			{"DeleteFunc", func() map[string]int { c := Clone(m); DeleteFunc(c, odd); return c }(), func() map[string]int { c := stdmaps.Clone(m); stdmaps.DeleteFunc(c, odd); return c }()},
			{"Copy", func() map[string]int { d := map[string]int{"z": 0}; Copy(d, m); return d }(), func() map[string]int { d := map[string]int{"z": 0}; stdmaps.Copy(d, m); return d }()},
			{"Keys", slices.Sorted(Keys(m)), slices.Sorted(stdmaps.Keys(m))},
			{"Values", slices.Sorted(Values(m)), slices.Sorted(stdmaps.Values(m))},
			{"Collect(All)", Collect(All(m)), stdmaps.Collect(stdmaps.All(m))},
			{"Insert", func() map[string]int { d := map[string]int{"a": 9}; Insert(d, All(m)); return d }(), func() map[string]int { d := map[string]int{"a": 9}; stdmaps.Insert(d, stdmaps.All(m)); return d }()},
		}
		for _, c := range cases {
			if got, want := fmt.Sprint(c.got), fmt.Sprint(c.want); got != want {
				t.Errorf("%s(%v) = %s, want %s", c.name, m, got, want)
			}
		}
	}
}
