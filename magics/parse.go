package magics

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SegKind is the kind of a [Segment].
type SegKind uint8

// The kinds of segment.
const (
	Go        SegKind = iota // Go code, run by the interpreter
	LineMagic                // %name ARGS
	Shell                    // !CMD, possibly continued with trailing backslashes
	CellMagic                // %%name ARGS on the first line; the rest is Body
	Help                     // %name?, %%name? or NAME?
)

// String returns the kind's name, such as "line magic".
func (k SegKind) String() string {
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
	return fmt.Sprintf("SegKind(%d)", uint8(k))
}

// A Segment is one piece of a cell, run in order with the others.
type Segment struct {
	Kind SegKind
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

// Parse splits a cell into segments.
//
// A cell whose first non-blank line starts with %% is one CellMagic segment
// (or a Help segment for %%name?). Otherwise the cell is Go code, in which
// line magics (%name ARGS) and shell commands (!CMD) may stand on lines of
// their own at the top level; they split the Go code into segments that run
// in order. A shell line ending in a backslash continues onto the next line.
// A line NAME? or %NAME? asks for help.
//
// A line inside a raw string or a block comment is always Go, as is %
// anywhere but at the start of a line. A line starting with ! is a shell
// command only where a Go statement could start, so a continued expression
// such as "a &&\n!b" stays Go. Blank Go segments are dropped.
//
// Parse fails with a *UsageError naming the line on %% below the first
// line, on a % line without a magic name, and on a % line inside a Go block,
// where the Go code around it could not run on its own.
func Parse(cell string) ([]Segment, error) {
	segs, err := parse(cell)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return segs, nil
}

func parse(cell string) ([]Segment, error) {
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
				return nil, fmt.Errorf("line %d: expected a cell magic name after %%%%", first+1)
			}
			seg.Kind, seg.Name, seg.Args, seg.Body = CellMagic, name, args, cell[ln.end:]
			return []Segment{seg}, nil
		}
	}

	var (
		segs    []Segment
		lx      lexer
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
		ln := lines[i]
		text := strings.TrimSuffix(ln.text, "\r")
		t := strings.TrimLeft(text, " \t")
		free := !lx.inRaw && !lx.inBlock // the line starts outside any token

		switch {
		case free && strings.HasPrefix(t, "%%"):
			return nil, fmt.Errorf("line %d: cell magic %s must be the first line of the cell", i+1, strings.Fields(t)[0])

		case free && strings.HasPrefix(t, "%"):
			name, args := splitMagicLine(t[1:])
			if lx.depth > 0 {
				return nil, fmt.Errorf("line %d: %%%s cannot be used inside a Go block or parentheses (opened on line %d)",
					i+1, name, lx.openLine)
			}
			flushGo(i)
			seg := Segment{Text: text, Line: i + 1}
			if help, ok := helpName(name, args); ok {
				seg.Kind, seg.Name = Help, "%"+help
			} else if name == "" {
				return nil, fmt.Errorf("line %d: expected a magic name after %%", i+1)
			} else {
				seg.Kind, seg.Name, seg.Args = LineMagic, name, args
			}
			segs = append(segs, seg)
			lx.last = tokNone

		case free && lx.depth == 0 && lx.stmtStart() && strings.HasPrefix(t, "!"):
			flushGo(i)
			start := i
			cmd := []string{t[1:]}
			for strings.HasSuffix(strings.TrimSuffix(lines[i].text, "\r"), `\`) && i+1 < len(lines) {
				i++
				cmd = append(cmd, strings.TrimSuffix(lines[i].text, "\r"))
			}
			segs = append(segs, Segment{Kind: Shell, Text: strings.Join(cmd, "\n"), Line: start + 1})
			lx.last = tokNone

		case free && lx.depth == 0 && lx.stmtStart() && isBareHelp(t):
			flushGo(i)
			segs = append(segs, Segment{Kind: Help, Name: strings.TrimRight(strings.TrimSpace(t), "?"), Text: text, Line: i + 1})
			lx.last = tokNone

		default:
			if goStart < 0 {
				goStart = i
			}
			lx.scanLine(text, i+1)
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

// tokClass is what the last significant Go token of the code so far tells
// about the next line.
type tokClass uint8

const (
	tokNone  tokClass = iota // nothing yet: a statement may start
	tokEnds                  // a token after which a newline ends the statement
	tokStart                 // ; { or : after which a statement may start
	tokOther                 // an operator, ( [ or ,: the expression goes on
)

// lexer follows just enough of Go's lexical structure, line by line, to
// know where a line starts: inside a raw string or a block comment, inside
// brackets, and whether a statement may start there.
type lexer struct {
	inRaw, inBlock bool
	depth          int // open ( [ {
	openLine       int // line of the outermost open bracket
	last           tokClass
}

// stmtStart reports whether a statement may start at the beginning of the
// next line.
func (lx *lexer) stmtStart() bool { return lx.last != tokOther }

// scanLine advances the lexer over one line of Go code, numbered n.
func (lx *lexer) scanLine(s string, n int) {
	i := 0
	for i < len(s) {
		switch {
		case lx.inRaw:
			j := strings.IndexByte(s[i:], '`')
			if j < 0 {
				return
			}
			i += j + 1
			lx.inRaw, lx.last = false, tokEnds
			continue
		case lx.inBlock:
			j := strings.Index(s[i:], "*/")
			if j < 0 {
				return
			}
			i += j + 2
			lx.inBlock = false
			continue
		}
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "//"):
			i = len(s)
		case strings.HasPrefix(s[i:], "/*"):
			lx.inBlock = true
			i += 2
		case c == '`':
			lx.inRaw = true
			i++
		case c == '"' || c == '\'':
			i = skipQuoted(s, i)
			lx.last = tokEnds
		case c == '(' || c == '[' || c == '{':
			if lx.depth == 0 {
				lx.openLine = n
			}
			lx.depth++
			lx.last = tokOther
			if c == '{' {
				lx.last = tokStart
			}
			i++
		case c == ')' || c == ']' || c == '}':
			if lx.depth > 0 {
				lx.depth--
			}
			lx.last = tokEnds
			i++
		case c == ';' || c == ':':
			lx.last = tokStart
			if strings.HasPrefix(s[i:], ":=") {
				lx.last = tokOther
				i++
			}
			i++
		case strings.HasPrefix(s[i:], "++") || strings.HasPrefix(s[i:], "--"):
			lx.last = tokEnds
			i += 2
		case c < utf8.RuneSelf && !isNameByte(c):
			lx.last = tokOther
			i++
		default: // a word: identifier, keyword or number
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
					break
				}
				j += size
			}
			if j == i { // a non-letter rune outside ASCII
				_, size := utf8.DecodeRuneInString(s[i:])
				j = i + size
			}
			switch word := s[i:j]; word {
			case "break", "continue", "fallthrough", "return":
				lx.last = tokEnds
			default:
				lx.last = tokEnds
				if isKeyword(word) {
					lx.last = tokOther
				}
			}
			i = j
		}
	}
	if lx.inBlock && lx.last == tokEnds {
		lx.last = tokStart // a comment spanning lines ends the statement, as a newline does
	}
}

// skipQuoted returns the index just after the interpreted string or rune
// literal starting at s[i], or len(s) if it is not closed on this line.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(s)
}

func isKeyword(w string) bool {
	switch w {
	case "case", "chan", "const", "default", "defer", "else", "for", "func", "go", "goto",
		"if", "import", "interface", "map", "package", "range", "select", "struct", "switch", "type", "var":
		return true
	}
	return false
}
