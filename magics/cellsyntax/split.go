package cellsyntax

import (
	"fmt"
	"strings"
	"unicode"
)

// Kind is the kind of a [Segment].
type Kind uint8

// The kinds of segment.
const (
	Go        Kind = iota // Go code, run by the interpreter
	LineMagic             // %name ARGS
	Shell                 // !CMD, possibly continued with trailing backslashes
	CellMagic             // %%name ARGS on the first line; the rest is Body
	Help                  // %name?, %%name? or NAME?
)

// String returns the kind's name, such as "line magic".
func (k Kind) String() string {
	switch k {
	case Go:
		return "go"
	case LineMagic:
		return "line magic"
	case Shell:
		return "shell"
	case CellMagic:
		return "cell magic"
	case Help:
		return "help"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// A Segment is one piece of a cell, run in order with the others.
type Segment struct {
	Kind Kind
	// Text is the segment's source: for Go, the exact cell text of its
	// lines; for a shell segment, the command without its "!"; for the
	// others, the magic's whole line.
	Text string
	// Name is the magic's name without % or %%. For Help it is the name as
	// typed, with its % or %% if any: "%cd", "%%cpp", "fmt.Println".
	Name string
	Args string // the text after the name, trimmed
	Body string // CellMagic: everything after the first line, unchanged
	Line int    // 1-based line of the cell where the segment starts
}

// Padded returns Text preceded by Line-1 newlines, so that the line numbers
// a compiler reports for it are line numbers of the cell.
func (s Segment) Padded() string {
	if s.Line <= 1 {
		return s.Text
	}
	return strings.Repeat("\n", s.Line-1) + s.Text
}

// Continued tells whether s is a shell command whose last line ends in a
// backslash: the cell ended before the command did.
func (s Segment) Continued() bool {
	return s.Kind == Shell && strings.HasSuffix(s.Text, `\`)
}

// An Error is a misplaced or malformed magic line.
type Error struct {
	Line int // 1-based line of the cell
	Msg  string
}

// Error implements the error interface: "line 2: msg".
func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func errorf(line int, format string, a ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, a...)}
}

// Split cuts a cell into segments.
//
// A cell whose first non-blank line starts with %% is one CellMagic segment
// (or a Help segment for %%name?). Otherwise the cell is Go code, in which
// line magics (%name ARGS) and shell commands (!CMD) may stand on lines of
// their own at the top level; they split the Go code into segments that run
// in order. A shell line ending in a backslash continues onto the next line.
// A line NAME? or %NAME? asks for help.
//
// A line that starts inside a raw string or a block comment is always Go,
// as is % anywhere but at the start of a line. A line starting with ! (or
// NAME?) is a shell command (a help request) only where a Go statement
// could start, outside brackets, so a continued expression such as
// "a &&\n!b" stays Go. Blank Go segments are dropped.
//
// Split fails with an *Error naming the line on %% below the first line,
// on a % line without a magic name, and on a % line inside Go brackets,
// where the Go code around it could not run on its own.
func Split(cell string) ([]Segment, error) {
	lines := splitLines(cell)

	first := 0
	for first < len(lines) && strings.TrimSpace(lines[first].text) == "" {
		first++
	}
	if first < len(lines) {
		if t := strings.TrimLeft(lines[first].text, " \t"); strings.HasPrefix(t, "%%") {
			ln := lines[first]
			name, args := splitMagicLine(t[2:])
			seg := Segment{Text: ln.text, Line: first + 1}
			if help, ok := helpName(name, args); ok {
				seg.Kind, seg.Name = Help, "%%"+help
				return []Segment{seg}, nil
			}
			if name == "" {
				return nil, errorf(first+1, "expected a cell magic name after %%%%")
			}
			seg.Kind, seg.Name, seg.Args, seg.Body = CellMagic, name, args, cell[ln.end:]
			return []Segment{seg}, nil
		}
	}

	var (
		segs    []Segment
		lx      = newGoLexer(cell, lines)
		goStart = -1 // index of the first line of the pending Go segment
	)
	flushGo := func(endLine int) {
		if goStart < 0 {
			return
		}
		text := cell[lines[goStart].start:lines[endLine-1].end]
		if strings.TrimSpace(text) != "" {
			segs = append(segs, Segment{Kind: Go, Text: text, Line: goStart + 1})
		}
		goStart = -1
	}

	for i := 0; i < len(lines); i++ {
		text := strings.TrimSuffix(lines[i].text, "\r")
		t := strings.TrimLeft(text, " \t")
		free := lx.lineStart(lines[i].start) // the line starts outside any token
		top := free && lx.depth == 0 && lx.stmtStart()

		switch {
		case free && strings.HasPrefix(t, "%%"):
			return nil, errorf(i+1, "cell magic %s must be the first line of the cell", strings.Fields(t)[0])

		case free && strings.HasPrefix(t, "%"):
			name, args := splitMagicLine(t[1:])
			if lx.depth > 0 {
				return nil, errorf(i+1, "%%%s cannot be used inside a Go block or parentheses (opened on line %d)",
					name, lx.openLine)
			}
			flushGo(i)
			seg := Segment{Text: text, Line: i + 1}
			if help, ok := helpName(name, args); ok {
				seg.Kind, seg.Name = Help, "%"+help
			} else if name == "" {
				return nil, errorf(i+1, "expected a magic name after %%")
			} else {
				seg.Kind, seg.Name, seg.Args = LineMagic, name, args
			}
			segs = append(segs, seg)
			lx.restart(i + 1)

		case top && strings.HasPrefix(t, "!"):
			flushGo(i)
			start := i
			cmd := []string{t[1:]}
			for strings.HasSuffix(strings.TrimSuffix(lines[i].text, "\r"), `\`) && i+1 < len(lines) {
				i++
				cmd = append(cmd, strings.TrimSuffix(lines[i].text, "\r"))
			}
			segs = append(segs, Segment{Kind: Shell, Text: strings.Join(cmd, "\n"), Line: start + 1})
			lx.restart(i + 1)

		case top && isBareHelp(t):
			flushGo(i)
			segs = append(segs, Segment{Kind: Help, Name: strings.TrimRight(strings.TrimSpace(t), "?"), Text: text, Line: i + 1})
			lx.restart(i + 1)

		default:
			if goStart < 0 {
				goStart = i
			}
		}
	}
	flushGo(len(lines))
	return segs, nil
}

// line is one line of a cell: text without its newline, and the byte
// offsets of its start and of the start of the next line.
type line struct {
	text       string
	start, end int
}

func splitLines(s string) []line {
	var out []line
	for start := 0; start < len(s); {
		nl := strings.IndexByte(s[start:], '\n')
		if nl < 0 {
			out = append(out, line{s[start:], start, len(s)})
			break
		}
		out = append(out, line{s[start : start+nl], start, start + nl + 1})
		start += nl + 1
	}
	return out
}

// splitMagicLine splits the text after % or %% into the magic's name (a
// run of letters, digits and underscores) and its trimmed arguments.
func splitMagicLine(s string) (name, args string) {
	n := 0
	for n < len(s) && isNameByte(s[n]) {
		n++
	}
	return s[:n], strings.TrimSpace(s[n:])
}

func isNameByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// helpName reports whether a magic line is NAME? or NAME??, given what
// splitMagicLine made of it.
func helpName(name, args string) (string, bool) {
	if name != "" && (args == "?" || args == "??") {
		return name, true
	}
	return "", false
}

// isBareHelp reports whether t is NAME? or NAME?? with NAME a Go name,
// possibly qualified: "fmt.Println?".
func isBareHelp(t string) bool {
	t = strings.TrimSpace(t)
	base := strings.TrimSuffix(strings.TrimSuffix(t, "?"), "?")
	if base == t || base == "" {
		return false
	}
	for _, part := range strings.Split(base, ".") {
		if part == "" {
			return false
		}
		for j, r := range part {
			if !(r == '_' || unicode.IsLetter(r) || j > 0 && unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}
