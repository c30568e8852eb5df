// Package symbols holds the yaegi symbol tables that gokernel adds to yaegi
// v0.16.1's own, and the interpreted generic helpers that yaegi lacks.
//
// The worker sets up its interpreter like this:
//
//	i := interp.New(interp.Options{Unrestricted: true, ...})
//	i.Use(stdlib.Symbols)       // yaegi's tables first: they wire fmt, log and os
//	i.Use(syscall.Symbols)      // to the interpreter's stdio and sandbox
//	i.Use(unsafe.Symbols)
//	i.Use(unrestricted.Symbols) // os/exec, syscall.Kill, the real os.Exit
//	i.Use(symbols.Symbols)
//	symbols.LoadGeneric(i)
//
// # Symbols
//
// [Symbols] has three parts.
//
//   - A delta over yaegi's tables, which stop at Go 1.22: only the symbols
//     that Go 1.23 to 1.26 added to packages yaegi covers (strings.Lines,
//     strings.SplitSeq, bytes.Lines, os.OpenRoot, os.CopyFS, crypto/rand.Text,
//     encoding/binary.Append, log/slog.DiscardHandler, sync/atomic.AndInt32,
//     os/exec.ErrWaitDelay, ...), plus the non-generic API of the packages
//     yaegi lacks: crypto/fips140, crypto/hpke, crypto/mlkem, crypto/sha3,
//     structs and testing/synctest. It never holds a symbol that yaegi's
//     tables define: re-registering fmt, os or log symbols would undo
//     yaegi's wiring of them to the interpreter's Stdout and sandbox. The
//     generated files carry //go:build go1.26, the Go version that produced
//     them.
//   - The generic functions crypto/pbkdf2.Key and crypto/hkdf.Key, Extract
//     and Expand, instantiated at hash.Hash (symbols.go), so that
//     pbkdf2.Key(sha256.New, ...) works in a cell.
//   - A part of golang.org/x/sys/unix (key "golang.org/x/sys/unix/unix",
//     about 1,800 symbols) for a Linux systems-programming course: files and
//     descriptors, fifos, pipes, poll, select, epoll, eventfd, timerfd,
//     inotify, signals, processes, wait, mmap, rlimits, prctl, unix sockets,
//     errno values, uname, sysinfo. Its constants differ per architecture,
//     so it exists for linux/amd64 and linux/arm64 only; on other platforms
//     the key is absent and the import fails.
//
// Not provided, because they are generic and the extractor cannot export
// them: the packages iter, unique and weak, and errors.AsType,
// reflect.TypeFor, reflect.TypeAssert, runtime.AddCleanup,
// math/rand/v2.N, sync.OnceValue, sync.OnceValues, sync/atomic.Pointer,
// database/sql.Null, hash/maphash.Comparable and WriteComparable. yaegi
// also does not run range-over-func, so the iterators that Symbols does
// provide (strings.Lines, maps.Keys, ...) are called as functions:
//
//	strings.Lines(s)(func(l string) bool { ...; return true })
//
// # Generic helpers
//
// yaegi interprets its own partial source copies of slices, maps and cmp,
// but most of their functions fail in a cell ("undefined type for E"),
// because yaegi cannot infer E from a parameter of type S ~[]E. Besides,
// slices.Sort, Max, Sorted and the iterator functions are missing.
// [LoadGeneric] compiles the sources in internal/generic into the
// interpreter. They declare every function of Go 1.26's slices and maps
// packages, with []E and map[K]V parameters; a redeclared function replaces
// yaegi's version. They are ordinary Go packages as well, tested against
// the standard library. What works in a cell then:
//
//   - the slices and maps functions with inferred type arguments, named
//     slice types as arguments included: slices.Sort(xs), slices.Max(xs),
//     slices.Sorted(maps.Keys(m)), slices.SortFunc(ps, func(a, b P) int {...}),
//     except as listed below;
//   - cmp.Compare and cmp.Less (yaegi's own).
//
// What still does not work, all of it yaegi's limits:
//
//   - A top-level x := f(...) or var x = f(...) where f is generic and returns
//     a type-parameter type fails with a nil pointer dereference ("nil
//     reflect type" for a user's own func id[T any](T) T). Using the result
//     directly, converting it (x := []int(slices.Clone(s))), declaring x
//     first (var x []int; x = slices.Clone(s)), or doing it inside a func
//     all work.
//   - Type arguments are not inferred from variadic parameters alone:
//     slices.Concat[int](a, b) and cmp.Or[string](a, b) need them.
//   - Values of the iter.Seq types that host functions return need an
//     explicit type argument: slices.Collect[string](strings.SplitSeq(s, ",")).
//   - maps.EqualFunc on two maps of the same map[string]int type infers the
//     wrong types; give them: maps.EqualFunc[string, int, int](m1, m2, eq).
//   - Explicit type arguments have one parameter fewer than in Go
//     (slices.Index[int], not slices.Index[[]int, int]), and results are
//     plain []E rather than the argument's named slice type.
//   - slices.Insert with no value to insert fails in yaegi's compiler.
//   - The iter package, min, max and clear do not exist.
//
// # Regenerating
//
// Run go generate ./interp/symbols (about 80 s on two cores). It runs
// internal/gensymbols, which reads yaegi's tables from the module cache,
// runs yaegi's extractor (package github.com/traefik/yaegi/extract) on
// every package yaegi covers and on the new ones, excluding the symbols
// yaegi already has, and rewrites every file it generated before; run it
// with -v to list the files, their sizes in symbols and the generic API it
// had to skip. The packages are listed in one place, at the top of
// internal/gensymbols/main.go: newStd for standard packages yaegi lacks,
// unixInclude for the x/sys/unix subset, and extra for further packages,
// such as the kernel's own cell packages.
package symbols

//go:generate go run ./internal/gensymbols
