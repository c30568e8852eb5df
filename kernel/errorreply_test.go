package kernel_test

import (
	"context"
	"testing"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// panickyInspect is a FakeInterpreter whose Inspect panics, so that a
// request handler panics inside the kernel.
type panickyInspect struct{ kerneltest.FakeInterpreter }

func (p *panickyInspect) Inspect(ctx context.Context, code string, cursor, detail int) kernel.Inspection {
	panic("inspect broke")
}

// TestErrorReplies checks that every way a request can fail gets the same
// error reply: status "error", the ename, a string evalue and a traceback
// that is a list of strings, plus the fields of its reply type.
func TestErrorReplies(t *testing.T) {
	conn, err := wire.FreeTCPConnection("test-key")
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, conn, &panickyInspect{})
	execute := func(code string) map[string]any {
		return map[string]any{"code": code, "silent": false, "store_history": true,
			"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": false}
	}
	executeFields := []string{"execution_count", "payload", "user_expressions"}
	tests := []struct {
		name, channel, msgType string
		content                map[string]any
		ename                  string
		extra                  []string // fields of the reply type besides the error's
	}{
		{"unknown control message", "control", "no_such_request", map[string]any{}, "UnknownMessageType", nil},
		{"malformed content", "shell", "complete_request", map[string]any{"code": 42}, "BadRequest", nil},
		{"a handler panics", "shell", "inspect_request", map[string]any{"code": "x", "cursor_pos": 1}, "KernelError", nil},
		{"a cell fails", "shell", "execute_request", execute("fail boom"), "FakeError", executeFields},
		{"the interpreter panics in a cell", "shell", "execute_request", execute("panic oops"), "KernelError", executeFields},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := c.Send(tc.channel, tc.msgType, tc.content)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Reply(timeout(t), tc.channel, h.MsgID)
			if err != nil {
				t.Fatal(err)
			}
			rc := content(t, r)
			if rc["status"] != "error" || rc["ename"] != tc.ename {
				t.Errorf("reply %v: want status error, ename %s", rc, tc.ename)
			}
			if _, ok := rc["evalue"].(string); !ok {
				t.Errorf("evalue %#v is not a string", rc["evalue"])
			}
			tb, ok := rc["traceback"].([]any)
			if !ok || len(tb) == 0 {
				t.Errorf("traceback %#v is not a non-empty list", rc["traceback"])
			}
			for _, line := range tb {
				if _, ok := line.(string); !ok {
					t.Errorf("traceback line %#v is not a string", line)
				}
			}
			for _, k := range tc.extra {
				if _, ok := rc[k]; !ok {
					t.Errorf("reply %v has no %s", rc, k)
				}
			}
		})
	}
}
