package gosrc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
	"unicode/utf8"

	"github.com/beacceaf/gokernel/magics/cellsyntax"
)

// An Error is a problem found in a cell before it runs: a syntax error, a
// refused construct or a conflict with an earlier cell. Its text has the
// form "In[3]:2:5: msg", like the interpreter's own errors.
type Error struct {
	Cell string // the cell name given to Compile, such as "In[3]"
	Line int    // 1-based line in the cell
	Col  int    // 1-based column, in bytes
	Msg  string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Cell, e.Line, e.Col, e.Msg)
}

// piece is a run of tokens between two semicolons at bracket depth 0.
// start is the offset of its first token, end the offset after its last.
type piece struct {
	start, end int
	first      token.Token // the piece's first token
}

// scanned is what one pass of go/scanner learns about a cell.
type scanned struct {
	pieces   []piece
	depth    int // bracket depth at the end of the cell
	minDepth int // lowest depth reached; negative means a stray closer
	badOff   int // offset of the first stray closer, when minDepth < 0
	// unterminated is set when a string, raw string, rune or comment runs
	// to the end of the cell.
	unterminated bool
	lastEnd      int // offset after the last token
}

// scan cuts code at semicolons (explicit or automatic) at depth 0.
func scan(code string) scanned {
	var res scanned
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	var s scanner.Scanner
	s.Init(file, []byte(code), func(pos token.Position, msg string) {
		if strings.HasSuffix(msg, "not terminated") {
			res.unterminated = true
		}
	}, 0)
	cur := piece{start: -1}
	flush := func() {
		if cur.start >= 0 {
			res.pieces = append(res.pieces, cur)
		}
		cur = piece{start: -1}
	}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if tok == token.SEMICOLON && res.depth == 0 {
			flush()
			continue
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // an automatic semicolon inside brackets: no text
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			res.depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			res.depth--
			if res.depth < res.minDepth {
				if res.minDepth == 0 {
					res.badOff = off
				}
				res.minDepth = res.depth
			}
		}
		if cur.start < 0 {
			cur.start, cur.first = off, tok
		}
		cur.end = off + tokenLen(code, off, tok, lit)
		res.lastEnd = cur.end
	}
	flush()
	return res
}

// tokenLen is the length in bytes of the token at off in code.
func tokenLen(code string, off int, tok token.Token, lit string) int {
	if tok == token.STRING && off < len(code) && code[off] == '`' {
		// The scanner drops carriage returns from raw strings' lit.
		if i := strings.IndexByte(code[off+1:], '`'); i >= 0 {
			return i + 2
		}
		return len(code) - off
	}
	if tok == token.ILLEGAL && off < len(code) { // lit may be U+FFFD for a bad byte
		_, n := utf8.DecodeRuneInString(code[off:])
		return n
	}
	n := len(tok.String())
	if lit != "" {
		n = len(lit)
	}
	return min(n, len(code)-off)
}

// lineCol gives the 1-based line and byte column of offset off in code.
func lineCol(code string, off int) (line, col int) {
	if off > len(code) {
		off = len(code)
	}
	line = 1 + strings.Count(code[:off], "\n")
	col = off - (strings.LastIndexByte(code[:off], '\n') + 1) + 1
	return line, col
}

// parsed is one group of pieces parsed either as declarations or as
// statements, with what is needed to map its nodes back to the cell.
type parsed struct {
	fset  *token.FileSet
	tf    *token.File
	src   string // the source given to the parser
	base  int    // offset in src where the cell text starts
	start int    // offset in the cell where the group starts
	end   int    // offset in the cell where the group ends
	decl  bool
	file  *ast.File
	stmts []ast.Stmt // for statement groups
}

// off is the offset in the cell of position p.
func (p *parsed) off(pos token.Pos) int { return p.tf.Offset(pos) - p.base + p.start }

// text is the source of node n as written in the cell.
func (p *parsed) text(n ast.Node) string {
	return p.src[p.tf.Offset(n.Pos()):p.tf.Offset(n.End())]
}

// parseErr is a parse failure, with its offset in the cell (which may lie
// past the end of the cell text when the parser reached the end).
type parseErr struct {
	off int
	err *Error
}

const (
	declHead = "package p\n"
	stmtHead = "package p\nfunc _() {\n"
	stmtTail = "\n}\n"
)

