package gosrc

import (
	"fmt"
	"go/ast"
	"reflect"
	"strconv"
	"strings"
)

// HostPath is the import path of the host functions that the Prelude
// calls. The worker provides them with [HostSymbols] before it evaluates
// the Prelude.
const HostPath = "gokernel/host"

// HostSymbols returns the symbol table of [HostPath], in the form yaegi's
// Interpreter.Use takes. goroutinePanicked is called when a goroutine that a
// cell started panics: pos is the position of its go statement, such as
// "In[3]:4:2", and v the panic value. The goroutine then ends, and the
// worker lives on.
func HostSymbols(goroutinePanicked func(pos string, v any)) map[string]map[string]reflect.Value {
	return map[string]map[string]reflect.Value{
		HostPath + "/host": {"GoroutinePanicked": reflect.ValueOf(goroutinePanicked)},
	}
}

// goStmt makes a goroutine that a cell starts recover its own panic and
// report it through the Prelude's __gk_gocall, with the go statement's
// position. Unrecovered, the panic would end the worker and every variable
// of the notebook with it.
//
// As in Go, the function value and the arguments are evaluated at the go
// statement: capturedCall's temporaries are assigned in statements right
// before it, in the same statement list (a go statement is never a simple
// statement, so it always stands in one). They are not wrapped in a func
// literal: yaegi's debugger follows a goroutine only while the statement
// that started it runs, and shows it as a thread of its own only when a go
// statement calls a named function, here __gk_gocall.
func (r *rewriter) goStmt(n *ast.GoStmt) {
	line, col := lineCol(r.c.code, r.off(n.Pos()))
	pos := strconv.Quote(fmt.Sprintf("%s:%d:%d", r.c.cell, line, col))
	caps, body := r.capturedCall(n.Call)
	text := strings.Join(caps, "") + "go __gk_gocall(" + pos + ", func() { " + body + " })"
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}
