package cellsyntax

import (
	"go/scanner"
	"go/token"
	"sort"
	"strings"
	"unicode/utf8"
)

// goLexer follows the Go lines of a cell with go/scanner, to tell what
// the start of each line is: inside a token (a raw string or a block
// comment), inside brackets, or where a statement may start.
//
// A magic or shell line is not Go: its text may hold a backquote or a
// quote that would confuse the scanner. So after such a line the lexer
// starts a fresh scanner at the next line, which starts outside any token,
// outside brackets and where a statement may start.
type goLexer struct {
	src   string
	bsrc  []byte // src, converted once for every scanner
	lines []line
	fset  *token.FileSet
	file  *token.File
	base  int // offset in src where the scanner started
	s     scanner.Scanner

	// The token read but not yet consumed.
	off int
	tok token.Token
	lit string

	lastEnd  int         // offset after the last token consumed
	last     token.Token // the last token consumed, comments aside
	depth    int         // open ( [ {
	openLine int         // 1-based line of the outermost open bracket
}

func newGoLexer(src string, lines []line) *goLexer {
	lx := &goLexer{src: src, bsrc: []byte(src), lines: lines, fset: token.NewFileSet()}
	lx.restart(0)
	return lx
}

// restart starts scanning afresh at the start of line i, as at the start
// of a cell.
func (lx *goLexer) restart(i int) {
	lx.base = len(lx.src)
	if i < len(lx.lines) {
		lx.base = lx.lines[i].start
	}
	src := lx.bsrc[lx.base:]
	lx.file = lx.fset.AddFile("", -1, len(src))
	lx.s.Init(lx.file, src, func(token.Position, string) {}, scanner.ScanComments)
	lx.lastEnd, lx.last, lx.depth, lx.openLine = lx.base, token.SEMICOLON, 0, 0
	lx.read()
}

// read scans the next token into off, tok and lit.
func (lx *goLexer) read() {
	pos, tok, lit := lx.s.Scan()
	lx.off, lx.tok, lx.lit = lx.base+lx.file.Offset(pos), tok, lit
}

// lineStart consumes the tokens that start before offset start, the
// start of a line, and tells whether the line starts outside any token.
func (lx *goLexer) lineStart(start int) bool {
	for lx.tok != token.EOF && lx.off < start {
		lx.consume()
		lx.read()
	}
	return lx.lastEnd <= start
}

// stmtStart tells whether a statement may start after the tokens consumed:
// they end with a semicolon (written, or inserted at a newline as Go
// does), an opening brace or a colon, or there are none.
func (lx *goLexer) stmtStart() bool {
	return lx.last == token.SEMICOLON || lx.last == token.LBRACE || lx.last == token.COLON
}

func (lx *goLexer) consume() {
	switch lx.tok {
	case token.LPAREN, token.LBRACK, token.LBRACE:
		if lx.depth == 0 {
			lx.openLine = lx.lineOf(lx.off)
		}
		lx.depth++
	case token.RPAREN, token.RBRACK, token.RBRACE:
		if lx.depth > 0 {
			lx.depth--
		}
	}
	if lx.tok != token.COMMENT {
		lx.last = lx.tok
	}
	lx.lastEnd = lx.tokenEnd()
}

// tokenEnd is the offset just after the current token. It is computed from
// the source, because the scanner drops carriage returns from the text of
// raw strings and comments.
func (lx *goLexer) tokenEnd() int {
	rest := lx.src[lx.off:]
	closing := func(from int, end string) int {
		if j := strings.Index(rest[from:], end); j >= 0 {
			return lx.off + from + j + len(end)
		}
		return len(lx.src)
	}
	switch {
	case lx.tok == token.SEMICOLON && lx.lit == "\n": // inserted: it has no text
		return lx.off
	case lx.tok == token.COMMENT && strings.HasPrefix(rest, "/*"):
		return closing(2, "*/")
	case lx.tok == token.COMMENT: // a line comment ends before its newline
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			return lx.off + j
		}
		return len(lx.src)
	case lx.tok == token.STRING && strings.HasPrefix(rest, "`"):
		return closing(1, "`")
	case lx.tok == token.ILLEGAL: // one rune, whose lit may be U+FFFD
		_, n := utf8.DecodeRuneInString(rest)
		return lx.off + n
	case lx.lit != "":
		return min(lx.off+len(lx.lit), len(lx.src))
	}
	return min(lx.off+len(lx.tok.String()), len(lx.src))
}

// lineOf is the 1-based line of offset off.
func (lx *goLexer) lineOf(off int) int {
	return sort.Search(len(lx.lines), func(i int) bool { return lx.lines[i].end > off }) + 1
}