// parseGroup parses code[start:end] as declarations (decl) or as the body of
// a function. Positions in errors are cell positions.
func parseGroup(fset *token.FileSet, cell, code string, start, end int, decl bool) (*parsed, *parseErr) {
	line, col := lineCol(code, start)
	dir := fmt.Sprintf("//line %s:%d:%d\n", cell, line, col)
	head, tail := declHead, "\n"
	if !decl {
		head, tail = stmtHead, stmtTail
	}
	src := head + dir + code[start:end] + tail
	p := &parsed{fset: fset, src: src, base: len(head) + len(dir), start: start, end: end, decl: decl}
	f, err := parser.ParseFile(p.fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		pe := &parseErr{off: len(code), err: &Error{Cell: cell, Line: line, Col: col, Msg: err.Error()}}
		if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
			e := list[0]
			pe.off = e.Pos.Offset - p.base + start
			pe.err = &Error{Cell: cell, Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg}
			if pe.off >= end { // the parser reached the end of the text, or our wrapper
				pe.err.Msg = strings.Replace(e.Msg, "found '}'", "found 'EOF'", 1)
				pe.err.Line, pe.err.Col = lineCol(code, end)
			}
			if e.Pos.Filename != cell { // before the directive: should not happen
				pe.err.Line, pe.err.Col = line, col
			}
		}
		return nil, pe
	}
	p.file = f
	p.tf = p.fset.File(f.Pos())
	if !decl {
		if len(f.Decls) != 1 {
			return nil, &parseErr{off: start, err: &Error{Cell: cell, Line: line, Col: col, Msg: "unexpected declaration"}}
		}
		fd, ok := f.Decls[0].(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			return nil, &parseErr{off: start, err: &Error{Cell: cell, Line: line, Col: col, Msg: "unexpected declaration"}}
		}
		p.stmts = fd.Body.List
	}
	return p, nil
}

// split cuts code into groups, each of which parses either as declarations
// or as statements. Pieces are merged greedily: a group grows until it
// parses, which joins the three clauses of a for statement, for example.
func split(cell, code string, sc scanned) ([]*parsed, *parseErr) {
	var groups []*parsed
	fset := token.NewFileSet() // one for all groups, which go/types checks together
	ps := sc.pieces
	if len(ps) > 0 && isPackageClause(code[ps[0].start:ps[0].end]) {
		ps = ps[1:] // a pasted file: the cell is package main already
	}
	for i := 0; i < len(ps); {
		var found *parsed
		j := i
		// Only a keyword can start a declaration: a statement such as
		// x := 1 is not parsed as one first, to fail.
		decl := declStart[ps[i].first]
		for ; j < len(ps) && found == nil; j++ {
			if decl {
				if p, err := parseGroup(fset, cell, code, ps[i].start, ps[j].end, true); err == nil {
					found = p
					continue
				}
			}
			if p, err := parseGroup(fset, cell, code, ps[i].start, ps[j].end, false); err == nil {
				found = p
			}
		}
		if found == nil {
			return groups, remainderErr(cell, code, ps[i].start, ps[len(ps)-1].end)
		}
		groups = append(groups, found)
		i = j
	}
	if strings.Contains(code, "goto") {
		groups = joinStmtGroups(fset, cell, code, groups)
	}
	return groups, nil
}

// declStart are the tokens that a package-level declaration starts with.
var declStart = map[token.Token]bool{token.IMPORT: true, token.CONST: true, token.TYPE: true, token.VAR: true, token.FUNC: true}

// joinStmtGroups parses each run of consecutive statement groups again as
// one group, so that a goto may see a label in another statement (see
// joinGotos). A run that does not parse as one stays as it was.
func joinStmtGroups(fset *token.FileSet, cell, code string, groups []*parsed) []*parsed {
	var out []*parsed
	for i := 0; i < len(groups); i++ {
		j := i
		for j+1 < len(groups) && !groups[i].decl && !groups[j+1].decl {
			j++
		}
		if j > i {
			if p, err := parseGroup(fset, cell, code, groups[i].start, groups[j].end, false); err == nil {
				out = append(out, p)
				i = j
				continue
			}
		}
		out = append(out, groups[i])
	}
	return out
}

