package gosrc

import "iter"

// A table maps names to values, and is never changed once made: with
// returns a new table and leaves the old one as it was. So a reader that
// took a table under a lock may read it after it let the lock go, while
// others make new tables from it; and taking it costs nothing, however
// many names it holds.
//
// A table is a stack of layers, each a map of the names that some changes
// set or deleted, the newest on top. A lookup asks each layer from the
// top, and the first that has the name answers. To keep the stack short,
// with merges the top layer into the one below it (into a new map: the old
// layers may still be read) while the top one holds at least half as many
// entries as the one below it. Then each layer holds fewer than half as
// many as the one below it, so a table has at most about log2(n)+1 layers,
// n being the names it ever held. A merge copies at most three times what
// the top layer holds, and each time an entry is copied down, the layer
// below it at least doubles; so the merges cost, over a table's life,
// about 3·log2(n) copies for each name that a change set or deleted.
//
// The zero table is empty.
type table[V any] struct {
	top *layer[V]
}

// A layer is the names that some changes set or deleted, over the layers
// below it. n counts the names of the table whose top the layer is.
type layer[V any] struct {
	m     map[string]entry[V]
	below *layer[V]
	n     int
}

// An entry is a name's value, or its deletion, in a layer.
type entry[V any] struct {
	v       V
	deleted bool
}

// changes are what one call of table.with sets and deletes: the new value
// of each name, or its deletion. The zero changes are none.
type changes[V any] map[string]entry[V]

// set makes name's value v.
func (ch *changes[V]) set(name string, v V) {
	if *ch == nil {
		*ch = changes[V]{}
	}
	(*ch)[name] = entry[V]{v: v}
}

// del deletes name.
func (ch *changes[V]) del(name string) {
	if *ch == nil {
		*ch = changes[V]{}
	}
	(*ch)[name] = entry[V]{deleted: true}
}

// get returns name's value.
func (t table[V]) get(name string) (V, bool) {
	for l := t.top; l != nil; l = l.below {
		if e, ok := l.m[name]; ok {
			return e.v, !e.deleted
		}
	}
	var zero V
	return zero, false
}

// len is how many names t holds.
func (t table[V]) len() int {
	if t.top == nil {
		return 0
	}
	return t.top.n
}

// all yields each name of t with its value, in no particular order.
func (t table[V]) all() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for l := t.top; l != nil; l = l.below {
			for name, e := range l.m {
				if e.deleted || t.owner(name) != l {
					continue // deleted, or set again in a layer above
				}
				if !yield(name, e.v) {
					return
				}
			}
		}
	}
}

// owner is the top-most layer that has name.
func (t table[V]) owner(name string) *layer[V] {
	for l := t.top; l != nil; l = l.below {
		if _, ok := l.m[name]; ok {
			return l
		}
	}
	return nil
}

// with returns t changed by ch. The new table keeps ch: the caller must
// not change it afterwards.
func (t table[V]) with(ch changes[V]) table[V] {
	if len(ch) == 0 {
		return t
	}
	n := t.len()
	for name, e := range ch {
		if _, ok := t.get(name); ok {
			n--
		}
		if !e.deleted {
			n++
		}
	}
	top := &layer[V]{m: ch, below: t.top}
	for top.below != nil && 2*len(top.m) >= len(top.below.m) {
		top = merge(top.below, top)
	}
	top.n = n
	return table[V]{top: top}
}

// merge returns a new layer, in lo's place, that holds what lo and hi
// hold, hi's entry of a name that both hold. At the bottom, deletions are
// dropped, since there is nothing below them to hide.
func merge[V any](lo, hi *layer[V]) *layer[V] {
	m := make(map[string]entry[V], len(lo.m)+len(hi.m))
	for _, l := range []*layer[V]{lo, hi} {
		for name, e := range l.m {
			if e.deleted && lo.below == nil {
				delete(m, name)
			} else {
				m[name] = e
			}
		}
	}
	return &layer[V]{m: m, below: lo.below}
}
