package magics

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

// Kind tells how a magic is invoked: as a line magic (%name, or !CMD for the
// shell), as a cell magic (%%name on a cell's first line), or both. It is a
// bit set: LineCell is Line|Cell.
type Kind uint8

// The kinds of magic.
const (
	Line Kind = 1 << iota // %name ARGS on a line of its own
	Cell                  // %%name ARGS as the first line of a cell
)

// LineCell is the kind of a magic that can be invoked either way.
const LineCell = Line | Cell

// String returns "line", "cell" or "line, cell".
func (k Kind) String() string {
	switch k {
	case Line:
		return "line"
	case Cell:
		return "cell"
	case LineCell:
		return "line, cell"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ShellName is the name of the entry that runs !CMD lines. It is a line
// magic whose spelling is "!" rather than "%!".
const ShellName = "!"

// A Magic is one entry of a [Registry]: a name, how it is invoked, its help
// texts and the function that runs it. Magics are plain values; the ordered
// list in [Builtin] is the only place that registers them.
type Magic struct {
	Name    string   // as typed, without % or %%: "bash_async"
	Aliases []string // other names for the same magic, such as "file" for "writefile"
	Kind    Kind
	Usage   string // one line: "%bash_async CMD"
	Short   string // one sentence, for %lsmagic and the README table
	Long    string // more help, for %help NAME and %NAME?; may be empty
	// Raw magics receive their argument text in Call.Line only, unsplit:
	// a shell command or a Go expression is not a list of words.
	Raw bool
	// Run runs the magic. It returns a *UsageError for bad arguments.
	Run func(ctx context.Context, c *Call) error
}

// Spelling returns how the magic is written when invoked as kind k:
// "%name", "%%name", or "!" for the shell.
func (m *Magic) Spelling(k Kind) string {
	if m.Name == ShellName {
		return ShellName
	}
	if k == Cell {
		return "%%" + m.Name
	}
	return "%" + m.Name
}

// A Call is one invocation of a magic.
type Call struct {
	Magic *Magic
	Name  string // the name as typed, which may be an alias
	Kind  Kind   // Line or Cell: how the magic was invoked
	Pos   int    // 1-based line of the magic in its cell
	Line  string // the argument text after the name, trimmed
	// Args is Line split into words as a shell would (quotes and
	// backslashes); nil for Raw magics.
	Args     []string
	Body     string // for cell magics: the cell after its first line
	Out      kernel.Output
	Env      Env
	Registry *Registry // the registry the magic was found in
}

// Spelling returns how the magic was written: "%cd", "%%cpp" or "!".
func (c *Call) Spelling() string {
	if c.Magic != nil && c.Magic.Name == ShellName {
		return ShellName
	}
	if c.Kind == Cell {
		return "%%" + c.Name
	}
	return "%" + c.Name
}

// usagef returns a *UsageError for this call. The message starts with the
// magic's spelling.
func (c *Call) usagef(format string, a ...any) error {
	u := ""
	if c.Magic != nil {
		u = c.Magic.Usage
	}
	return &UsageError{Usage: u, Err: fmt.Errorf("%s: "+format, append([]any{c.Spelling()}, a...)...)}
}

// Env is what magics need from the Go side of the kernel. The interpreter
// (package interp) implements it; it is declared here, where it is used.
//
// Methods that take a ctx may talk to the worker process and must return
// promptly when ctx ends.
type Env interface {
	// Dir returns the working directory of the Go worker. Shell commands,
	// jobs and file magics run there.
	Dir() string
	// Chdir moves the worker to dir, an absolute path.
	Chdir(ctx context.Context, dir string) error
	// Setenv sets an environment variable in both the kernel process (so
	// that shell commands and jobs see it) and the worker.
	Setenv(ctx context.Context, name, value string) error
	// Unsetenv removes an environment variable from both processes.
	Unsetenv(ctx context.Context, name string) error
	// Eval evaluates a Go expression in the worker and returns its value
	// formatted for people, as %p shows it.
	Eval(ctx context.Context, expr string) (string, error)
	// RunGo runs Go code in the worker as if it were a cell of its own.
	// Its output goes to the current cell's output.
	RunGo(ctx context.Context, code string) error
	// Reset replaces the worker with a fresh one: every variable is lost.
	Reset(ctx context.Context) error
	// Names lists the variables, constants, types and functions that
	// earlier cells defined.
	Names(ctx context.Context) ([]string, error)
}

// Sentinel errors, for errors.Is.
var (
	// ErrNoSuchMagic matches the error for an unknown magic name.
	ErrNoSuchMagic = errors.New("magics: no such magic")
	// ErrNoSuchJob matches the error for a job number that was never given.
	ErrNoSuchJob = errors.New("magics: no such job")
	// ErrClosed is returned when a job is started after Jobs.Close.
	ErrClosed = errors.New("magics: jobs closed")
)

// A UsageError reports a magic used the wrong way: an unknown name, a
// missing or extra argument, a bad flag. It is shown as one line followed by
// the usage line, without a traceback.
type UsageError struct {
	Usage string // the magic's usage line; empty when no magic was found
	Err   error
}

// Error returns the one-line message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// A NotFoundError reports a magic name that is not in the registry. It
// matches [ErrNoSuchMagic].
type NotFoundError struct {
	Name string // as typed, without % or %%
	Kind Kind   // how it was invoked
	// Other is set when the name exists as the other kind of magic.
	Other *Magic
	// Suggestion is the spelling of the closest known magic, if any.
	Suggestion string
}

// Error describes the missing magic and what was probably meant.
func (e *NotFoundError) Error() string {
	spell := "%" + e.Name
	what := "line magic"
	if e.Kind == Cell {
		spell = "%" + spell
		what = "cell magic"
	}
	if e.Other != nil {
		other := Cell
		if e.Kind == Cell {
			other = Line
		}
		return fmt.Sprintf("%s %s not found (%s magic %s exists; did you mean it?)",
			what, spell, other, e.Other.Spelling(other))
	}
	msg := fmt.Sprintf("unknown %s %s", what, spell)
	if e.Suggestion != "" {
		return msg + fmt.Sprintf("; did you mean %s?", e.Suggestion)
	}
	return msg + " (%lsmagic lists them all)"
}

// Is reports whether target is ErrNoSuchMagic.
func (e *NotFoundError) Is(target error) bool { return target == ErrNoSuchMagic }

// AsKernelError turns an error returned by [Registry.Run] into the error a
// cell reports. A *UsageError becomes a "UsageError" whose traceback is the
// message and the usage line; any other error becomes a "MagicError" with
// the message as its only traceback line. It returns nil for nil.
//
// An interpreter that reports interrupts in its own way should check its
// ctx before calling AsKernelError.
func AsKernelError(err error) *kernel.Error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		tb := []string{ue.Error()}
		if ue.Usage != "" {
			tb = append(tb, "usage: "+ue.Usage)
		}
		return &kernel.Error{Name: "UsageError", Value: ue.Error(), Traceback: tb}
	}
	msg := err.Error()
	return &kernel.Error{Name: "MagicError", Value: msg, Traceback: strings.Split(msg, "\n")}
}