// splitCell is split, except that a cell whose last piece is a list of
// expressions, such as "a, b", which Go does not accept as a statement, is
// split without it: tuple is then that piece, whose values the cell shows.
func splitCell(cell, code string, sc scanned) (groups []*parsed, tuple *piece, perr *parseErr) {
	groups, perr = split(cell, code, sc)
	n := len(sc.pieces)
	if perr == nil || n == 0 {
		return groups, nil, perr
	}
	last := sc.pieces[n-1]
	if exprCount(code[last.start:last.end]) < 2 {
		return groups, nil, perr
	}
	rest := sc
	rest.pieces = sc.pieces[:n-1]
	if g, err := split(cell, code, rest); err == nil {
		return g, &last, nil
	}
	return groups, nil, perr
}

// exprCount is the number of expressions in text when it is a list of
// expressions, such as "a, b", or else 0.
func exprCount(text string) int {
	x, err := parser.ParseExpr("_(" + text + ")") // text ends with a token
	if err != nil {
		return 0
	}
	call, ok := x.(*ast.CallExpr)
	if !ok || call.Ellipsis != token.NoPos {
		return 0
	}
	return len(call.Args)
}

// isPackageClause reports whether text is "package name".
func isPackageClause(text string) bool {
	f := strings.Fields(text)
	return len(f) == 2 && f[0] == "package" && token.IsIdentifier(f[1])
}

// remainderErr reports why code[start:end] does not parse. The first
// token decides whether it is read as declarations or as statements; a
// func followed by "(" may be either (a method or a func literal), and the
// error that lies further into the text wins.
func remainderErr(cell, code string, start, end int) *parseErr {
	fset := token.NewFileSet()
	_, de := parseGroup(fset, cell, code, start, end, true)
	_, se := parseGroup(fset, cell, code, start, end, false)
	switch {
	case de == nil:
		return se
	case se == nil:
		return de
	}
	var s scanner.Scanner
	s.Init(fset.AddFile("", -1, end-start), []byte(code[start:end]), nil, 0)
	_, first, _ := s.Scan()
	_, second, _ := s.Scan()
	switch {
	case first == token.IMPORT || first == token.TYPE || first == token.CONST || first == token.VAR:
		return de
	case first == token.FUNC && second == token.IDENT:
		return de
	case first == token.FUNC && second == token.LPAREN && de.off > se.off:
		return de
	}
	return se
}

// IsComplete tells whether a cell is ready to run, as Jupyter's
// is_complete_request asks: "complete", "incomplete" (with the indent of
// the next line) or "invalid". It reads the cell as the kernel runs it:
// [cellsyntax.Split] finds its Go code, magic lines and shell commands, so
// a magic line in mid-cell is no Go syntax error. A cell magic, as in
// IPython, is complete once its last line is blank: a console that asks
// while the user types its body then waits for an empty line before running.
// In the Go code, unclosed brackets, unterminated strings or comments, and
// a statement cut short at the end of the cell (such as a trailing
// operator) are incomplete, and so is a shell command continued by a
// backslash on the cell's last line. A misplaced magic line, or Go code cut
// short before a magic line, is invalid, as are other syntax errors.
func IsComplete(code string) (status, indent string) {
	segs, err := cellsyntax.Split(code)
	if err != nil {
		return "invalid", ""
	}
	for k, seg := range segs {
		last := k == len(segs)-1
		switch {
		case seg.Kind == cellsyntax.CellMagic:
			if i := strings.LastIndexByte(code, '\n'); i < 0 || strings.TrimSpace(code[i:]) != "" {
				return "incomplete", ""
			}
		case seg.Kind == cellsyntax.Go:
			status, indent := goComplete(seg.Text)
			switch {
			case status == "complete":
			case status == "incomplete" && last:
				return status, indent
			default:
				return "invalid", ""
			}
		case seg.Continued():
			return "incomplete", ""
		}
	}
	return "complete", ""
}

// goComplete is IsComplete for Go code alone.
func goComplete(code string) (status, indent string) {
	sc := scan(code)
	switch {
	case sc.minDepth < 0:
		return "invalid", ""
	case sc.unterminated:
		return "incomplete", ""
	case sc.depth > 0:
		return "incomplete", strings.Repeat("    ", sc.depth)
	}
	if _, _, err := splitCell("In[0]", code, sc); err != nil {
		if err.off >= sc.lastEnd {
			return "incomplete", ""
		}
		return "invalid", ""
	}
	return "complete", ""
}
