package kernel_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// start serves a FakeInterpreter on loopback ports and returns a client
// that is ready to use.
func start(t *testing.T) (*kerneltest.Client, *kerneltest.FakeInterpreter) {
	t.Helper()
	conn, err := wire.FreeTCPConnection("test-key")
	if err != nil {
		t.Fatal(err)
	}
	return startOn(t, conn)
}

// startOn serves a FakeInterpreter on conn's sockets.
func startOn(t *testing.T, conn *wire.ConnectionInfo) (*kerneltest.Client, *kerneltest.FakeInterpreter) {
	t.Helper()
	fake := &kerneltest.FakeInterpreter{}
	return serve(t, conn, fake), fake
}

// serve serves in on conn's sockets and returns a client that is ready
// to use.
func serve(t *testing.T, conn *wire.ConnectionInfo, in kernel.Interpreter) *kerneltest.Client {
	t.Helper()
	srv, err := kernel.NewServer(conn, in, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	c, err := kerneltest.Dial(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	readyCtx, readyCancel := context.WithTimeout(ctx, 10*time.Second)
	defer readyCancel()
	if err := c.WaitReady(readyCtx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		cancel()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	return c
}

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func content(t *testing.T, m *wire.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExecuteCountsAndPublishes(t *testing.T) {
	c, fake := start(t)
	ctx := timeout(t)
	tests := []struct {
		code      string
		opts      []kerneltest.ExecOption
		wantCount float64
		wantTypes string
		stdout    string
	}{
		{"print hi\nvalue 3", nil, 1, "status execute_input stream execute_result status", "hi\n"},
		{"print again", nil, 2, "status execute_input stream status", "again\n"},
		{"print quiet", []kerneltest.ExecOption{kerneltest.WithContent("silent", true)}, 2, "status stream status", "quiet\n"},
		{"value 1", []kerneltest.ExecOption{kerneltest.WithContent("store_history", false)}, 2, "status execute_input execute_result status", ""},
		{"value 2", nil, 3, "status execute_input execute_result status", ""},
	}
	for _, tt := range tests {
		e, err := c.Execute(ctx, tt.code, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		rc := e.ReplyContent()
		if rc["status"] != "ok" || rc["execution_count"] != tt.wantCount {
			t.Errorf("%q: reply %v, want ok with count %v", tt.code, rc, tt.wantCount)
		}
		var types []string
		for _, m := range e.IOPub {
			types = append(types, m.Header.MsgType)
		}
		if got := strings.Join(types, " "); got != tt.wantTypes {
			t.Errorf("%q: iopub %s, want %s", tt.code, got, tt.wantTypes)
		}
		if got := e.Stdout(); got != tt.stdout {
			t.Errorf("%q: stdout %q, want %q", tt.code, got, tt.stdout)
		}
	}
	if cells := fake.Executed(); len(cells) != len(tests) || cells[2].Count != 2 || !cells[2].Silent {
		t.Errorf("interpreter saw %+v", cells)
	}
}

func TestErrorAbortsQueuedCells(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	var ids []string
	for _, code := range []string{"sleep 300\nfail boom", "print never", "print never again"} {
		h, err := c.Send("shell", "execute_request", map[string]any{"code": code, "stop_on_error": true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.MsgID)
	}
	want := []string{"error", "aborted", "aborted"}
	for k, id := range ids {
		r, err := c.Reply(ctx, "shell", id)
		if err != nil {
			t.Fatal(err)
		}
		rc := content(t, r)
		if rc["status"] != want[k] {
			t.Errorf("reply %d: status %v, want %s", k, rc["status"], want[k])
		}
		if k == 0 {
			if rc["ename"] != "FakeError" || rc["evalue"] != "boom" {
				t.Errorf("error reply %v", rc)
			}
			if tb, ok := rc["traceback"].([]any); !ok || len(tb) == 0 {
				t.Errorf("traceback %v, want a non-empty list", rc["traceback"])
			}
		}
	}
	// The kernel still runs cells afterwards.
	e, err := c.Execute(ctx, "print after")
	if err != nil || e.Stdout() != "after\n" {
		t.Fatalf("after the abort: %v %q %v %d", err, e.Stdout(), e.ReplyContent(), len(e.IOPub))
	}
}

func TestInterruptOnControlWhileBusy(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	h, err := c.Send("shell", "execute_request", map[string]any{"code": "block"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	ki, _ := c.Send("control", "kernel_info_request", map[string]any{})
	if r, err := c.Reply(ctx, "control", ki.MsgID); err != nil || content(t, r)["protocol_version"] != "5.3" {
		t.Fatalf("kernel_info on control while busy: %v", err)
	}
	ir, _ := c.Send("control", "interrupt_request", map[string]any{})
	if _, err := c.Reply(ctx, "control", ir.MsgID); err != nil {
		t.Fatal(err)
	}
	r, err := c.Reply(ctx, "shell", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if rc := content(t, r); rc["status"] != "error" || rc["ename"] != "Interrupted" {
		t.Errorf("interrupted cell reply %v", rc)
	}
}

func TestRequests(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	if _, err := c.Execute(ctx, "print first"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(ctx, "print second"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		channel, msgType string
		content          map[string]any
		check            func(map[string]any) bool
	}{
		{"shell", "kernel_info_request", nil, func(r map[string]any) bool {
			li, _ := r["language_info"].(map[string]any)
			return r["protocol_version"] == "5.3" && li["name"] == "fake" && r["implementation"] == "fake"
		}},
		{"shell", "is_complete_request", map[string]any{"code": "a \\"}, func(r map[string]any) bool {
			return r["status"] == "incomplete" && r["indent"] == "  "
		}},
		{"shell", "is_complete_request", map[string]any{"code": "a"}, func(r map[string]any) bool { return r["status"] == "complete" }},
		// Cursor positions count code points: "é" is one, though two bytes.
		{"shell", "complete_request", map[string]any{"code": "é fooBar foo", "cursor_pos": 12}, func(r map[string]any) bool {
			m, _ := r["matches"].([]any)
			return len(m) == 1 && m[0] == "fooBar" && r["cursor_start"] == 9.0 && r["cursor_end"] == 12.0
		}},
		{"shell", "inspect_request", map[string]any{"code": "x", "cursor_pos": 1}, func(r map[string]any) bool {
			d, _ := r["data"].(map[string]any)
			return r["found"] == true && d["text/plain"] == "doc of x"
		}},
		{"shell", "history_request", map[string]any{"hist_access_type": "tail", "n": 1, "output": false, "raw": true}, func(r map[string]any) bool {
			h, _ := r["history"].([]any)
			if len(h) != 1 {
				return false
			}
			e, _ := h[0].([]any)
			return len(e) == 3 && e[2] == "print second"
		}},
		{"shell", "history_request", map[string]any{"hist_access_type": "search", "pattern": "*first*", "output": false, "raw": true}, func(r map[string]any) bool {
			h, _ := r["history"].([]any)
			return len(h) == 1
		}},
		{"shell", "history_request", map[string]any{"hist_access_type": "range", "session": 0, "start": 1, "stop": 3, "output": false, "raw": true}, func(r map[string]any) bool {
			h, _ := r["history"].([]any)
			return len(h) == 2
		}},
		{"shell", "comm_info_request", map[string]any{}, func(r map[string]any) bool {
			comms, ok := r["comms"].(map[string]any)
			return ok && len(comms) == 0
		}},
	}
	for _, tt := range tests {
		h, err := c.Send(tt.channel, tt.msgType, tt.content)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Reply(ctx, tt.channel, h.MsgID)
		if err != nil {
			t.Fatalf("%s: %v", tt.msgType, err)
		}
		if r.Header.MsgType != strings.TrimSuffix(tt.msgType, "_request")+"_reply" {
			t.Errorf("%s: reply type %s", tt.msgType, r.Header.MsgType)
		}
		if rc := content(t, r); !tt.check(rc) {
			t.Errorf("%s %v: reply %v", tt.msgType, tt.content, rc)
		}
	}
}

func TestBadInputKeepsKernelUp(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	bad := [][][]byte{
		{[]byte("<IDS|MSG>"), []byte("deadbeef"), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}")}, // bad signature
		{[]byte("no delimiter")},
		{[]byte("<IDS|MSG>"), []byte("")}, // missing frames
	}
	for _, frames := range bad {
		if err := c.SendRaw("shell", frames); err != nil {
			t.Fatal(err)
		}
	}
	// An unknown message type gets busy and idle, and no reply.
	if _, err := c.Send("shell", "no_such_request", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	// Content of the wrong shape gets an error reply.
	h, _ := c.Send("shell", "complete_request", map[string]any{"code": 42})
	r, err := c.Reply(ctx, "shell", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if rc := content(t, r); rc["status"] != "error" {
		t.Errorf("bad content reply %v", rc)
	}
	// A panicking interpreter is reported and the kernel stays up.
	e, err := c.Execute(ctx, "panic oops")
	if err != nil {
		t.Fatal(err)
	}
	if rc := e.ReplyContent(); rc["status"] != "error" || rc["ename"] != "KernelError" {
		t.Errorf("panic reply %v", rc)
	}
	// A 10 MB cell is fine.
	big := "value " + strings.Repeat("x", 10<<20)
	e, err = c.Execute(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	res := e.Of("execute_result")
	if len(res) != 1 {
		t.Fatalf("big cell: %d execute_result messages", len(res))
	}
	var rc struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(res[0].Content, &rc); err != nil || len(rc.Data["text/plain"]) != 10<<20 {
		t.Errorf("big cell value: %d bytes, %v", len(rc.Data["text/plain"]), err)
	}
}

func TestInputRoundTrip(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	h, err := c.Send("shell", "execute_request", map[string]any{"code": "input name?", "allow_stdin": true})
	if err != nil {
		t.Fatal(err)
	}
	req, err := c.Reply(ctx, "stdin", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.MsgType != "input_request" || content(t, req)["prompt"] != "name?" {
		t.Fatalf("got %s %v", req.Header.MsgType, content(t, req))
	}
	if _, err := c.Send("stdin", "input_reply", map[string]any{"value": "Ada", "status": "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reply(ctx, "shell", h.MsgID); err != nil {
		t.Fatal(err)
	}
	// Without allow_stdin, the cell is told at once.
	e, err := c.Execute(ctx, "input again?")
	if err != nil {
		t.Fatal(err)
	}
	if rc := e.ReplyContent(); rc["ename"] != "InputError" || !strings.Contains(rc["evalue"].(string), "allow_stdin") {
		t.Errorf("reply %v", rc)
	}
}

func TestIPCTransport(t *testing.T) {
	conn := &wire.ConnectionInfo{
		Transport: "ipc", IP: filepath.Join(t.TempDir(), "kernel"),
		ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5,
		Key: "k", SignatureScheme: "hmac-sha256",
	}
	c, _ := startOn(t, conn)
	ctx := timeout(t)
	e, err := c.Execute(ctx, "print over ipc")
	if err != nil || e.Stdout() != "over ipc\n" {
		t.Fatalf("execute over ipc: %v %q", err, e.Stdout())
	}
	if err := c.Heartbeat(ctx); err != nil {
		t.Errorf("heartbeat over ipc: %v", err)
	}
}

func TestShutdown(t *testing.T) {
	c, _ := start(t)
	ctx := timeout(t)
	h, _ := c.Send("control", "shutdown_request", map[string]any{"restart": true})
	r, err := c.Reply(ctx, "control", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if rc := content(t, r); rc["status"] != "ok" || rc["restart"] != true {
		t.Errorf("shutdown reply %v", rc)
	}
}
