package proto

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/beacceaf/gokernel/interp/jobs"
)

// TestRoundTrip writes each kind of message and reads it back as the same
// value, with its ID.
func TestRoundTrip(t *testing.T) {
	text := "42"
	tests := []struct {
		request bool
		m       Message
	}{
		{true, Exec{Cell: "In[3]", Code: "x := 1", Path: "/tmp/1.go", AllowStdin: true, Silent: true}},
		{true, Eval{Exprs: map[string]string{"a": "x + 1"}}},
		{true, Cancel{}},
		{true, Complete{Code: "fmt.Pr", Cursor: 6}},
		{true, Inspect{Code: "fmt.Println", Cursor: 3, Detail: 1}},
		{true, Input{Text: "line\n"}},
		{true, NoInput{Note: NoStdin}},
		{true, Chdir{Dir: "/tmp"}},
		{true, Setenv{Name: "A", Value: "b"}},
		{true, Setenv{Name: "A", Unset: true}},
		{true, Names{}},
		{true, JobTable{Jobs: []jobs.Job{{N: 1, Name: "sleep", PID: 7, Running: true}}}},
		{true, Debug{DAP: json.RawMessage(`{"seq":1}`)}},
		{false, Result{Value: &text}},
		{false, Result{Err: &Error{Name: EnamePanic, Value: "boom", Traceback: []string{"panic: boom"}}, Stuck: true}},
		{false, Result{Exprs: map[string]Value{"a": {Text: &text}}}},
		{false, PanicFrame{Cell: "In[3]", Pos: "2:1", Func: "main"}},
		{false, Display{Seq: 4, Action: ActionUpdate, Data: map[string]any{"text/plain": "x"}, DisplayID: "d"}},
		{false, InputRequest{Prompt: "? ", Password: true}},
		{false, Completion{Matches: []string{"Println"}, Start: 4, End: 6}},
		{false, Inspection{Found: true, Doc: map[string]any{"text/plain": "doc"}}},
		{false, Done{Err: &Error{Name: EnameError, Value: "no such dir", Traceback: []string{}}}},
		{false, NameList{Names: []string{"x"}}},
		{false, DebugReply{DAP: json.RawMessage(`{"success":true}`)}},
		{false, DebugEvent{DAP: json.RawMessage(`{"event":"stopped"}`)}},
		{false, AskJobs{}},
	}
	for k, tt := range tests {
		t.Run(string(tt.m.Kind()), func(t *testing.T) {
			var buf bytes.Buffer
			id := uint64(k + 1)
			if err := Write(&buf, id, tt.m); err != nil {
				t.Fatal(err)
			}
			read := ReadEvent
			if tt.request {
				read = ReadRequest
			}
			gotID, got, err := read(json.NewDecoder(&buf))
			if err != nil {
				t.Fatalf("read %s: %v", buf.String(), err)
			}
			if gotID != id || !reflect.DeepEqual(got, tt.m) {
				t.Fatalf("read back id %d %#v, want id %d %#v", gotID, got, id, tt.m)
			}
		})
	}
}

// TestReadSkips reads a request of a kind the reader does not know, an
// event sent as a request, a body that does not fit its kind, and then a
// good request after them.
func TestReadSkips(t *testing.T) {
	var buf bytes.Buffer
	enc := &buf
	buf.WriteString(`{"id":1,"kind":"teleport","body":{}}` + "\n")
	if err := Write(enc, 2, Result{}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`{"id":3,"kind":"exec","body":{"code":42}}` + "\n")
	if err := Write(enc, 4, Names{}); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	for _, want := range []struct {
		id  uint64
		err error
	}{{1, ErrUnknownKind}, {2, ErrUnknownKind}, {3, ErrBadBody}} {
		id, _, err := ReadRequest(dec)
		if !errors.Is(err, want.err) || !Skippable(err) || id != want.id {
			t.Fatalf("id %d: err %v, want %v for id %d", id, err, want.err, want.id)
		}
	}
	if id, m, err := ReadRequest(dec); err != nil || id != 4 || m != (Names{}) {
		t.Fatalf("after the skipped messages: id %d %#v %v", id, m, err)
	}
	if _, _, err := ReadRequest(dec); err == nil || Skippable(err) {
		t.Fatalf("at the end: %v, want an error that ends reading", err)
	}
}

// TestWriteUnencodable writes a display that JSON cannot hold: an error
// wrapping ErrEncode, and nothing written.
func TestWriteUnencodable(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, 0, Display{Seq: 1, Data: map[string]any{"application/json": math.NaN()}})
	if !errors.Is(err, ErrEncode) || buf.Len() != 0 {
		t.Fatalf("err %v, wrote %q; want ErrEncode and nothing", err, buf.String())
	}
}

func TestPanicFrameString(t *testing.T) {
	f := PanicFrame{Cell: "In[7]", Pos: "1:15", Func: "main.boom"}
	if got, want := f.String(), "In[7]:1:15: panic: main.boom(...)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
