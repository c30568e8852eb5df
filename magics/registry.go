package magics

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

// A Registry is an ordered set of magics, looked up by name or alias and
// kind. It is safe for concurrent use: it never changes after NewRegistry.
type Registry struct {
	all    []*Magic
	byName map[string]*Magic // names and aliases
}

// NewRegistry returns a registry of ms, in that order. It panics on a
// programmer error: a nil magic, one without a name, kind, usage, short
// help or run function, or a name or alias used twice.
func NewRegistry(ms ...*Magic) *Registry {
	r := &Registry{byName: make(map[string]*Magic)}
	for _, m := range ms {
		switch {
		case m == nil:
			panic("magics: nil magic")
		case m.Name == "":
			panic("magics: magic without a name")
		case m.Kind&LineCell == 0 || m.Kind&^LineCell != 0:
			panic(fmt.Sprintf("magics: %s: bad kind %d", m.Name, m.Kind))
		case m.Usage == "" || m.Short == "":
			panic(fmt.Sprintf("magics: %s: missing usage or short help", m.Name))
		case m.Run == nil:
			panic(fmt.Sprintf("magics: %s: nil Run", m.Name))
		}
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			if old, dup := r.byName[n]; dup {
				panic(fmt.Sprintf("magics: name %q of %s is already used by %s", n, m.Name, old.Name))
			}
			r.byName[n] = m
		}
		r.all = append(r.all, m)
	}
	return r
}

// All returns the magics in registration order.
func (r *Registry) All() []*Magic { return append([]*Magic(nil), r.all...) }

// Lookup finds the magic called name (without % or %%) that can be invoked
// as kind, which is Line or Cell. When there is none, the error is a
// *UsageError wrapping a *NotFoundError, which says whether the name is a
// magic of the other kind or else suggests the closest name.
func (r *Registry) Lookup(name string, kind Kind) (*Magic, error) {
	m, ok := r.byName[name]
	if ok && m.Kind&kind != 0 {
		return m, nil
	}
	nf := &NotFoundError{Name: name, Kind: kind}
	if ok {
		nf.Other = m
	} else if s := r.suggest(name, kind); s != nil {
		nf.Suggestion = s.Spelling(kind)
		if s.Kind&kind == 0 {
			nf.Suggestion = s.Spelling(s.Kind)
		}
	}
	return nil, &UsageError{Err: nf}
}

// suggest returns the magic whose name or alias is closest to name, or nil
// when none is close. Magics of the wanted kind win ties.
func (r *Registry) suggest(name string, kind Kind) *Magic {
	var best *Magic
	bestD := len(name)/3 + 2 // accept up to about a third of the name
	lower := strings.ToLower(name)
	for _, m := range r.all {
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			if n == ShellName {
				continue
			}
			d := editDistance(lower, strings.ToLower(n))
			if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
				d = min(d, 1+abs(len(n)-len(name))/2)
			}
			if d < bestD || d == bestD && best != nil && best.Kind&kind == 0 && m.Kind&kind != 0 {
				best, bestD = m, d
			}
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Levenshtein distance between a and b, counted in
// bytes (magic names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Check looks up the magic of every segment and splits its arguments, so
// that a cell with an unknown magic or unbalanced quotes fails before any of
// its segments runs, leaving the Go state as it was. It returns the first
// error, a *UsageError naming the segment's line.
func (r *Registry) Check(segs []Segment) error {
	for _, seg := range segs {
		var kind Kind
		switch seg.Kind {
		case LineMagic:
			kind = Line
		case CellMagic:
			kind = Cell
		default:
			continue
		}
		m, err := r.Lookup(seg.Name, kind)
		if err == nil && !m.Raw {
			_, err = splitArgs(seg.Args)
			if err != nil {
				c := &Call{Magic: m, Name: seg.Name, Kind: kind}
				err = c.usagef("%v", err)
			}
		}
		if err != nil {
			var ue *UsageError
			errors.As(err, &ue)
			return &UsageError{Usage: ue.Usage, Err: fmt.Errorf("line %d: %w", seg.Line, ue.Err)}
		}
	}
	return nil
}

// errNotMagic is returned by Run for segments that are not magics.
var errNotMagic = errors.New("magics: a Go segment is run by the interpreter, not by a registry")

// Run runs one segment of a cell that is not Go code: a line magic, a cell
// magic, a shell command or a help request. Output goes to out; env is the
// Go side of the kernel.
//
// Errors: a *UsageError for a bad invocation (see [AsKernelError]); an
// error matching ErrNoSuchMagic for a Help segment on an unknown name, which
// for a bare NAME? (without %) means the interpreter may look NAME up as Go;
// an error wrapping ctx.Err() when interrupted; other errors from the
// magic. A failed shell command is output, not an error.
func (r *Registry) Run(ctx context.Context, seg Segment, out kernel.Output, env Env) error {
	c := &Call{Out: out, Env: env, Registry: r, Pos: seg.Line}
	switch seg.Kind {
	case LineMagic:
		c.Kind, c.Name, c.Line = Line, seg.Name, seg.Args
	case CellMagic:
		c.Kind, c.Name, c.Line, c.Body = Cell, seg.Name, seg.Args, seg.Body
	case Shell:
		c.Kind, c.Name, c.Line = Line, ShellName, seg.Text
	case Help:
		return r.help(seg.Name, out)
	default:
		return errNotMagic
	}
	m, err := r.Lookup(c.Name, c.Kind)
	if err != nil {
		return err
	}
	c.Magic = m
	if c.Kind == Cell && strings.TrimSpace(c.Body) == "" {
		return c.usagef("needs a cell body (the lines below %s)", c.Spelling())
	}
	if !m.Raw {
		if c.Args, err = splitArgs(c.Line); err != nil {
			return c.usagef("%v", err)
		}
	}
	return m.Run(ctx, c)
}
