// Package proto is the small protocol between the kernel process and its
// Go worker process.
//
// Requests and events travel as JSON lines on a socketpair that is the
// worker's fd 3. The worker's fd 1 and fd 2 are pipes that carry the cell's
// own output; the worker marks points in them with marker lines that no
// cell can forge, because they contain a random token from the
// environment:
//
//	"\x00GK" + token + " end " + seq + "\n"   on fd 1 and fd 2, after a request's output
//	"\x00GK" + token + " sync " + seq + "\n"  on fd 1, where display event seq belongs
//
// The kernel forwards everything before a marker as stream output, and
// treats the request as finished only when both pipes have shown its end
// marker. Marker lines are shorter than PIPE_BUF, so their writes are atomic
// even when a cell's goroutines write at the same time.
package proto

import (
	"encoding/json"
	"strconv"

	"github.com/beacceaf/gokernel/interp/jobs"
)

// TokenEnv names the environment variable that carries the marker token.
const TokenEnv = "GOKERNEL_MARKER_TOKEN"

// ControlFD is the worker's end of the control socketpair.
const ControlFD = 3

// Request operations, kernel to worker.
const (
	OpExec     = "exec"     // run Code as cell Cell
	OpEval     = "eval"     // evaluate Exprs, for %p and user_expressions
	OpCancel   = "cancel"   // interrupt the running request
	OpComplete = "complete" // completions at Cursor in Code
	OpInspect  = "inspect"  // documentation at Cursor in Code
	OpInput    = "input"    // a line the user typed, for a blocked stdin read
	OpNoInput  = "no_input" // give the blocked stdin read end of file, after Text is printed
	OpChdir    = "chdir"    // change the worker's directory to Text
	OpSetenv   = "setenv"   // set Name to Text (Unset removes it)
	OpNames    = "names"    // the names earlier cells defined
	OpJobs     = "jobs"     // the answer to EvJobs: the kernel's job table in Jobs
	OpDebug    = "debug"    // a DAP request in DAP, answered by EvDone with the response in DAP
)

// Event operations, worker to kernel.
const (
	EvResult   = "result"        // the request ID has finished
	EvDisplay  = "display"       // rich output, placed by the sync marker Seq
	EvInput    = "input_request" // the cell blocks reading stdin
	EvComplete = "complete"
	EvInspect  = "inspect"
	EvDone     = "done"  // the answer to chdir, setenv and names; Err is set on failure
	EvJobs     = "jobs"  // a cell asks for the kernel's job table (package interp/jobs)
	EvDebug    = "debug" // a DAP event in DAP, such as a stopped thread
)

// Request is a message from the kernel to the worker.
type Request struct {
	ID         uint64            `json:"id"`
	Op         string            `json:"op"`
	Cell       string            `json:"cell,omitempty"` // the cell's name, such as "In[3]"
	Code       string            `json:"code,omitempty"`
	Cursor     int               `json:"cursor,omitempty"` // byte offset
	Detail     int               `json:"detail,omitempty"`
	AllowStdin bool              `json:"allow_stdin,omitempty"`
	Silent     bool              `json:"silent,omitempty"`
	Exprs      map[string]string `json:"exprs,omitempty"`
	Name       string            `json:"name,omitempty"`
	Text       string            `json:"text,omitempty"`
	Unset      bool              `json:"unset,omitempty"`
	Jobs       []jobs.Job        `json:"jobs,omitempty"`
	// Path is the file the debugger names an exec request's cell by: the
	// front end's hash of the whole cell's code.
	Path string          `json:"path,omitempty"`
	DAP  json.RawMessage `json:"dap,omitempty"`
}

// Event is a message from the worker to the kernel.
type Event struct {
	ID  uint64 `json:"id"`
	Op  string `json:"op"`
	Seq uint64 `json:"seq,omitempty"`

	// EvResult
	Value *string          `json:"value,omitempty"` // text/plain of the cell's value
	Err   *Error           `json:"err,omitempty"`
	Stuck bool             `json:"stuck,omitempty"` // interrupted while blocked in a call that cannot be cancelled
	Exprs map[string]Value `json:"exprs,omitempty"`

	// EvDisplay: Kind is "display", "update" or "clear".
	Kind      string         `json:"kind,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	DisplayID string         `json:"display_id,omitempty"`
	Wait      bool           `json:"wait,omitempty"`

	// EvInput
	Prompt   string `json:"prompt,omitempty"`
	Password bool   `json:"password,omitempty"`

	// EvComplete and EvInspect
	Matches []string       `json:"matches,omitempty"`
	Start   int            `json:"start,omitempty"`
	End     int            `json:"end,omitempty"`
	Found   bool           `json:"found,omitempty"`
	Doc     map[string]any `json:"doc,omitempty"`

	// EvDebug, and EvDone answering OpDebug
	DAP json.RawMessage `json:"dap,omitempty"`
}

// Value is the result of one expression: text or an error.
type Value struct {
	Text *string `json:"text,omitempty"`
	Err  *Error  `json:"err,omitempty"`
}

// Error describes a failure of a cell.
type Error struct {
	Name      string   `json:"name"`
	Value     string   `json:"value"`
	Traceback []string `json:"traceback"`
}

// Marker returns the marker line of the given kind and sequence number.
func Marker(token, kind string, seq uint64) string {
	return "\x00GK" + token + " " + kind + " " + strconv.FormatUint(seq, 10) + "\n"
}

// MarkerPrefix is what every marker line of token starts with.
func MarkerPrefix(token string) string { return "\x00GK" + token + " " }
