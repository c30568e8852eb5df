package proto

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/beacceaf/gokernel/interp/jobs"
)

// TokenEnv names the environment variable that carries the marker token.
const TokenEnv = "GOKERNEL_MARKER_TOKEN"

// ControlFD is the worker's end of the control socketpair.
const ControlFD = 3

// A Kind names a payload type on the wire.
type Kind string

// A Message is one payload: a request or an event. Only the types of this
// package are messages.
type Message interface {
	Kind() Kind
}

// Requests, kernel to worker.
type (
	// Exec runs Code as cell Cell; it is answered by a Result. Path is the
	// file that the debugger names the cell by: the front end's hash of the
	// whole cell's code. Silent asks for no value.
	Exec struct {
		Cell       string `json:"cell"` // such as "In[3]"
		Code       string `json:"code"`
		Path       string `json:"path,omitempty"`
		AllowStdin bool   `json:"allow_stdin,omitempty"`
		Silent     bool   `json:"silent,omitempty"`
	}
	// Eval evaluates expressions by name, for %p and user_expressions; it
	// is answered by a Result with Exprs.
	Eval struct {
		Exprs map[string]string `json:"exprs"`
	}
	// Cancel interrupts the Exec or Eval whose ID it carries.
	Cancel struct{}
	// Complete asks for completions at Cursor, a byte offset in Code; it is
	// answered by a Completion.
	Complete struct {
		Code   string `json:"code"`
		Cursor int    `json:"cursor"`
	}
	// Inspect asks for documentation at Cursor in Code; it is answered by
	// an Inspection.
	Inspect struct {
		Code   string `json:"code"`
		Cursor int    `json:"cursor"`
		Detail int    `json:"detail,omitempty"`
	}
	// Input is a line the user typed, for a blocked stdin read.
	Input struct {
		Text string `json:"text"`
	}
	// NoInput gives the blocked stdin read end of file, after Note is
	// written to the cell's stderr.
	NoInput struct {
		Note string `json:"note,omitempty"`
	}
	// Chdir changes the worker's directory; it is answered by a Done.
	Chdir struct {
		Dir string `json:"dir"`
	}
	// Setenv sets or, with Unset, removes a variable; it is answered by a
	// Done.
	Setenv struct {
		Name  string `json:"name"`
		Value string `json:"value,omitempty"`
		Unset bool   `json:"unset,omitempty"`
	}
	// Names asks for the names earlier cells defined; it is answered by a
	// NameList.
	Names struct{}
	// JobTable answers AskJobs with the kernel's job table.
	JobTable struct {
		Jobs []jobs.Job `json:"jobs"`
	}
	// Debug carries a DAP request; it is answered by a DebugReply.
	Debug struct {
		DAP json.RawMessage `json:"dap"`
	}
)

// Events, worker to kernel.
type (
	// Result ends an Exec or Eval.
	Result struct {
		Value *string          `json:"value,omitempty"` // text/plain of the cell's value
		Err   *Error           `json:"err,omitempty"`
		Stuck bool             `json:"stuck,omitempty"` // interrupted while blocked in a call that cannot be cancelled
		Exprs map[string]Value `json:"exprs,omitempty"` // an Eval's values
	}
	// PanicFrame is one frame of the cell's code that a panic unwound, as
	// the interpreter reports it, innermost first. It comes before the
	// Result of the request it belongs to, or before the worker dies.
	PanicFrame struct {
		Cell string `json:"cell"` // such as "In[3]"
		Pos  string `json:"pos"`  // line:column in the cell
		Func string `json:"func"` // the function, such as "main" or "f"
	}
	// Display is rich output, placed in stdout by the sync marker Seq.
	Display struct {
		Seq       uint64         `json:"seq"`
		Action    string         `json:"action"` // ActionDisplay, ActionUpdate or ActionClear
		Data      map[string]any `json:"data,omitempty"`
		Metadata  map[string]any `json:"metadata,omitempty"`
		DisplayID string         `json:"display_id,omitempty"`
		Wait      bool           `json:"wait,omitempty"` // ActionClear: clear when the next output comes
	}
	// InputRequest says that the running cell blocks reading stdin. It is
	// answered by Input or NoInput.
	InputRequest struct {
		Prompt   string `json:"prompt,omitempty"`
		Password bool   `json:"password,omitempty"`
	}
	// Completion answers Complete.
	Completion struct {
		Matches []string `json:"matches"`
		Start   int      `json:"start"`
		End     int      `json:"end"`
	}
	// Inspection answers Inspect.
	Inspection struct {
		Found bool           `json:"found,omitempty"`
		Doc   map[string]any `json:"doc,omitempty"`
	}
	// Done answers Chdir and Setenv; Err is set on failure.
	Done struct {
		Err *Error `json:"err,omitempty"`
	}
	// NameList answers Names.
	NameList struct {
		Names []string `json:"names"`
	}
	// DebugReply answers Debug with the DAP response.
	DebugReply struct {
		DAP json.RawMessage `json:"dap"`
	}
	// DebugEvent is a DAP event, such as a stopped thread.
	DebugEvent struct {
		DAP json.RawMessage `json:"dap"`
	}
	// AskJobs asks the kernel for its job table (package interp/jobs); it
	// is answered by a JobTable with the same ID.
	AskJobs struct{}
)

// The actions of a Display event.
const (
	ActionDisplay = "display"
	ActionUpdate  = "update"
	ActionClear   = "clear"
)

