// Package slices is interpreted source, not a host package: LoadGeneric in
// package symbols compiles it into a yaegi interpreter after yaegi's own
// partial copy of the standard slices package. It declares the whole API of
// the standard package for yaegi; declaring a function again replaces
// yaegi's version, most of which cannot infer its type arguments.
//
// yaegi cannot infer E from a parameter of type S ~[]E, nor a type argument
// from variadic parameters alone, so every function here takes []E where
// the standard library takes S, and Concat needs an explicit type argument
// (slices.Concat[int](a, b)). A named slice type still works as an
// argument, but results are plain []E and explicit type arguments have one
// parameter fewer. Iterators are plain func types, since yaegi has no iter
// package; values of the standard iter.Seq types, such as the result of
// strings.SplitSeq, are accepted with an explicit type argument
// (slices.Collect[string](seq)).
//
// The code avoids what yaegi cannot run: range over int or func, the min,
// max and clear builtins, and generic types. Sorting is delegated to the
// host's sort package. Functions that may grow a slice (Insert, Replace)
// return a new slice instead of reusing spare capacity.
package slices

import (
	"cmp"
	"sort"
)

// Equal reports whether s1 and s2 have the same length and equal elements
// at each index. NaNs are not equal to anything.
func Equal[E comparable](s1, s2 []E) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			return false
		}
	}
	return true
}

// EqualFunc reports whether s1 and s2 have the same length and eq holds
// for the elements at each index.
func EqualFunc[E1, E2 any](s1 []E1, s2 []E2, eq func(E1, E2) bool) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if !eq(s1[i], s2[i]) {
			return false
		}
	}
	return true
}

// Compare compares s1 and s2 element by element, ordered as by
// cmp.Compare. The first unequal pair decides; otherwise the shorter slice
// is the smaller.
func Compare[E cmp.Ordered](s1, s2 []E) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if c := order(s1[i], s2[i]); c != 0 {
			return c
		}
	}
	return compareLen(len(s1), len(s2))
}

// CompareFunc is like Compare with a comparison function for the elements.
func CompareFunc[E1, E2 any](s1 []E1, s2 []E2, cmp func(E1, E2) int) int {
	for i := 0; i < len(s1) && i < len(s2); i++ {
		if c := cmp(s1[i], s2[i]); c != 0 {
			return c
		}
	}
	return compareLen(len(s1), len(s2))
}

// order compares a and b like cmp.Compare, NaNs first. This source does
// not call cmp.Compare: inside slices.Compare, yaegi confuses it with the
// function of the same name being compiled.
func order[E cmp.Ordered](a, b E) int {
	aNaN, bNaN := a != a, b != b
	switch {
	case aNaN && bNaN:
		return 0
	case aNaN || a < b:
		return -1
	case bNaN || a > b:
		return 1
	}
	return 0
}

