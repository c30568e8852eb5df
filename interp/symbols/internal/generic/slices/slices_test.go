package slices

import (
	"cmp"
	"fmt"
	"math"
	stdslices "slices"
	"strings"
	"testing"
)

// TestAgainstStd runs each function and its standard counterpart on the
// same inputs and compares the printed results.
func TestAgainstStd(t *testing.T) {
	nan := math.NaN()
	inputs := [][]int{nil, {}, {1}, {3, 1, 2}, {5, 5, 1, 1, 1, 9, 5}, {2, 2}}
	byDiff := func(a, b int) int { return a - b }
	even := func(v int) bool { return v%2 == 0 }
	for _, in := range inputs {
		cases := []struct {
			name      string
			got, want func() any
		}{
			{"Equal", func() any { return Equal(in, []int{3, 1, 2}) }, func() any { return stdslices.Equal(in, []int{3, 1, 2}) }},
			{"Compare", func() any { return Compare(in, []int{3, 1}) }, func() any { return stdslices.Compare(in, []int{3, 1}) }},
			{"CompareFunc", func() any { return CompareFunc(in, []int{3, 1, 2, 0}, byDiff) }, func() any { return stdslices.CompareFunc(in, []int{3, 1, 2, 0}, byDiff) }},
			{"Index", func() any { return Index(in, 1) }, func() any { return stdslices.Index(in, 1) }},
			{"ContainsFunc", func() any { return ContainsFunc(in, even) }, func() any { return stdslices.ContainsFunc(in, even) }},
			{"Insert", func() any { return Insert(Clone(in), len(in), 7, 8) }, func() any { return stdslices.Insert(stdslices.Clone(in), len(in), 7, 8) }},
			{"Delete", func() any { return Delete(Clone(in), 0, len(in)/2) }, func() any { return stdslices.Delete(stdslices.Clone(in), 0, len(in)/2) }},
			{"DeleteFunc", func() any { return DeleteFunc(Clone(in), even) }, func() any { return stdslices.DeleteFunc(stdslices.Clone(in), even) }},
			{"Replace", func() any { return Replace(Clone(in), 0, len(in)/2, 4, 4, 4) }, func() any { return stdslices.Replace(stdslices.Clone(in), 0, len(in)/2, 4, 4, 4) }},
			{"Clone", func() any { return fmt.Sprint(Clone(in) == nil, Clone(in)) }, func() any { return fmt.Sprint(stdslices.Clone(in) == nil, stdslices.Clone(in)) }},
			{"Compact", func() any { return Compact(Clone(in)) }, func() any { return stdslices.Compact(stdslices.Clone(in)) }},
			{"Grow", func() any { g := Grow(in, 10); return cap(g)-len(g) >= 10 && Equal(g, in) }, func() any { return true }},
			{"Reverse", func() any { c := Clone(in); Reverse(c); return c }, func() any { c := stdslices.Clone(in); stdslices.Reverse(c); return c }},
			{"Concat", func() any { return Concat(in, in) }, func() any { return stdslices.Concat(in, in) }},
			{"Sort", func() any { c := Clone(in); Sort(c); return fmt.Sprint(c, IsSorted(c), IsSorted(in)) }, func() any {
				c := stdslices.Clone(in)
				stdslices.Sort(c)
				return fmt.Sprint(c, stdslices.IsSorted(c), stdslices.IsSorted(in))
			}},
			{"BinarySearch", func() any { c := Sorted(Values(in)); return fmt.Sprint(BinarySearch(c, 5)) }, func() any {
				return fmt.Sprint(stdslices.BinarySearch(stdslices.Sorted(stdslices.Values(in)), 5))
			}},
			{"BinarySearchFunc", func() any { c := Sorted(Values(in)); return fmt.Sprint(BinarySearchFunc(c, 2, byDiff)) }, func() any {
				return fmt.Sprint(stdslices.BinarySearchFunc(stdslices.Sorted(stdslices.Values(in)), 2, byDiff))
			}},
			{"Repeat", func() any { return Repeat(in, 3) }, func() any { return stdslices.Repeat(in, 3) }},
			{"All", func() any {
				var b strings.Builder
				All(in)(func(i, v int) bool { fmt.Fprint(&b, i, v); return true })
				return b.String()
			}, func() any {
				var b strings.Builder
				for i, v := range stdslices.All(in) {
					fmt.Fprint(&b, i, v)
				}
				return b.String()
			}},
			{"Backward", func() any {
				var b strings.Builder
				Backward(in)(func(i, v int) bool { fmt.Fprint(&b, i, v); return i > 1 })
				return b.String()
			}, func() any {
				var b strings.Builder
				for i, v := range stdslices.Backward(in) {
					fmt.Fprint(&b, i, v)
					if i <= 1 {
						break
					}
				}
				return b.String()
			}},
			{"Chunk", func() any {
				var b [][]int
				Chunk(in, 2)(func(c []int) bool { b = append(b, c); return true })
				return b
			}, func() any {
				var b [][]int
				for c := range stdslices.Chunk(in, 2) {
					b = append(b, c)
				}
				return b
			}},
			{"SortedStableFunc", func() any { return SortedStableFunc(Values(in), func(a, b int) int { return a%2 - b%2 }) }, func() any {
				return stdslices.SortedStableFunc(stdslices.Values(in), func(a, b int) int { return a%2 - b%2 })
			}},
		}
		if len(in) > 0 {
			cases = append(cases, []struct {
				name      string
				got, want func() any
			}{
				{"MinMax", func() any { return fmt.Sprint(Min(in), Max(in)) }, func() any { return fmt.Sprint(stdslices.Min(in), stdslices.Max(in)) }},
				{"MinMaxFunc", func() any { return fmt.Sprint(MinFunc(in, byDiff), MaxFunc(in, byDiff)) }, func() any {
					return fmt.Sprint(stdslices.MinFunc(in, byDiff), stdslices.MaxFunc(in, byDiff))
				}},
			}...)
		}
		for _, c := range cases {
			got, want := fmt.Sprint(c.got()), fmt.Sprint(c.want())
			if got != want {
				t.Errorf("%s(%v) = %s, want %s", c.name, in, got, want)
			}
		}
	}

	floats := []float64{2, nan, -1}
	if got, want := fmt.Sprint(Min(floats), Max(floats)), fmt.Sprint(stdslices.Min(floats), stdslices.Max(floats)); got != want {
		t.Errorf("Min, Max with NaN = %s, want %s", got, want)
	}
	sf, ss := Clone(floats), stdslices.Clone(floats)
	Sort(sf)
	stdslices.Sort(ss)
	if got, want := fmt.Sprint(sf), fmt.Sprint(ss); got != want {
		t.Errorf("Sort with NaN = %s, want %s", got, want)
	}
	type kv struct {
		k string
		v int
	}
	kvs := []kv{{"a", 2}, {"b", 1}, {"c", 2}, {"d", 1}}
	byV := func(a, b kv) int { return cmp.Compare(a.v, b.v) }
	gs, ws := Clone(kvs), stdslices.Clone(kvs)
	SortStableFunc(gs, byV)
	stdslices.SortStableFunc(ws, byV)
	if !Equal(gs, ws) {
		t.Errorf("SortStableFunc = %v, want %v", gs, ws)
	}
}

func TestDeleteZeroesTail(t *testing.T) {
	s := []int{1, 2, 3, 4}
	_ = Delete(s, 1, 3)
	if want := []int{1, 4, 0, 0}; !Equal(s, want) {
		t.Errorf("after Delete the backing array is %v, want %v", s, want)
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Min of empty":    func() { Min([]int{}) },
		"Insert past end": func() { Insert([]int{1}, 2, 5) },
		"Grow negative":   func() { Grow([]int{}, -1) },
		"Chunk of 0":      func() { Chunk([]int{1}, 0) },
		"Repeat negative": func() { Repeat([]int{1}, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