// Kind implements Message.
func (Exec) Kind() Kind         { return "exec" }
func (Eval) Kind() Kind         { return "eval" }
func (Cancel) Kind() Kind       { return "cancel" }
func (Complete) Kind() Kind     { return "complete" }
func (Inspect) Kind() Kind      { return "inspect" }
func (Input) Kind() Kind        { return "input" }
func (NoInput) Kind() Kind      { return "no_input" }
func (Chdir) Kind() Kind        { return "chdir" }
func (Setenv) Kind() Kind       { return "setenv" }
func (Names) Kind() Kind        { return "names" }
func (JobTable) Kind() Kind     { return "job_table" }
func (Debug) Kind() Kind        { return "debug" }
func (Result) Kind() Kind       { return "result" }
func (PanicFrame) Kind() Kind   { return "panic_frame" }
func (Display) Kind() Kind      { return "display" }
func (InputRequest) Kind() Kind { return "input_request" }
func (Completion) Kind() Kind   { return "completion" }
func (Inspection) Kind() Kind   { return "inspection" }
func (Done) Kind() Kind         { return "done" }
func (NameList) Kind() Kind     { return "name_list" }
func (DebugReply) Kind() Kind   { return "debug_reply" }
func (DebugEvent) Kind() Kind   { return "debug_event" }
func (AskJobs) Kind() Kind      { return "ask_jobs" }

// requests and events decode each kind of payload, for the readers.
var (
	requests = table(of[Exec](), of[Eval](), of[Cancel](), of[Complete](), of[Inspect](), of[Input](),
		of[NoInput](), of[Chdir](), of[Setenv](), of[Names](), of[JobTable](), of[Debug]())
	events = table(of[Result](), of[PanicFrame](), of[Display](), of[InputRequest](), of[Completion](),
		of[Inspection](), of[Done](), of[NameList](), of[DebugReply](), of[DebugEvent](), of[AskJobs]())
)

// A decoder makes the payload of one kind from its JSON body.
type decoder struct {
	kind   Kind
	decode func(body json.RawMessage) (Message, error)
}

// of is the decoder of payload type T.
func of[T Message]() decoder {
	var zero T
	return decoder{kind: zero.Kind(), decode: func(body json.RawMessage) (Message, error) {
		var m T
		if len(body) == 0 {
			return m, nil
		}
		err := json.Unmarshal(body, &m)
		return m, err
	}}
}

func table(ds ...decoder) map[Kind]decoder {
	t := make(map[Kind]decoder, len(ds))
	for _, d := range ds {
		t[d.kind] = d
	}
	return t
}

// envelope is one line on the control socket, as read: the body waits
// until its kind is known.
type envelope struct {
	ID   uint64          `json:"id,omitempty"`
	Kind Kind            `json:"kind"`
	Body json.RawMessage `json:"body,omitempty"`
}

// outEnvelope is one line as written: the body is encoded in the same pass.
type outEnvelope struct {
	ID   uint64  `json:"id,omitempty"`
	Kind Kind    `json:"kind"`
	Body Message `json:"body"`
}

// Write writes message m, for request id (0 for none), as one line, in
// one Write call. A message that cannot be encoded, such as a display
// whose data holds a NaN, is an error wrapping ErrEncode, and nothing is
// written. Callers serialise their writes.
func Write(w io.Writer, id uint64, m Message) error {
	b, err := json.Marshal(outEnvelope{ID: id, Kind: m.Kind(), Body: m})
	if err != nil {
		return fmt.Errorf("%w %s: %w", ErrEncode, m.Kind(), err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("proto: write %s: %w", m.Kind(), err)
	}
	return nil
}

// ErrEncode is wrapped by Write's error for a message that cannot be
// encoded.
var ErrEncode = errors.New("proto: cannot encode")

// Errors of one message, after which the next one can be read: a kind the
// reader does not know, and a body that does not fit its kind.
var (
	ErrUnknownKind = errors.New("proto: unknown message kind")
	ErrBadBody     = errors.New("proto: malformed message body")
)

// Skippable tells whether err concerns only the message just read, so
// that the reader can go on with the next one.
func Skippable(err error) bool {
	return errors.Is(err, ErrUnknownKind) || errors.Is(err, ErrBadBody)
}

// ReadRequest reads the next request: a value of one of the request
// types. After an error for which Skippable is true, the next message
// can be read.
func ReadRequest(dec *json.Decoder) (id uint64, m Message, err error) {
	return read(dec, requests)
}

// ReadEvent reads the next event: a value of one of the event types.
// After an error for which Skippable is true, the next message can be
// read.
func ReadEvent(dec *json.Decoder) (id uint64, m Message, err error) {
	return read(dec, events)
}

func read(dec *json.Decoder, kinds map[Kind]decoder) (uint64, Message, error) {
	var env envelope
	if err := dec.Decode(&env); err != nil {
		return 0, nil, err
	}
	d, ok := kinds[env.Kind]
	if !ok {
		return env.ID, nil, fmt.Errorf("%w %q", ErrUnknownKind, env.Kind)
	}
	m, err := d.decode(env.Body)
	if err != nil {
		return env.ID, nil, fmt.Errorf("%w: %s: %w", ErrBadBody, env.Kind, err)
	}
	return env.ID, m, nil
}

// Value is the result of one expression: text or an error.
type Value struct {
	Text *string `json:"text,omitempty"`
	Err  *Error  `json:"err,omitempty"`
}

// Error describes a failure of a cell. Name is one of the Ename constants.
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

// String returns the frame as the cell's traceback shows it, such as
// "In[3]:2:1: panic: main(...)".
func (f PanicFrame) String() string {
	return f.Cell + ":" + f.Pos + ": panic: " + f.Func + "(...)"
}
