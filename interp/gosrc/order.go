package gosrc

import (
	"go/ast"
	"go/token"
	"strings"
)

// item is one compiled top-level declaration or statement of a cell, in the
// order written, before [arrange] puts declarations where they can run.
type item struct {
	u     *Unit
	node  ast.Node
	g     *parsed // the group the node was parsed in
	start int     // cell offsets of the unit's text
	end   int
	uses  map[string]bool // free names (arrange drops the unit's own)
	// fixed marks a declaration that must run where it is written: a var
	// whose initializer calls a function or receives from a channel, and
	// so may print or depend on the statements before it.
	fixed bool
	slot  int // for declarations: how many barriers run before it
}

// barrier reports whether the item is a statement: declarations move
// around statements, not past those they depend on.
func (it *item) barrier() bool { return it.u.Kind == Stmt }

func (it *item) decl() bool { return it.u.Kind == Decl }

// isVar reports whether the item is a var declaration with initial values.
func (it *item) isVar() bool {
	d, ok := it.node.(*ast.GenDecl)
	if !ok || d.Tok != token.VAR {
		return false
	}
	for _, s := range d.Specs {
		if len(s.(*ast.ValueSpec).Values) > 0 {
			return true
		}
	}
	return false
}

// hasEffects reports whether evaluating the initial values of a var
// declaration may call a function or receive from a channel. Function
// literals do not count: their bodies do not run.
func hasEffects(d *ast.GenDecl) bool {
	effects := false
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			effects = true
		case *ast.UnaryExpr:
			effects = effects || n.Op == token.ARROW
		}
		return !effects
	})
	return effects
}

// arrange orders the items of a cell as Go orders a package followed by
// statements: imports and statements (barriers) run in the order written,
// and declarations run as early as the barriers they depend on allow, all
// declarations that can run at the same point in one unit, so that they
// may refer to each other in any order, as at package level. A var whose
// initializer has effects stays where it is written.
//
// yaegi cannot initialize a package-level var from a var it compiled in an
// earlier evaluation ("variable definition loop"); such a declaration runs
// as a statement instead, which declares the same global.
//
// A declaration that redefines a function of an earlier cell does not move
// above a statement that uses that function, so that the statement keeps
// calling the old one, as before.
func (c *compiler) arrange(items []*item) []Unit {
	own := map[string]int{} // how many units of the cell declare a name
	for _, it := range items {
		for _, n := range it.u.Names {
			own[n]++
		}
	}
	for _, it := range items {
		for _, n := range it.u.Names {
			delete(it.uses, n)
		}
		if it.u.Kind == Decl {
			if d, ok := it.node.(*ast.GenDecl); ok && d.Tok == token.VAR && hasEffects(d) {
				it.fixed = true
			}
			for _, n := range it.u.Names {
				if own[n] > 1 {
					it.fixed = true
				}
			}
		}
	}
	for {
		c.place(items)
		if !c.splitVars(items) {
			break
		}
	}
	var out []Unit
	var group []*item
	flush := func() {
		if len(group) > 0 {
			out = append(out, c.merge(group))
			group = nil
		}
	}
	barriers := 0
	emit := func(slot int) {
		declared := map[string]bool{}
		for _, it := range items {
			if it.decl() && it.slot == slot {
				for _, n := range it.u.Names {
					declared[n] = true
				}
			}
		}
		// A func with a local type named like a declaration of the group
		// runs first, on its own: in one evaluation, yaegi takes the
		// global type for the local one.
		for _, it := range items {
			if it.decl() && it.slot == slot && shadowsType(it, declared) {
				out = append(out, *it.u)
				it.slot = -1
			}
		}
		names := map[string]bool{}
		for _, it := range items {
			if !it.decl() || it.slot != slot {
				continue
			}
			for _, n := range it.u.Names {
				if names[n] {
					flush() // the same name twice: one after the other
					names = map[string]bool{}
				}
			}
			for _, n := range it.u.Names {
				names[n] = true
			}
			group = append(group, it)
		}
		flush()
	}
	for _, it := range items {
		if it.u.Kind == Import {
			out = append(out, *it.u) // imports first, as in a Go file
		}
	}
	for _, it := range items {
		if !it.barrier() {
			continue
		}
		emit(barriers)
		out = append(out, *it.u)
		barriers++
	}
	emit(barriers)
	return out
}

