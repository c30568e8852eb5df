// Package magics parses cells into Go code, magics and shell commands, and
// runs the magics: the course's file magics with their %run lines, !CMD in
// a pseudo-terminal, %p, background jobs (%bash_async and its companions)
// and the IPython habits (%cd, %env, %%bash, %%writefile, %time ...).
//
// It runs in the kernel process, never in the Go worker: commands and jobs
// it starts cannot inherit a descriptor that a cell opened. What it needs
// from the Go side (the worker's directory, evaluating an expression,
// restarting the worker) it asks through [Env], which the interpreter
// implements.
//
// # Use
//
// The interpreter keeps one [Jobs] and one [Registry] from [Builtin]:
//
//	segs, err := magics.Parse(cell)        // a syntax error names the line
//	err = reg.Check(segs)                  // unknown magics fail before anything runs
//	jobs.SetOutput(out)                    // at the start of the cell
//	for _, s := range segs {
//		if s.Kind == magics.Go {
//			run s.Padded() as Go          // line numbers are the cell's
//			continue
//		}
//		err := reg.Run(ctx, s, out, env)  // magics.AsKernelError(err) for the reply
//	}
//	jobs.SetOutput(nil)                    // at the end of the cell
//
// and calls jobs.Close() on shutdown, jobs.EndAll() when it replaces the
// worker.
//
// # Files
//
//   - magic.go: Kind, Magic, Call, Env, the errors and AsKernelError.
//   - registry.go: Registry (lookup with suggestions, Run).
//   - parse.go: Parse and Segment, from package cellsyntax, the one lexer
//     of cell syntax, which gosrc's completeness check shares.
//   - args.go: shell-like word splitting and flags in any order.
//   - builtin.go: Builtin, the ordered list of magics, and their shared state.
//   - filemagic.go: %%save_file, %%cpp, %%go, %%asm, %%makefile, %%cmake.
//   - shell.go, pty_linux.go: !CMD, the pty and pipe runners, the spawner.
//   - jobs.go, jobmagics.go: the job table and %bash_async, %jobs, %kill,
//     %wait, %job_write, %job_close.
//   - print.go: %p.
//   - ipython.go, timing.go, help.go: the IPython habits, %lsmagic, %help
//     and MarkdownTable for the README.
//   - output.go: UTF-8-safe stream decoding and display helpers.
package magics
