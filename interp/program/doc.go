// Package program handles a notebook cell that is a whole Go program: one
// that declares func main, with or without a package clause, as pasted from
// a book, a course or Go's own test suite.
//
// Such a cell runs as `go run` would run it, in a process of its own, so
// that it gets exact Go semantics. [Detect] tells such a cell from an
// ordinary one. [Source] turns it into the file that is built, with a
// //line directive that makes compile errors and panic frames name the
// cell ("In[3]:6:2"). A [Builder] compiles it with the Go toolchain into a
// cache of binaries keyed by the source and the toolchain's version, so
// that re-running an unchanged cell starts at once and an edited one costs
// only what `go build` needs for one small package. [Crash] reads the
// report a Go program prints on stderr when it panics or dies of a fatal
// error, and keeps the frames that belong to the cell.
//
// The package only reads, writes and builds source files. Running the
// binary, wiring its standard streams to the notebook and interrupting it
// belong to the worker (package interp/worker), which also falls back to
// the interpreter when no Go toolchain is installed.
package program