// place computes the slot of every declaration.
func (c *compiler) place(items []*item) {
	var barriers []*item
	declBy := map[string][]*item{}
	for _, it := range items {
		it.slot = len(barriers)
		if it.barrier() {
			barriers = append(barriers, it)
		}
		if !it.decl() {
			continue
		}
		for _, n := range it.u.Names {
			declBy[n] = append(declBy[n], it)
		}
	}
	// need: the earliest slot a declaration's use of the cell's barriers
	// allows.
	textual := map[*item]int{}
	need := map[*item]int{}
	for _, it := range items {
		if !it.decl() {
			continue
		}
		textual[it] = it.slot
		if it.fixed {
			continue
		}
		it.slot = 0
		for name := range it.uses {
			_, known := c.sn.global(name)
			if _, ok := c.sn.imp(name); ok {
				known = true
			}
			if k := definedBy(barriers, name, textual[it], known); k >= 0 {
				need[it] = max(need[it], k+1)
			}
		}
		for _, n := range it.u.Names {
			if _, ok := c.sn.global(n); !ok {
				continue
			}
			// A redefinition stays below the statements that use the old one.
			for k, b := range barriers[:textual[it]] {
				if b.uses[n] {
					need[it] = max(need[it], k+1)
				}
			}
		}
		it.slot = need[it]
	}
	// A type comes with its methods: what uses the type may call them.
	methods := map[string][]*item{}
	for _, it := range items {
		for _, r := range it.u.records {
			if r.name.Kind == "method" && it.decl() {
				methods[r.recv] = append(methods[r.recv], it)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, it := range items {
			if !it.decl() || it.fixed {
				continue
			}
			var deps []*item
			for name := range it.uses {
				deps = append(deps, declBy[name]...)
			}
			for _, n := range it.u.Names {
				deps = append(deps, methods[n]...)
			}
			for _, d := range deps {
				if d != it && d.slot > it.slot {
					it.slot = d.slot
					changed = true
				}
			}
		}
	}
}

// definedBy is the index of the barrier that declares name for a
// declaration written after barrier before-1: the last such barrier before
// it, or else the first after it when name is not declared yet (known).
// It is -1 when no barrier declares name.
func definedBy(barriers []*item, name string, before int, known bool) int {
	found := -1
	for k, b := range barriers {
		for _, n := range b.u.Names {
			if n != name {
				continue
			}
			if k < before {
				found = k
			} else if found < 0 && !known {
				return k
			}
		}
	}
	return found
}

// splitVars turns into statements the var declarations that use a var
// evaluated in another unit (an earlier cell's, a statement's or another
// group's). It reports whether it changed one.
func (c *compiler) splitVars(items []*item) bool {
	vars := map[string]*item{} // this cell's vars, declared by declarations
	stmtVars := map[string]bool{}
	for _, it := range items {
		for _, r := range it.u.records {
			if r.name.Kind != "var" {
				continue
			}
			if it.barrier() {
				stmtVars[r.name.Name] = true
			} else {
				vars[r.name.Name] = it
			}
		}
	}
	changed := false
	for _, it := range items {
		if !it.decl() || !it.isVar() {
			continue
		}
		for name := range it.uses {
			d, mine := vars[name]
			other := mine && d.slot != it.slot
			if !mine {
				if stmtVars[name] {
					other = true
				} else if r, ok := c.sn.global(name); ok && r.name.Kind == "var" {
					other = true
				}
			}
			if other {
				it.u.Kind = Stmt
				it.u.Src = c.prefix(Stmt, it.start) + strings.SplitN(it.u.Src, "\n", 3)[2]
				if it.u.Alt != "" {
					it.u.Alt = c.prefix(Stmt, it.start) + strings.SplitN(it.u.Alt, "\n", 3)[2]
				}
				changed = true
				break
			}
		}
	}
	return changed
}

// merge makes one unit of declarations that run together.
func (c *compiler) merge(group []*item) Unit {
	if len(group) == 1 {
		return *group[0].u
	}
	group = initOrder(group)
	// Text keeps the cell's lines and columns: what lies between the
	// declarations is blanked out.
	first, last := group[0].start, group[0].end
	for _, it := range group {
		first, last = min(first, it.start), max(last, it.end)
	}
	u := Unit{Kind: Decl}
	u.Line, u.Col = lineCol(c.code, first)
	var src, alt strings.Builder
	hasAlt := false
	text := []byte(c.code[first:last])
	for i := range text {
		if text[i] != '\n' {
			text[i] = ' '
		}
	}
	for _, it := range group {
		copy(text[it.start-first:], c.code[it.start:it.end])
		src.WriteString(it.u.Src)
		if it.u.Alt != "" {
			hasAlt = true
			alt.WriteString(it.u.Alt)
		} else {
			alt.WriteString(it.u.Src)
		}
		u.Names = append(u.Names, it.u.Names...)
		u.records = append(u.records, it.u.records...)
		u.notes = u.notes.or(it.u.notes)
		u.facts = it.u.facts
		u.spans = append(u.spans, it.u.spans...)
	}
	u.Src = src.String()
	if hasAlt {
		u.Alt = alt.String()
	}

	u.Text = string(text)
	return u
}

func (n notes) or(m notes) notes {
	return notes{
		rangeUnknown:     n.rangeUnknown || m.rangeUnknown,
		rangeUnknown2:    n.rangeUnknown2 || m.rangeUnknown2,
		rangeFuncComplex: n.rangeFuncComplex || m.rangeFuncComplex,
		recvUnknown:      n.recvUnknown || m.recvUnknown,
		genericDefine:    n.genericDefine || m.genericDefine,
	}
}

// initOrder orders a group of declarations for yaegi: as written, except
// that the vars come in the order Go initializes them: a var whose
// initializer refers, directly or through functions and methods, to
// another var of the group comes after it. yaegi looks only at direct
// references, and otherwise keeps the written order.
func initOrder(group []*item) []*item {
	var vars []*item
	declared := map[string]*item{}
	methods := map[string][]*item{} // receiver type name → methods
	for _, it := range group {
		for _, n := range it.u.Names {
			declared[n] = it
		}
		for _, r := range it.u.records {
			if r.name.Kind == "method" {
				methods[r.recv] = append(methods[r.recv], it)
			}
		}
		if d, ok := it.node.(*ast.GenDecl); ok && d.Tok == token.VAR {
			vars = append(vars, it)
		}
	}
	isVar := map[*item]bool{}
	for _, v := range vars {
		isVar[v] = true
	}
	// deps: the vars of the group that v's initializer reaches.
	deps := map[*item]map[*item]bool{}
	for _, v := range vars {
		seen := map[*item]bool{v: true}
		reach := map[*item]bool{}
		work := []*item{v}
		for len(work) > 0 {
			it := work[len(work)-1]
			work = work[:len(work)-1]
			for name := range it.uses {
				next := append([]*item{declared[name]}, methods[name]...)
				for _, d := range next {
					if d == nil || seen[d] {
						continue
					}
					seen[d] = true
					if isVar[d] {
						reach[d] = true
						continue
					}
					work = append(work, d)
				}
			}
		}
		deps[v] = reach
	}
	var ordered []*item
	done := map[*item]bool{}
	for len(ordered) < len(vars) {
		pick := -1
		for i, v := range vars {
			if done[v] {
				continue
			}
			if pick < 0 {
				pick = i // a cycle: keep the written order
			}
			ready := true
			for d := range deps[v] {
				if !done[d] {
					ready = false
					break
				}
			}
			if ready {
				pick = i
				break
			}
		}
		done[vars[pick]] = true
		ordered = append(ordered, vars[pick])
	}
	// The vars take the places of the vars, in that order; everything
	// else stays where it was written: yaegi is sensitive to the order of
	// declarations (a var's type, a local type named like a global one).
	out := make([]*item, 0, len(group))
	next := 0
	for _, it := range group {
		if isVar[it] {
			out = append(out, ordered[next])
			next++
			continue
		}
		out = append(out, it)
	}
	return out
}

// shadowsType reports whether item is a func that declares a local type
// with one of the names in declared, and uses none of them otherwise.
func shadowsType(it *item, declared map[string]bool) bool {
	fd, ok := it.node.(*ast.FuncDecl)
	if !ok || fd.Body == nil {
		return false
	}
	for name := range it.uses {
		if declared[name] {
			return false
		}
	}
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && declared[ts.Name.Name] {
			found = true
		}
		return !found
	})
	return found
}
