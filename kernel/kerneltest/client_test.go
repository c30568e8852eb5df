package kerneltest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/kernel/wire"
)

// echoServer is a minimal kernel for testing the Client: it answers
// kernel_info_request, echoes execute_request code to stdout and stderr,
// asks for input when allow_stdin is set, and brackets every request in
// busy/idle on IOPub.
type echoServer struct {
	t      *testing.T
	info   *wire.ConnectionInfo
	signer *wire.Signer

	shell, control, stdin, iopub, hb zmq4.Socket

	pubMu   sync.Mutex
	stdinIn chan *wire.Message
	errs    chan error    // decode errors seen on shell and control
	hbMute  chan struct{} // closed: the heartbeat stops echoing
	wg      sync.WaitGroup
}

// startEchoServer listens on info's ports, signing with serverKey.
func startEchoServer(t *testing.T, info *wire.ConnectionInfo, serverKey string) *echoServer {
	t.Helper()
	signer, err := wire.NewSigner(info.SignatureScheme, serverKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opt := zmq4.WithTimeout(2 * time.Second)
	s := &echoServer{
		t: t, info: info, signer: signer,
		shell:   zmq4.NewRouter(ctx, opt),
		control: zmq4.NewRouter(ctx, opt),
		stdin:   zmq4.NewRouter(ctx, opt),
		iopub:   zmq4.NewPub(ctx, opt),
		hb:      zmq4.NewRep(ctx, opt),
		stdinIn: make(chan *wire.Message, 8),
		errs:    make(chan error, 8),
		hbMute:  make(chan struct{}),
	}
	for _, l := range []struct {
		sock zmq4.Socket
		port int
	}{{s.shell, info.ShellPort}, {s.control, info.ControlPort}, {s.stdin, info.StdinPort}, {s.iopub, info.IOPubPort}, {s.hb, info.HBPort}} {
		if err := l.sock.Listen(info.Endpoint(l.port)); err != nil {
			s.close()
			t.Fatalf("listen: %v", err)
		}
	}
	s.wg.Add(4)
	go s.serve(s.shell)
	go s.serve(s.control)
	go s.readStdin()
	go s.heartbeat()
	t.Cleanup(s.close)
	return s
}

func (s *echoServer) close() {
	for _, sock := range []zmq4.Socket{s.shell, s.control, s.stdin, s.iopub, s.hb} {
		sock.Close()
	}
	s.wg.Wait()
}

func (s *echoServer) heartbeat() {
	defer s.wg.Done()
	for {
		msg, err := s.hb.Recv()
		if err != nil {
			return
		}
		select {
		case <-s.hbMute:
			continue
		default:
		}
		if s.hb.Send(msg) != nil {
			return
		}
	}
}

func (s *echoServer) readStdin() {
	defer s.wg.Done()
	for {
		msg, err := s.stdin.Recv()
		if err != nil {
			return
		}
		if m, err := s.signer.Decode(msg.Frames); err == nil {
			s.stdinIn <- m
		}
	}
}

func (s *echoServer) serve(sock zmq4.Socket) {
	defer s.wg.Done()
	for {
		msg, err := sock.Recv()
		if err != nil {
			return
		}
		req, err := s.signer.Decode(msg.Frames)
		if err != nil {
			select {
			case s.errs <- err:
			default:
			}
			continue
		}
		s.handle(sock, req)
	}
}

func (s *echoServer) message(msgType string, parent *wire.Message, content any) *wire.Message {
	return &wire.Message{
		Header:  wire.NewHeader(msgType, "echo-session", "echo"),
		Parent:  parent.RawHeader,
		Content: wire.NewContent(content),
	}
}

func (s *echoServer) publish(parent *wire.Message, msgType string, content any) {
	m := s.message(msgType, parent, content)
	m.Identities = [][]byte{[]byte("kernel.echo." + msgType)}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if err := s.iopub.Send(zmq4.NewMsgFrom(s.signer.Encode(m)...)); err != nil {
		s.t.Logf("echo server: publish: %v", err)
	}
}

func (s *echoServer) reply(sock zmq4.Socket, req *wire.Message, msgType string, content any) {
	m := s.message(msgType, req, content)
	m.Identities = req.Identities
	if err := sock.Send(zmq4.NewMsgFrom(s.signer.Encode(m)...)); err != nil {
		s.t.Logf("echo server: reply: %v", err)
	}
}

func (s *echoServer) handle(sock zmq4.Socket, req *wire.Message) {
	s.publish(req, "status", map[string]any{"execution_state": "busy"})
	defer s.publish(req, "status", map[string]any{"execution_state": "idle"})

	switch req.Header.MsgType {
	case "kernel_info_request":
		s.reply(sock, req, "kernel_info_reply", map[string]any{
			"status": "ok", "protocol_version": "5.3", "implementation": "echo",
		})
	case "execute_request":
		var c struct {
			Code       string `json:"code"`
			AllowStdin bool   `json:"allow_stdin"`
		}
		json.Unmarshal(req.Content, &c)
		s.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": 1})
		s.publish(req, "stream", map[string]any{"name": "stdout", "text": c.Code + "\n"})
		s.publish(req, "stream", map[string]any{"name": "stderr", "text": "err:" + c.Code})
		s.publish(req, "stream", map[string]any{"name": "stdout", "text": "done\n"})
		if c.AllowStdin {
			input := s.message("input_request", req, map[string]any{"prompt": "? ", "password": false})
			input.Identities = req.Identities
			if err := s.stdin.Send(zmq4.NewMsgFrom(s.signer.Encode(input)...)); err != nil {
				s.t.Logf("echo server: input_request: %v", err)
			}
			select {
			case in := <-s.stdinIn:
				var r struct {
					Value string `json:"value"`
				}
				json.Unmarshal(in.Content, &r)
				s.publish(req, "stream", map[string]any{"name": "stdout", "text": "got: " + r.Value})
			case <-time.After(5 * time.Second):
			}
		}
		// The reply carries the request's content back, so tests can
		// check what the client sent.
		s.reply(sock, req, "execute_reply", map[string]any{
			"status": "ok", "execution_count": 1, "request": json.RawMessage(req.Content),
		})
	default:
		s.reply(sock, req, strings.TrimSuffix(req.Header.MsgType, "_request")+"_reply", map[string]any{"status": "error"})
	}
}

// setup starts an echo server and a ready client connected to it.
func setup(t *testing.T, key string) (*echoServer, *kerneltest.Client) {
	t.Helper()
	info, err := wire.FreeTCPConnection(key)
	if err != nil {
		t.Fatal(err)
	}
	srv := startEchoServer(t, info, key)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := kerneltest.Dial(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func statusOf(t *testing.T, m *wire.Message) string {
	t.Helper()
	var c struct {
		State string `json:"execution_state"`
	}
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatal(err)
	}
	return c.State
}

func TestClientKernelInfo(t *testing.T) {
	for _, channel := range []string{"shell", "control"} {
		t.Run(channel, func(t *testing.T) {
			_, c := setup(t, "secret")
			ctx := testContext(t)
			h, err := c.Send(channel, "kernel_info_request", nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Reply(ctx, channel, h.MsgID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Header.MsgType != "kernel_info_reply" {
				t.Errorf("reply type %q", r.Header.MsgType)
			}
			if p, _ := r.ParentHeader(); p != h {
				t.Errorf("reply parent %+v, want %+v", p, h)
			}
			// WaitReady's own busy/idle must not appear: the next IOPub
			// messages belong to this request.
			for _, want := range []string{"busy", "idle"} {
				m, err := c.IOPub(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if p, _ := m.ParentHeader(); m.Header.MsgType != "status" || statusOf(t, m) != want || p.MsgID != h.MsgID {
					t.Errorf("iopub %s %s parented to %q, want status %s parented to %q", m.Header.MsgType, m.Content, p.MsgID, want, h.MsgID)
				}
			}
		})
	}
}

func TestClientExecute(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	e, err := c.Execute(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Stdout(); got != "hello\ndone\n" {
		t.Errorf("Stdout = %q, want %q", got, "hello\ndone\n")
	}
	if got := e.Stderr(); got != "err:hello" {
		t.Errorf("Stderr = %q, want %q", got, "err:hello")
	}
	var types []string
	for _, m := range e.IOPub {
		types = append(types, m.Header.MsgType)
	}
	if got, want := strings.Join(types, " "), "status execute_input stream stream stream status"; got != want {
		t.Errorf("iopub types %q, want %q", got, want)
	}
	if n := len(e.Of("stream")); n != 3 {
		t.Errorf("Of(stream) has %d messages, want 3", n)
	}
	if e.Reply == nil || e.Reply.Header.MsgType != "execute_reply" {
		t.Fatalf("reply %+v", e.Reply)
	}
	rc := e.ReplyContent()
	if rc["status"] != "ok" {
		t.Errorf("reply content %v", rc)
	}
	// The request as the server received it carries the defaults.
	req, _ := rc["request"].(map[string]any)
	want := map[string]any{
		"code": "hello", "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	}
	if len(req) != len(want) {
		t.Errorf("request content %v, want %v", req, want)
	}
	for k, v := range want {
		got, _ := json.Marshal(req[k])
		w, _ := json.Marshal(v)
		if string(got) != string(w) {
			t.Errorf("request %s = %s, want %s", k, got, w)
		}
	}
}

func TestClientExecuteOptions(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	e, err := c.Execute(ctx, "x", kerneltest.WithContent("silent", true), kerneltest.WithContent("stop_on_error", false))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := e.ReplyContent()["request"].(map[string]any)
	if req["silent"] != true || req["stop_on_error"] != false || req["store_history"] != true {
		t.Errorf("request content %v: options not applied", req)
	}
}

func TestClientExecuteKeepsOtherIOPub(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	// The busy/idle of this kernel_info arrive before or during Execute;
	// Execute must leave them for IOPub.
	h, err := c.Send("shell", "kernel_info_request", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reply(ctx, "shell", h.MsgID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(ctx, "y"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"busy", "idle"} {
		m, err := c.IOPub(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := m.ParentHeader(); p.MsgID != h.MsgID || statusOf(t, m) != want {
			t.Errorf("got %s %s parented to %s, want %s of the kernel_info", m.Header.MsgType, m.Content, p.MsgID, want)
		}
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if m, err := c.IOPub(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("IOPub after all were taken: %v, %v; want a deadline error", m, err)
	}
}

func TestClientReplyOutOfOrder(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	a, err := c.Send("shell", "kernel_info_request", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Send("shell", "comm_info_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := c.Reply(ctx, "shell", b.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := c.Reply(ctx, "shell", a.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Header.MsgType != "kernel_info_reply" || rb.Header.MsgType != "comm_info_reply" {
		t.Errorf("replies %s, %s", ra.Header.MsgType, rb.Header.MsgType)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := c.Reply(short, "shell", a.MsgID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Reply for the same request: err = %v, want a deadline error", err)
	}
}

func TestClientStdin(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	h, err := c.Send("shell", "execute_request", map[string]any{"code": "ask", "allow_stdin": true})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.Reply(ctx, "stdin", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if in.Header.MsgType != "input_request" {
		t.Fatalf("stdin message %s", in.Header.MsgType)
	}
	if _, err := c.Send("stdin", "input_reply", map[string]any{"value": "42"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reply(ctx, "shell", h.MsgID); err != nil {
		t.Fatal(err)
	}
	var text string
	for {
		m, err := c.IOPub(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.MsgType == "stream" {
			var s struct{ Text string }
			json.Unmarshal(m.Content, &s)
			text += s.Text
		}
		if m.Header.MsgType == "status" && statusOf(t, m) == "idle" {
			break
		}
	}
	if !strings.HasSuffix(text, "got: 42") {
		t.Errorf("stream text %q does not end with the input", text)
	}
}

func TestClientHeartbeat(t *testing.T) {
	srv, c := setup(t, "secret")
	ctx := testContext(t)
	for range 3 {
		if err := c.Heartbeat(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(srv.hbMute)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := c.Heartbeat(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Heartbeat with a mute server: err = %v, want a deadline error", err)
	}
}

func TestClientSendRaw(t *testing.T) {
	srv, c := setup(t, "secret")
	ctx := testContext(t)
	frames := [][]byte{[]byte(wire.Delimiter), []byte("0123"), []byte(`{"msg_type":"kernel_info_request","msg_id":"x"}`), []byte("{}"), []byte("{}"), []byte("{}")}
	if err := c.SendRaw("shell", frames); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.errs:
		if !errors.Is(err, wire.ErrBadSignature) {
			t.Errorf("server saw %v, want a bad signature", err)
		}
	case <-ctx.Done():
		t.Fatal("the server never received the raw frames")
	}
	if _, err := c.Execute(ctx, "still alive"); err != nil {
		t.Errorf("Execute after raw frames: %v", err)
	}
}

func TestClientUnknownChannel(t *testing.T) {
	_, c := setup(t, "secret")
	if _, err := c.Send("iopub", "x", nil); err == nil || !strings.Contains(err.Error(), `unknown channel "iopub"`) {
		t.Errorf("Send on iopub: %v", err)
	}
	if _, err := c.Reply(testContext(t), "hb", "x"); err == nil {
		t.Error("Reply on hb: no error")
	}
}

func TestClientBadServerSignature(t *testing.T) {
	info, err := wire.FreeTCPConnection("client-key")
	if err != nil {
		t.Fatal(err)
	}
	startEchoServer(t, info, "server-key")
	ctx := testContext(t)
	c, err := kerneltest.Dial(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server rejects our signature, so sign with its key by hand.
	serverSigner, _ := wire.NewSigner("hmac-sha256", "server-key")
	if err := c.SendRaw("shell", serverSigner.Encode(&wire.Message{Header: wire.NewHeader("kernel_info_request", "s", "u")})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reply(ctx, "shell", "anything"); !errors.Is(err, wire.ErrBadSignature) {
		t.Errorf("Reply to a badly signed message: err = %v, want ErrBadSignature", err)
	}
}

func TestClientUnsigned(t *testing.T) {
	_, c := setup(t, "")
	e, err := c.Execute(testContext(t), "plain")
	if err != nil {
		t.Fatal(err)
	}
	if e.Stdout() != "plain\ndone\n" {
		t.Errorf("Stdout = %q", e.Stdout())
	}
}

func TestClientClose(t *testing.T) {
	_, c := setup(t, "secret")
	ctx := testContext(t)
	waiting := make(chan error, 1)
	go func() {
		_, err := c.IOPub(ctx)
		waiting <- err
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-waiting:
		if !errors.Is(err, kerneltest.ErrClosed) {
			t.Errorf("pending IOPub: err = %v, want ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("pending IOPub did not return after Close")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if _, err := c.Reply(ctx, "shell", "x"); !errors.Is(err, kerneltest.ErrClosed) {
		t.Errorf("Reply after Close: %v", err)
	}
	if _, err := c.Send("shell", "kernel_info_request", nil); !errors.Is(err, kerneltest.ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	if err := c.Heartbeat(ctx); !errors.Is(err, kerneltest.ErrClosed) {
		t.Errorf("Heartbeat after Close: %v", err)
	}
}

func TestDialNoKernel(t *testing.T) {
	info, err := wire.FreeTCPConnection("k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = kerneltest.Dial(ctx, info)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Dial with nothing listening: err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Dial took %v to give up", d)
	}
}

// TestIPykernel drives the reference kernel, ipykernel, through the
// client. It proves that kernel/wire and the client agree with
// jupyter_client's framing and signing.
func TestIPykernel(t *testing.T) {
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import ipykernel").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import ipykernel (install the Debian package python3-ipykernel): %v\n%s", python, err, out)
	}
	dir := t.TempDir()
	info, err := wire.FreeTCPConnection("ipykernel-test-key")
	if err != nil {
		t.Fatal(err)
	}
	connFile := filepath.Join(dir, "kernel.json")
	if err := info.Write(connFile); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "ipykernel_launcher", "-f", connFile)
	cmd.Env = append(os.Environ(),
		"PYTHONNOUSERSITE=1",
		"IPYTHONDIR="+filepath.Join(dir, "ipython"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("ipykernel stderr:\n%s", stderr.String())
		}
	}()

	c, err := kerneltest.Dial(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}

	e, err := c.Execute(ctx, "print(1)")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Stdout(); got != "1\n" {
		t.Errorf("print(1): stdout %q, want %q", got, "1\n")
	}
	if rc := e.ReplyContent(); rc["status"] != "ok" || rc["execution_count"] != 1.0 {
		t.Errorf("print(1): reply %v", rc)
	}
	if n := len(e.Of("execute_input")); n != 1 {
		t.Errorf("print(1): %d execute_input messages, want 1", n)
	}

	// With stop_on_error, ipykernel aborts requests that arrive just after
	// the error; the cells below must run.
	e, err = c.Execute(ctx, "1/0", kerneltest.WithContent("stop_on_error", false))
	if err != nil {
		t.Fatal(err)
	}
	if rc := e.ReplyContent(); rc["status"] != "error" || rc["ename"] != "ZeroDivisionError" {
		t.Errorf("1/0: reply %v", rc)
	}
	if n := len(e.Of("error")); n != 1 {
		t.Errorf("1/0: %d error messages, want 1", n)
	}

	// A message with a bad signature is dropped; the kernel keeps serving.
	if err := c.SendRaw("shell", [][]byte{[]byte(wire.Delimiter), []byte("bad"), []byte(`{"msg_type":"kernel_info_request","msg_id":"bad"}`), []byte("{}"), []byte("{}"), []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	e, err = c.Execute(ctx, "x = 5", kerneltest.WithContent("silent", true))
	if err != nil {
		t.Fatal(err)
	}
	if rc := e.ReplyContent(); rc["status"] != "ok" {
		t.Errorf("silent cell: reply %v", rc)
	}
	if n := len(e.Of("execute_input")); n != 0 {
		t.Errorf("silent cell: %d execute_input messages, want 0", n)
	}
	e, err = c.Execute(ctx, "print('still', x)")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Stdout(); got != "still 5\n" {
		t.Errorf("after the silent cell: stdout %q, want %q", got, "still 5\n")
	}

	h, err := c.Send("control", "shutdown_request", map[string]any{"restart": false})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Reply(ctx, "control", h.MsgID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.MsgType != "shutdown_reply" {
		t.Errorf("shutdown: reply %s", r.Header.MsgType)
	}
	select {
	case <-exited:
		exited <- nil // for the deferred wait
	case <-time.After(10 * time.Second):
		t.Error("ipykernel did not exit within 10 s of shutdown_request")
	}
}
