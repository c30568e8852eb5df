package gosrc

import (
	"fmt"
	"sort"
)

// editor rewrites the text of one unit as a set of replacements of byte
// ranges, so that the text it does not touch keeps its exact lines and
// columns. Each replacement that is followed by original text ends with a
// /*line*/ comment giving that text's position in the cell, so positions in
// error messages stay exact even on rewritten lines.
//
// Rewrites are made bottom-up: an outer replacement that reuses inner text
// takes it through src, which applies (and then drops) the inner edits.
type editor struct {
	file  string // the file name for yaegi: "In[3]/_.go"
	code  string // the whole cell
	edits []edit // sorted by start, not overlapping
}

// edit replaces code[start:end] (cell offsets) with text.
type edit struct {
	start, end int
	text       string
}

// at is a comment that gives the text after it the cell position of off.
func (e *editor) at(off int) string {
	line, col := lineCol(e.code, off)
	return fmt.Sprintf("/*line %s:%d:%d*/", e.file, line, col)
}

// src is code[start:end] with the edits inside it applied.
func (e *editor) src(start, end int) string {
	var b []byte
	pos := start
	for _, ed := range e.edits {
		if ed.start < start || ed.end > end {
			continue
		}
		b = append(b, e.code[pos:ed.start]...)
		b = append(b, ed.text...)
		pos = ed.end
	}
	b = append(b, e.code[pos:end]...)
	return string(b)
}

// orig is the text of [start,end) with its edits, preceded by its position.
func (e *editor) orig(start, end int) string { return e.at(start) + e.src(start, end) }

// replace replaces [start,end) with text, which should have been built from
// e.src for any part that had edits: those edits are dropped. When more
// original text follows, a position comment is appended.
func (e *editor) replace(start, end int, text string, endOfUnit int) {
	kept := e.edits[:0]
	for _, ed := range e.edits {
		if ed.start >= start && ed.end <= end {
			continue // consumed: text was built with e.src
		}
		kept = append(kept, ed)
	}
	e.edits = kept
	if end < endOfUnit {
		text += e.at(end)
	}
	e.add(edit{start, end, text})
}

// edited reports whether an edit replaces the byte at off.
func (e *editor) edited(off int) bool {
	for _, ed := range e.edits {
		if ed.start <= off && off < ed.end {
			return true
		}
	}
	return false
}

// add inserts ed in order: by start, insertions before a replacement that
// starts at the same offset, and earlier insertions first.
func (e *editor) add(ed edit) {
	e.edits = append(e.edits, ed)
	sort.SliceStable(e.edits, func(i, j int) bool {
		a, b := e.edits[i], e.edits[j]
		if a.start != b.start {
			return a.start < b.start
		}
		return a.end < b.end
	})
}

// insert adds text at off, keeping earlier insertions at off before it.
func (e *editor) insert(off int, text string, endOfUnit int) {
	if off < endOfUnit {
		text += e.at(off)
	}
	e.add(edit{off, off, text})
}