// compareLen compares two lengths.
func compareLen(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Index returns the index of the first occurrence of v in s, or -1.
func Index[E comparable](s []E, v E) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

// IndexFunc returns the index of the first element of s that satisfies f,
// or -1.
func IndexFunc[E any](s []E, f func(E) bool) int {
	for i := range s {
		if f(s[i]) {
			return i
		}
	}
	return -1
}

// Contains reports whether v is in s.
func Contains[E comparable](s []E, v E) bool {
	return Index(s, v) >= 0
}

// ContainsFunc reports whether an element of s satisfies f.
func ContainsFunc[E any](s []E, f func(E) bool) bool {
	return IndexFunc(s, f) >= 0
}

// Insert returns s with the values v inserted at index i. It panics if i
// is out of range. yaegi cannot call it with no values to insert.
func Insert[E any](s []E, i int, v ...E) []E {
	_ = s[i:]
	r := make([]E, 0, len(s)+len(v))
	r = append(r, s[:i]...)
	r = append(r, v...)
	return append(r, s[i:]...)
}

// Delete removes s[i:j] from s and returns the shortened slice; the
// elements left past its end are zeroed. It panics if s[i:j] is not a
// valid slice of s.
func Delete[E any](s []E, i, j int) []E {
	_ = s[i:j:len(s)]
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	zero(s[len(s):n])
	return s
}

// DeleteFunc removes the elements of s for which del returns true and
// returns the shortened slice; the elements left past its end are zeroed.
func DeleteFunc[E any](s []E, del func(E) bool) []E {
	n := 0
	for _, v := range s {
		if !del(v) {
			s[n] = v
			n++
		}
	}
	zero(s[n:])
	return s[:n]
}

// Replace returns s with s[i:j] replaced by the values v. It panics if
// s[i:j] is not a valid slice of s.
func Replace[E any](s []E, i, j int, v ...E) []E {
	_ = s[i:j]
	r := make([]E, 0, len(s)-(j-i)+len(v))
	r = append(r, s[:i]...)
	r = append(r, v...)
	return append(r, s[j:]...)
}

// Clone returns a shallow copy of s; the copy of a nil slice is nil.
func Clone[E any](s []E) []E {
	if s == nil {
		return nil
	}
	return append([]E{}, s...)
}

// Compact replaces each run of equal consecutive elements with one copy
// and returns the shortened slice; the elements left past its end are
// zeroed.
func Compact[E comparable](s []E) []E {
	return CompactFunc(s, func(a, b E) bool { return a == b })
}

// CompactFunc is like Compact with eq deciding equality; it keeps the
// first element of each run.
func CompactFunc[E any](s []E, eq func(E, E) bool) []E {
	if len(s) < 2 {
		return s
	}
	n := 1
	for k := 1; k < len(s); k++ {
		if !eq(s[k], s[n-1]) {
			s[n] = s[k]
			n++
		}
	}
	zero(s[n:])
	return s[:n]
}

// Grow returns s with room for at least n more elements. It panics if n is
// negative.
func Grow[E any](s []E, n int) []E {
	if n < 0 {
		panic("cannot be negative")
	}
	if need := n - (cap(s) - len(s)); need > 0 {
		s = append(s[:cap(s)], make([]E, need)...)[:len(s)]
	}
	return s
}

// Clip removes the unused capacity of s.
func Clip[E any](s []E) []E {
	return s[:len(s):len(s)]
}

// Reverse reverses the elements of s in place.
func Reverse[E any](s []E) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Concat returns a new slice that holds the elements of all the given
// slices in order. Under yaegi it needs an explicit type argument:
// slices.Concat[int](a, b).
func Concat[E any](slices ...[]E) []E {
	n := 0
	for _, s := range slices {
		n += len(s)
	}
	r := make([]E, 0, n)
	for _, s := range slices {
		r = append(r, s...)
	}
	return r
}

// zero sets every element of s to the zero value, like the clear builtin
// that yaegi lacks.
func zero[E any](s []E) {
	var z E
	for i := range s {
		s[i] = z
	}
}

// Sort sorts x in ascending order. NaNs are ordered before other values.
func Sort[E cmp.Ordered](x []E) {
	sort.Slice(x, func(i, j int) bool { return order(x[i], x[j]) < 0 })
}

// SortFunc sorts x in ascending order as determined by cmp, which returns
// a negative number when a < b, a positive number when a > b and zero
// otherwise. The sort is not guaranteed to be stable.
func SortFunc[E any](x []E, cmp func(a, b E) int) {
	sort.Slice(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// SortStableFunc sorts x like SortFunc, keeping the original order of
// equal elements.
func SortStableFunc[E any](x []E, cmp func(a, b E) int) {
	sort.SliceStable(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// IsSorted reports whether x is sorted in ascending order.
func IsSorted[E cmp.Ordered](x []E) bool {
	for i := len(x) - 1; i > 0; i-- {
		if order(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// IsSortedFunc reports whether x is sorted in ascending order, with cmp
// as the comparison function of SortFunc.
func IsSortedFunc[E any](x []E, cmp func(a, b E) int) bool {
	for i := len(x) - 1; i > 0; i-- {
		if cmp(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// Min returns the minimal value in x. It panics if x is empty. For
// floating-point numbers a NaN anywhere in x makes the result NaN.
func Min[E cmp.Ordered](x []E) E {
	if len(x) < 1 {
		panic("slices.Min: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if x[i] != x[i] {
			return x[i]
		}
		if x[i] < m {
			m = x[i]
		}
	}
	return m
}

// MinFunc returns the first minimal value in x, as determined by cmp. It
// panics if x is empty.
func MinFunc[E any](x []E, cmp func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MinFunc: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if cmp(x[i], m) < 0 {
			m = x[i]
		}
	}
	return m
}

// Max returns the maximal value in x. It panics if x is empty. For
// floating-point numbers a NaN anywhere in x makes the result NaN.
func Max[E cmp.Ordered](x []E) E {
	if len(x) < 1 {
		panic("slices.Max: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if x[i] != x[i] {
			return x[i]
		}
		if x[i] > m {
			m = x[i]
		}
	}
	return m
}

// MaxFunc returns the first maximal value in x, as determined by cmp. It
// panics if x is empty.
func MaxFunc[E any](x []E, cmp func(a, b E) int) E {
	if len(x) < 1 {
		panic("slices.MaxFunc: empty list")
	}
	m := x[0]
	for i := 1; i < len(x); i++ {
		if cmp(x[i], m) > 0 {
			m = x[i]
		}
	}
	return m
}

// BinarySearch searches for target in x, which must be sorted in ascending
// order. It returns the position where target is found, or would be
// inserted, and whether it was found.
func BinarySearch[E cmp.Ordered](x []E, target E) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if order(x[mid], target) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(x) && order(x[lo], target) == 0
}

// BinarySearchFunc works like BinarySearch with a comparison function: cmp
// returns a negative number when an element sorts before target, zero when
// it matches and a positive number when it sorts after.
func BinarySearchFunc[E, T any](x []E, target T, cmp func(E, T) int) (int, bool) {
	lo, hi := 0, len(x)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmp(x[mid], target) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(x) && cmp(x[lo], target) == 0
}

// Repeat returns a new slice that holds count copies of x. It panics if
// count is negative.
func Repeat[E any](x []E, count int) []E {
	if count < 0 {
		panic("cannot be negative")
	}
	r := make([]E, 0, len(x)*count)
	for i := 0; i < count; i++ {
		r = append(r, x...)
	}
	return r
}

// All returns an iterator over the index-value pairs of s, in order.
func All[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Values returns an iterator over the elements of s, in order.
func Values[E any](s []E) func(yield func(E) bool) {
	return func(yield func(E) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over the index-value pairs of s, from the
// last element to the first.
func Backward[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(i, s[i]) {
				return
			}
		}
	}
}

// AppendSeq appends the values of seq to s and returns the extended slice.
func AppendSeq[E any](s []E, seq func(yield func(E) bool)) []E {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Collect returns a new slice that holds the values of seq.
func Collect[E any](seq func(yield func(E) bool)) []E {
	return AppendSeq([]E(nil), seq)
}

// Sorted returns a new slice that holds the values of seq, sorted.
func Sorted[E cmp.Ordered](seq func(yield func(E) bool)) []E {
	s := Collect(seq)
	Sort(s)
	return s
}

// SortedFunc returns a new slice that holds the values of seq, sorted with
// cmp as in SortFunc.
func SortedFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Collect(seq)
	SortFunc(s, cmp)
	return s
}

// SortedStableFunc returns a new slice that holds the values of seq, sorted
// with cmp as in SortStableFunc.
func SortedStableFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Collect(seq)
	SortStableFunc(s, cmp)
	return s
}

// Chunk returns an iterator over consecutive sub-slices of s of up to n
// elements each; only the last may be shorter. It panics if n is less
// than 1.
func Chunk[E any](s []E, n int) func(yield func([]E) bool) {
	if n < 1 {
		panic("cannot be less than 1")
	}
	return func(yield func([]E) bool) {
		for i := 0; i < len(s); i += n {
			end := i + n
			if end > len(s) {
				end = len(s)
			}
			if !yield(s[i:end:end]) {
				return
			}
		}
	}
}
