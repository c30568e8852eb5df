// Package gosrc analyses the Go source of notebook cells for the worker that
// runs them in the yaegi interpreter (v0.16.1). It never imports yaegi: it
// only reads and rewrites source text.
//
// [Compile] cuts a cell into units that yaegi can evaluate one at a time
// (imports, declarations and statements may be mixed in any order), drops
// imports that are already done, refuses func main and changed type
// definitions, and rewrites the Go constructs that yaegi lacks or gets
// wrong: range over integers and functions, the min, max and clear
// builtins, comma-ok forms at cell top level, per-iteration loop
// variables, and defer at the cell's own level; the evaluation orders,
// constants and print formats that yaegi gets wrong; and the value of
// recover, which becomes Go's runtime error where yaegi recovers its own
// reflect panic; a receive assigned to a field, an element or a pointed-to
// variable, which yaegi lost; and select statements, which the host's
// Select runs so that goroutines running one select at once do not share
// its cases. It refuses the constructs that yaegi would run wrongly or
// forever, such as a deferred call of a closure of the same function.
// [IsFault] tells a panic that yaegi raised in its own code from the cell's.
//
// A cell behaves like a Go package's declarations followed by statements:
// imports run first, then the statements in the order written, and the
// declarations as early as the statements they use allow, all those that
// can run at the same point in one unit, so that they may refer to each
// other in any order. A trailing list of expressions, "a, b", shows all
// its values. Every unit starts with a //line directive and every rewrite is
// followed by a /*line*/ comment, so positions in errors name the cell,
// line and column the user wrote.
//
// Before it rewrites a cell, Compile type-checks it with go/types against
// what earlier cells declared (the standard library comes from Go's build
// cache through the go command in [State.GoCommand], or from GOROOT's
// sources; a package with neither, such as gokernel's own, from the
// interpreter's symbol table in [State.Symbols]). The rewrites take every
// type and constant value from go/types. Where it has none (an expression
// it could not check, a package it cannot load, or no Go toolchain, no
// GOROOT sources and no symbol table), a rewrite that needs the type is not
// made: a range over a value of unknown type stays as written (with
// [Unit.Alt] as the integer loop), a goroutine's arguments are not passed
// as parameters, a trailing call's results are counted by trial
// ([Display.Srcs]). With these facts Compile writes out the type arguments that yaegi cannot infer (from
// constants, nil or func-typed arguments, for variadic parameters, through
// core-type constraints), passes a generic call's result that declares a
// global through a conversion to its type, and writes interface{ ~T }
// constraints in their short form. go/types' errors never refuse a cell:
// [Unit.TypeErrors] gives them, in the Go compiler's words, for the worker
// to show when yaegi fails to compile the unit.
//
// A [State] remembers what earlier cells declared; [State.Names] and
// [State.Lookup] answer completion and inspection, with [IdentAt],
// [Keywords] and [Builtins]. [IsComplete] answers is_complete requests for
// whole cells: it finds their Go code, magic lines and shell commands with
// package magics/cellsyntax, as the kernel does when it runs them.
//
// # Running a plan
//
// The worker evaluates [Prelude] once, after loading the symbol tables. It
// may set [State.PkgName] and [State.Symbols] from those tables. Then,
// for each cell:
//
//  1. plan, err := Compile("In[N]", code, st). On error, report it (it
//     is an *[Error]) and run nothing.
//  2. For the last unit, when plan.Display is set: take the first of
//     Display.Srcs that yaegi's Compile accepts, evaluate it, show
//     Display.Format of the resulting string if it says so, commit the
//     unit, and stop. yaegi's Compile does not recover its own panics:
//     recover around it. When no candidate compiles, go on as for any unit.
//  3. Evaluate Unit.Src with EvalWithContext. If it fails with "nil type"
//     and Unit.Alt is set, evaluate Alt instead.
//  4. On error, report [CleanPos] of the message (for a compile error,
//     [Unit.TypeErrors] instead when there are any), followed by [Hint], and
//     stop; when it was a compile error, evaluate what [State.Fail]
//     returns, so that the cell defines nothing. On success,
//     [State.Commit] the unit.
//  5. When plan.Defers is set, evaluate [RunDefers] however the cell
//     ended ([DropDefers] after an interrupt).
//
// yaegi logs its compile panics ("nil type") on the host's standard
// logger before recovering them; a worker that retries with Alt may want to
// silence it.
package gosrc
