package gosrc

import (
	"go/scanner"
	"go/token"
	"unicode"
	"unicode/utf8"
)

// Keywords lists Go's keywords.
func Keywords() []string {
	var out []string
	for t := token.BREAK; t <= token.VAR; t++ {
		if t.IsKeyword() {
			out = append(out, t.String())
		}
	}
	return out
}

// Builtins lists Go's predeclared identifiers: types, constants, nil and
// the builtin functions.
func Builtins() []string {
	return []string{
		"any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64",
		"int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32",
		"uint64", "uintptr",
		"true", "false", "iota", "nil",
		"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
		"min", "new", "panic", "print", "println", "real", "recover",
	}
}

// IdentAt finds the identifier, or dotted chain of identifiers such as
// "fmt.Pri" or "os.Stdout.Wr", around byte offset cursor in code. start is
// where the chain begins; end is where the identifier under the cursor ends
// (end >= cursor), so code[start:cursor] is the prefix to complete and
// expr = code[start:end] the name to inspect. A chain may end with a dot
// ("fmt."). Inside a string, rune or comment nothing is found: expr is "".
func IdentAt(code string, cursor int) (start, end int, expr string) {
	if cursor < 0 || cursor > len(code) || inLiteral(code, cursor) {
		return cursor, cursor, ""
	}
	end = cursor
	for end < len(code) {
		r, n := utf8.DecodeRuneInString(code[end:])
		if !isIdentRune(r) {
			break
		}
		end += n
	}
	start = cursor
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(code[:start])
		if isIdentRune(r) || r == '.' && start-n > 0 && isIdentBefore(code[:start-n]) {
			start -= n
			continue
		}
		break
	}
	// The chain must start with an identifier, not a digit (1.5).
	for start < end {
		r, n := utf8.DecodeRuneInString(code[start:])
		if unicode.IsLetter(r) || r == '_' {
			break
		}
		start += n
	}
	if start >= end {
		return cursor, cursor, ""
	}
	return start, end, code[start:end]
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isIdentBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isIdentRune(r)
}

// inLiteral reports whether offset cursor lies inside a string, rune or
// comment of code.
func inLiteral(code string, cursor int) bool {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(code))
	var s scanner.Scanner
	s.Init(f, []byte(code), nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return false
		}
		off := f.Offset(pos)
		if off >= cursor {
			return false
		}
		switch tok {
		case token.STRING, token.CHAR, token.COMMENT:
			end := off + tokenLen(code, off, tok, lit)
			open := tok == token.COMMENT && lit[1] == '/' || // a line comment runs to the end of its line
				tok != token.COMMENT && (len(lit) < 2 || lit[len(lit)-1] != lit[0]) // unterminated
			if cursor < end || open && cursor <= end {
				return true
			}
		}
	}
}
