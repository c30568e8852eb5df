// Package cellsyntax is the one lexer of notebook cell syntax: it tells
// where a cell's Go code is, and where its line magics (%name ARGS), shell
// commands (!CMD), cell magic (%%name ARGS) and help requests (NAME?) are.
//
// Everything that needs that answer asks [Split]: package magics, to run
// the segments in order, and package gosrc, to judge whether a cell is
// complete. So a %p line in the middle of a cell, a ! line after a
// statement, or a line inside a raw string that looks like a magic, is the
// same thing to all of them.
//
// Go lines are read with the standard library's go/scanner, the lexer the
// Go compiler's front end shares, so "inside a raw string", "inside a
// comment", "inside brackets" and "a statement may start here" (after an
// explicit or automatic semicolon) mean what they mean in Go.
//
// The package imports nothing of gokernel's: the kernel process and the Go
// worker may both use it.
package cellsyntax
