package gosrc

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// HostPath is the import path of the host functions that the Prelude
// calls. The worker provides them with [HostSymbols] before it evaluates
// the Prelude.
const HostPath = "gokernel/host"

// Host is what the worker gives the host functions (see [HostSymbols]).
type Host struct {
	// GoroutinePanicked is called when a goroutine that a cell started
	// panics: pos is the position of its go statement, such as "In[3]:4:2",
	// and v the panic value. The goroutine then ends, and the worker lives
	// on.
	GoroutinePanicked func(pos string, v any)
	// InexactRecover, unless nil, is called when a cell reads the message
	// of a recovered runtime error that cannot be Go's in full (see
	// recoverBuiltin).
	InexactRecover func()
	// Reflected, unless nil, is called when a cell applies reflect to a
	// value of a notebook type (see reflectCall).
	Reflected func()
	// Interrupted, unless nil, returns a channel that is closed when the
	// running cell is interrupted; a select that the host runs (see
	// hostSelect) then stops waiting.
	Interrupted func() <-chan struct{}
}

// HostSymbols returns the symbol table of [HostPath], in the form yaegi's
// Interpreter.Use takes, with h's callbacks. Besides those, Sprint and
// Sprintln format the operands of the print and println builtins (see
// printBuiltin), Recovered turns the value of recover into Go's (see
// recoverBuiltin), ShiftCount checks a shift's count, AssertionError makes
// a failed type assertion's panic value (see assertIface), and Select runs the
// select statements of cells (see hostSelect).
func HostSymbols(h Host) map[string]map[string]reflect.Value {
	if h.Reflected == nil {
		h.Reflected = func() {}
	}
	return map[string]map[string]reflect.Value{
		HostPath + "/host": {
			"GoroutinePanicked": reflect.ValueOf(h.GoroutinePanicked),
			"Sprint":            reflect.ValueOf(sprint(false)),
			"Sprintln":          reflect.ValueOf(sprint(true)),
			"Recovered":         reflect.ValueOf(func(v any) (any, bool) { return goRecovered(v, h.InexactRecover) }),
			"Reflected":         reflect.ValueOf(h.Reflected),
			"ShiftCount":        reflect.ValueOf(shiftCount),
			"AssertionError":    reflect.ValueOf(assertionError),
			"Select":            reflect.ValueOf(hostSelectFunc(h.Interrupted)),
		},
	}
}

// goStmt makes a goroutine that a cell starts recover its own panic and
// hand it to the worker through the Prelude's __gk_gorecover, with the go
// statement's position. Unrecovered, the panic would end the worker and
// every variable of the notebook with it.
//
// A func literal gets the deferred call as its first statement:
//
//	go func(n int) { … }(i)  →  go func(n int) { defer __gk_gorecover("In[3]:4:1"); … }(i)
//
// Any other call becomes the call of a func literal whose parameters carry
// the function value, the receiver and the arguments, so that, as in Go,
// they are evaluated at the go statement:
//
//	go worker(i, ch)  →  go func(__gk1 int, __gk2 chan int) { defer __gk_gorecover("…"); worker(__gk1, __gk2) }(i, ch)
//
// A closure that captured them instead would see later values: yaegi
// v0.16.1 makes a goroutine's closure when the goroutine starts. So when an
// argument is neither a constant nor a variable whose type gosrc knows, the
// statement stays as written, and its goroutine's panic still ends the
// worker.
func (r *rewriter) goStmt(n *ast.GoStmt) {
	line, col := lineCol(r.c.code, r.off(n.Pos()))
	recov := "defer __gk_gorecover(" + strconv.Quote(fmt.Sprintf("%s:%d:%d", r.c.cell, line, col)) + "); "
	call := n.Call
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		r.e.insert(r.off(lit.Body.Lbrace)+1, " "+recov, r.unitEnd)
		return
	}
	var params, values []string
	// pass makes x, a variable of a known type, a parameter of the literal.
	pass := func(x ast.Expr) (string, bool) {
		id, ok := ast.Unparen(x).(*ast.Ident)
		if !ok {
			return "", false
		}
		o := r.env.lookup(id.Name)
		if o == nil || o.kind != objVar {
			return "", false
		}
		t, ok := r.env.text(r.env.typeOf(id))
		if !ok {
			return "", false
		}
		name := r.temp()
		params = append(params, name+" "+t)
		values = append(values, id.Name)
		return name, true
	}
	fn := r.text(call.Fun)
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if o := r.env.lookup(f.Name); o != nil && o.kind == objVar {
			var ok bool
			if fn, ok = pass(f); !ok {
				return
			}
		}
	case *ast.SelectorExpr:
		id, isIdent := f.X.(*ast.Ident)
		if o := r.env.lookup(identName(id, isIdent)); o == nil || o.kind != objPkg {
			recv, ok := pass(f.X) // a method value: its receiver is evaluated now
			if !ok {
				return
			}
			fn = recv + "." + f.Sel.Name
		}
	default:
		return
	}
	var args []string
	for _, a := range call.Args {
		if id, ok := ast.Unparen(a).(*ast.Ident); isConstant(a) || ok && id.Name == "nil" && r.env.lookup("nil") == nil {
			args = append(args, r.text(a))
			continue
		}
		name, ok := pass(a)
		if !ok {
			return
		}
		args = append(args, name)
	}
	ell := ""
	if call.Ellipsis != token.NoPos {
		ell = "..."
	}
	text := "go func(" + strings.Join(params, ", ") + ") { " + recov + fn + "(" + strings.Join(args, ", ") + ell + ") }(" + strings.Join(values, ", ") + ")"
	r.e.replace(r.off(n.Pos()), r.off(n.End()), text, r.unitEnd)
}
