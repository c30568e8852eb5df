package proto

// Error names: the ename of a cell's error, as the user sees it. The
// kernel and the worker name errors only with these.
const (
	EnameCompile     = "CompileError"     // found before the code ran
	EnameBuild       = "BuildError"       // a whole program did not build
	EnamePanic       = "Panic"            // the cell panicked
	EnameRuntime     = "RuntimeError"     // a Go runtime error, such as a nil dereference
	EnameFatal       = "FatalError"       // a whole program's fatal error
	EnameGoroutine   = "GoroutinePanic"   // a goroutine the cell started panicked
	EnameExit        = "Exit"             // os.Exit, log.Fatal, or a program's exit status
	EnameInterrupted = "Interrupted"      // the user interrupted the cell
	EnameInterpreter = "InterpreterError" // the interpreter failed in its own code
	EnameInternal    = "InternalError"    // the worker failed around the cell
	EnameWorkerDied  = "WorkerDied"       // the worker process died during the cell
	EnameWorker      = "WorkerError"      // no worker could be started
	EnameName        = "NameError"        // nothing is known by that name
	EnameError       = "Error"            // a request other than a cell failed
)

// Messages that the user sees, shared by the kernel and the worker.
const (
	// Interrupted is the value of an Interrupted error.
	Interrupted = "the cell was interrupted"
	// StateKept ends the traceback of an interrupted cell.
	StateKept = "variables of earlier cells are kept"
	// StateLost says what a new worker means for the notebook.
	StateLost = "the variables, functions and imports of earlier cells are gone"
	// NoStdin is written to the cell's stderr when it reads stdin and the
	// front end cannot answer.
	NoStdin = "stdin: this front end does not accept input (allow_stdin is false, as in nbconvert), so the read gets end of file.\n"
)
