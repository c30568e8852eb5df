package gosrc

import (
	"fmt"
	"maps"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// checkTable fails unless t holds exactly want, by get, len and all.
func checkTable(t *testing.T, what string, tb table[int], want map[string]int, names []string) {
	t.Helper()
	if tb.len() != len(want) {
		t.Fatalf("%s: len = %d, want %d", what, tb.len(), len(want))
	}
	for _, name := range names {
		v, ok := tb.get(name)
		w, wok := want[name]
		if ok != wok || v != w {
			t.Fatalf("%s: get(%q) = %d, %v; want %d, %v", what, name, v, ok, w, wok)
		}
	}
	got := map[string]int{}
	for name, v := range tb.all() {
		if _, dup := got[name]; dup {
			t.Fatalf("%s: all yields %q twice", what, name)
		}
		got[name] = v
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%s: all = %v, want %v", what, got, want)
	}
}

// depth is how many layers tb has.
func (t table[V]) depth() int {
	d := 0
	for l := t.top; l != nil; l = l.below {
		d++
	}
	return d
}

// TestTable applies random changes to a table and to a plain map, and
// checks after each that the table holds what the map holds, that every
// earlier table still holds what it held, and that the layers stay few.
func TestTable(t *testing.T) {
	tests := []struct {
		name    string
		names   int // how many distinct names the changes use
		steps   int
		maxSize int // most names one change touches
		delPct  int // percentage of deletions among the changes
	}{
		{"one name again and again", 1, 200, 1, 30},
		{"new names one at a time", 1000, 1000, 1, 0},
		{"few names, many deletions", 8, 500, 3, 50},
		{"batches", 500, 300, 40, 20},
		{"mostly deletions", 200, 400, 10, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tt.names)))
			names := make([]string, tt.names+1) // and one never set
			for i := range names {
				names[i] = fmt.Sprint("n", i)
			}
			var tb table[int]
			want := map[string]int{}
			type version struct {
				tb   table[int]
				want map[string]int
			}
			var versions []version
			for step := range tt.steps {
				var ch changes[int]
				for range 1 + rng.IntN(tt.maxSize) {
					name := names[rng.IntN(tt.names)]
					if rng.IntN(100) < tt.delPct {
						ch.del(name)
					} else {
						ch.set(name, step)
					}
				}
				for name, e := range ch {
					if e.deleted {
						delete(want, name)
					} else {
						want[name] = e.v
					}
				}
				tb = tb.with(ch)
				checkTable(t, fmt.Sprint("step ", step), tb, want, names)
				if limit := bits.Len(uint(tt.names)) + 1; tb.depth() > limit {
					t.Fatalf("step %d: %d layers for %d names, want at most %d", step, tb.depth(), tt.names, limit)
				}
				if step%50 == 0 {
					versions = append(versions, version{tb, maps.Clone(want)})
				}
			}
			for i, v := range versions {
				checkTable(t, fmt.Sprint("version ", i), v.tb, v.want, names)
			}
		})
	}
}

// TestTableEmpty checks the zero table and a change that changes nothing.
func TestTableEmpty(t *testing.T) {
	var tb table[string]
	if _, ok := tb.get("x"); ok || tb.len() != 0 {
		t.Fatalf("zero table: get ok %v, len %d", ok, tb.len())
	}
	for name := range tb.all() {
		t.Fatalf("zero table yields %q", name)
	}
	if got := tb.with(nil); got.top != nil {
		t.Fatal("with(nil) made a layer")
	}
	var ch changes[string]
	ch.del("x") // deleting a name that is not there
	tb = tb.with(ch)
	if _, ok := tb.get("x"); ok || tb.len() != 0 {
		t.Fatalf("after deleting a missing name: get ok %v, len %d", ok, tb.len())
	}
}
