package kernel

import (
	"context"
)

// An Interpreter runs cells for a [Server]. It deals only in data: it never
// sees a socket, a message header or an execution counter.
//
// Concurrency: the Server calls Execute from one goroutine, never
// concurrently with itself. Complete, Inspect and IsComplete may be called
// while Execute runs, from other goroutines.
//
// Cancellation: the ctx given to Execute is cancelled when the user
// interrupts the cell. Execute must then return promptly (within about two
// seconds), reporting the interruption in ExecuteResult.Err.
//
// Panics: a panic in an Interpreter method is a bug in the interpreter. The
// Server recovers it, logs it and reports it to the user as an error, so one
// bad cell never ends the kernel.
type Interpreter interface {
	// Info describes the language for kernel_info_reply.
	Info() Info

	// Execute runs one cell. Output produced while it runs goes to out.
	// out stays valid after Execute returns, so that background work may
	// keep writing to it.
	Execute(ctx context.Context, req *ExecuteRequest, out Output) *ExecuteResult

	// Complete proposes completions at cursor, a byte offset into code.
	Complete(ctx context.Context, code string, cursor int) Completion

	// Inspect describes the name at cursor, a byte offset into code.
	Inspect(ctx context.Context, code string, cursor, detail int) Inspection

	// IsComplete tells whether code is ready to be executed.
	IsComplete(ctx context.Context, code string) Completeness

	// Close ends the interpreter and every process it started. The Server
	// calls it once, on shutdown.
	Close() error
}

// Info is the language part of kernel_info_reply.
type Info struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
	HelpLinks             []HelpLink
	Language              LanguageInfo
}

// HelpLink is one entry of the front end's Help menu.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// LanguageInfo is kernel_info_reply's language_info.
type LanguageInfo struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	MIMEType          string `json:"mimetype"`
	FileExtension     string `json:"file_extension"`
	PygmentsLexer     string `json:"pygments_lexer,omitempty"`
	CodeMirrorMode    string `json:"codemirror_mode,omitempty"`
	NBConvertExporter string `json:"nbconvert_exporter,omitempty"`
}

// ExecuteRequest is one cell to run. New protocol fields are added here, so
// implementations never break when the protocol grows.
type ExecuteRequest struct {
	Code string
	// Count is the execution count the cell is shown with, In[Count].
	// For a silent cell, or one that is not stored in history, it is the
	// current count, which the cell does not advance.
	Count        int
	Silent       bool
	StoreHistory bool
	AllowStdin   bool
	// UserExpressions maps names to expressions to evaluate after the cell.
	UserExpressions map[string]string
}

// ExecuteResult is the outcome of a cell.
type ExecuteResult struct {
	// Value is the cell's value, shown as execute_result. Nil means none.
	Value Bundle
	// Err is set when the cell failed. The Server publishes it as an
	// error message and puts it in the reply.
	Err *Error
	// Payload holds reply payloads, such as a pager page.
	Payload []map[string]any
	// UserExpressions holds the results for ExecuteRequest.UserExpressions,
	// each a Bundle or an *Error.
	UserExpressions map[string]ExpressionResult
}

// ExpressionResult is the value of one user expression: either Value or Err.
type ExpressionResult struct {
	Value Bundle
	Err   *Error
}

// Error is a cell's failure, as the protocol carries it.
type Error struct {
	Name      string   // ename: the kind of error, such as "CompileError"
	Value     string   // evalue: the message
	Traceback []string // lines shown to the user; never nil when sent
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Name + ": " + e.Value }

// Completion is the answer to a complete_request. Start and End are byte
// offsets into the code; the Server converts them to code points.
type Completion struct {
	Matches    []string
	Start, End int
	Metadata   map[string]any
}

// Inspection is the answer to an inspect_request.
type Inspection struct {
	Found bool
	Data  Bundle
}

// Completeness is the answer to an is_complete_request.
type Completeness struct {
	Status string // "complete", "incomplete", "invalid" or "unknown"
	Indent string // for "incomplete": the indent of the next line
}

// Bundle is a MIME bundle: data keyed by MIME type.
type Bundle map[string]any

// Text returns a bundle with only text/plain.
func Text(s string) Bundle { return Bundle{"text/plain": s} }

// Output carries a cell's output to the front end. It is safe for
// concurrent use, and it stays valid after Execute returns.
type Output interface {
	// Stream appends text to the "stdout" or "stderr" stream. While the
	// front ends are behind with earlier output it waits, so that a fast
	// writer is slowed to their pace; once they have taken nothing for a
	// few seconds, it returns at once and the oldest waiting text is
	// dropped with a note saying how much.
	Stream(name, text string)
	// Display shows b. A non-empty id lets Update replace it later.
	Display(b Bundle, metadata map[string]any, id string)
	// Update replaces the display with the given id everywhere.
	Update(b Bundle, metadata map[string]any, id string)
	// ClearOutput clears the cell's output; with wait, only when new
	// output arrives.
	ClearOutput(wait bool)
	// Input asks the user for a line of text. It fails at once when the
	// request did not allow stdin, and when ctx ends.
	Input(ctx context.Context, prompt string, password bool) (string, error)
	// Flush sends buffered stream text now.
	Flush()
}
