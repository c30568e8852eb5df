package magics

import "github.com/beacceaf/gokernel/magics/cellsyntax"

// SegKind is the kind of a [Segment].
type SegKind = cellsyntax.Kind

// The kinds of segment.
const (
	Go        = cellsyntax.Go        // Go code, run by the interpreter
	LineMagic = cellsyntax.LineMagic // %name ARGS
	Shell     = cellsyntax.Shell     // !CMD, possibly continued with trailing backslashes
	CellMagic = cellsyntax.CellMagic // %%name ARGS on the first line; the rest is Body
	Help      = cellsyntax.Help      // %name?, %%name? or NAME?
)

// A Segment is one piece of a cell, run in order with the others; see
// [cellsyntax.Segment].
type Segment = cellsyntax.Segment

// Parse splits a cell into segments as [cellsyntax.Split] does, the one
// reading of cell syntax that gosrc's completeness check shares. A
// misplaced or malformed magic line is a *UsageError naming the line.
func Parse(cell string) ([]Segment, error) {
	segs, err := cellsyntax.Split(cell)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return segs, nil
}
