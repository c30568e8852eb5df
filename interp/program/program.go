package program

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"regexp"
	"strconv"
	"strings"
)

// mainDecl finds a line that could start a declaration of func main, so
// that ordinary cells are told apart without being parsed.
var mainDecl = regexp.MustCompile(`\bfunc\s+main\s*\(`)

// Detect tells whether code is a whole program: it declares a function
// main, not a method, outside any brackets. The rest of the cell need not
// be valid Go: building it then reports the errors as the Go compiler does,
// for instance a statement outside a function body.
func Detect(code string) bool {
	if !mainDecl.MatchString(code) {
		return false
	}
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	depth := 0
	var last [2]token.Token // the two tokens before, at depth 0
	var lastName string
	for {
		_, tok, lit := s.Scan()
		switch tok {
		case token.EOF:
			return false
		case token.LPAREN, token.LBRACE, token.LBRACK:
			if depth == 0 && tok == token.LPAREN && last == [2]token.Token{token.FUNC, token.IDENT} && lastName == "main" {
				return true
			}
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		if depth == 0 {
			last, lastName = [2]token.Token{last[1], tok}, lit
		}
	}
}

// Imports returns the import paths of the program in code, in source order.
func Imports(code string) []string {
	f := parse(code)
	if f == nil {
		return nil
	}
	var paths []string
	for _, im := range f.Imports {
		if p, err := strconv.Unquote(im.Path.Value); err == nil {
			paths = append(paths, p)
		}
	}
	return paths
}

// IsStd tells whether an import path names a package of the standard
// library (or cgo's "C"): its first element has no dot, as in Go's own
// rule for module paths.
func IsStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// hasPackage tells whether code starts with a package clause.
func hasPackage(code string) bool {
	_, err := parser.ParseFile(token.NewFileSet(), "", code, parser.PackageClauseOnly)
	return err == nil
}

// parse parses code as a file, or returns nil.
func parse(code string) *ast.File {
	if !hasPackage(code) {
		code = "package main;" + code
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", code, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	return f
}

// Source returns the file to build or interpret for the program in code:
// the code itself, after "package main" when it has no package clause, and
// with a //line directive, so that positions in compile errors and panic
// frames name file and count lines and columns as the cell does.
func Source(file, code string) string {
	directive := "//line " + file + ":1:1\n"
	if hasPackage(code) {
		return directive + code
	}
	return "package main\n" + directive + code
}
