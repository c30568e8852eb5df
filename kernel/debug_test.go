package kernel_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// fakeDebugger is a FakeInterpreter with a debugger that answers every
// DAP request with success and its command, and for the command "emit"
// also sends an event named by the request's arguments.
type fakeDebugger struct {
	kerneltest.FakeInterpreter
	mu     sync.Mutex
	events func([]byte)
	sets   int // calls of SetDebugEvents
}

func (f *fakeDebugger) Debug(ctx context.Context, request []byte) []byte {
	var req struct {
		Seq       int             `json:"seq"`
		Command   string          `json:"command"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal(request, &req); err != nil {
		panic(err)
	}
	if req.Command == "emit" {
		f.mu.Lock()
		events := f.events
		f.mu.Unlock()
		events([]byte(`{"type":"event","seq":1,"event":` + string(req.Arguments) + `}`))
	}
	if req.Command == "garbage" {
		return []byte("{not json")
	}
	resp, _ := json.Marshal(map[string]any{"type": "response", "request_seq": req.Seq, "command": req.Command, "success": true})
	return resp
}

func (f *fakeDebugger) SetDebugEvents(events func([]byte)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = events
	f.sets++
}

// startWith serves in on loopback ports and returns a ready client.
func startWith(t *testing.T, in kernel.Interpreter) *kerneltest.Client {
	t.Helper()
	conn, err := wire.FreeTCPConnection("test-key")
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, conn, in)
}

func TestKernelInfoAnnouncesDebugger(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       kernel.Interpreter
		debugger bool
	}{
		{"without", &kerneltest.FakeInterpreter{}, false},
		{"with", &fakeDebugger{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startWith(t, tc.in)
			h, err := c.Send("control", "kernel_info_request", map[string]any{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Reply(timeout(t), "control", h.MsgID)
			if err != nil {
				t.Fatal(err)
			}
			rc := content(t, r)
			if rc["debugger"] != tc.debugger {
				t.Errorf("debugger = %v, want %v", rc["debugger"], tc.debugger)
			}
			features, _ := rc["supported_features"].([]any)
			if has := len(features) == 1 && features[0] == "debugger"; has != tc.debugger {
				t.Errorf("supported_features = %v with debugger %v", rc["supported_features"], tc.debugger)
			}
		})
	}
}

func TestDebugRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      kernel.Interpreter
		content map[string]any
		success bool
		message string // a failed reply's message
	}{
		{"no debugger", &kerneltest.FakeInterpreter{}, map[string]any{"type": "request", "seq": 3, "command": "initialize"}, false, "this kernel has no debugger"},
		{"no command", &fakeDebugger{}, map[string]any{"type": "request", "seq": 3}, false, `not a DAP request: it needs "type": "request" and a command`},
		{"not a request", &fakeDebugger{}, map[string]any{"type": "event", "seq": 3, "command": "x"}, false, `not a DAP request: it needs "type": "request" and a command`},
		{"bad seq", &fakeDebugger{}, map[string]any{"type": "request", "seq": "three", "command": "x"}, false, "malformed DAP request: json: cannot unmarshal string into Go struct field dapRequest.seq of type int"},
		{"invalid answer", &fakeDebugger{}, map[string]any{"type": "request", "seq": 3, "command": "garbage"}, false, "internal error: the debugger's answer is not JSON"},
		{"answered", &fakeDebugger{}, map[string]any{"type": "request", "seq": 3, "command": "initialize"}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startWith(t, tc.in)
			ctx := timeout(t)
			h, err := c.Send("control", "debug_request", tc.content)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Reply(ctx, "control", h.MsgID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Header.MsgType != "debug_reply" {
				t.Errorf("reply type %q", r.Header.MsgType)
			}
			rc := content(t, r)
			if rc["success"] != tc.success || rc["type"] != "response" {
				t.Errorf("reply %v, want success %v", rc, tc.success)
			}
			if !tc.success && rc["message"] != tc.message {
				t.Errorf("message %q, want %q", rc["message"], tc.message)
			}
			if cmd, _ := tc.content["command"].(string); rc["command"] != cmd {
				t.Errorf("command %v, want %q", rc["command"], cmd)
			}
			// The kernel stays up.
			if err := c.Heartbeat(ctx); err != nil {
				t.Errorf("heartbeat after the request: %v", err)
			}
		})
	}
}

func TestDebugEventsGoToIOPub(t *testing.T) {
	fake := &fakeDebugger{}
	c := startWith(t, fake)
	ctx := timeout(t)
	var last wire.Header
	for i := 0; i < 2; i++ {
		h, err := c.Send("control", "debug_request", map[string]any{"type": "request", "seq": i + 1, "command": "emit", "arguments": "stopped"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Reply(ctx, "control", h.MsgID); err != nil {
			t.Fatal(err)
		}
		last = h
	}
	events := 0
	deadline := time.Now().Add(2 * time.Second)
	for events < 2 && time.Now().Before(deadline) {
		m, err := c.IOPub(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.MsgType != "debug_event" {
			continue
		}
		events++
		if ev := content(t, m); ev["event"] != "stopped" || ev["type"] != "event" {
			t.Errorf("debug_event content %v", ev)
		}
		if p, err := m.ParentHeader(); err != nil || (events == 2 && p.MsgID != last.MsgID) {
			t.Errorf("second debug_event's parent %v (%v), want the last debug_request %s", p.MsgID, err, last.MsgID)
		}
	}
	if events != 2 {
		t.Errorf("%d debug_event messages within 2 s, want 2", events)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.sets != 1 {
		t.Errorf("SetDebugEvents called %d times, want once", fake.sets)
	}
}
