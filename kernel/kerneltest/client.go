package kerneltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"

	"github.com/beacceaf/gokernel/kernel/wire"
)

// sendTimeout bounds every send. zmq4's default is five minutes.
const sendTimeout = 5 * time.Second

// dialRetry is the pause between two attempts to connect to a kernel that
// is not listening yet.
const dialRetry = 50 * time.Millisecond

// probeInterval is how often WaitReady repeats its kernel_info_request.
const probeInterval = 250 * time.Millisecond

// ErrClosed is returned by the methods of a closed Client.
var ErrClosed = errors.New("kerneltest: client closed")

// A Client drives a Jupyter kernel over ZeroMQ, the way a front end does.
// It is meant for tests. Its methods are safe for concurrent use.
//
// Every socket has one receiving goroutine that decodes and verifies
// incoming messages and queues them without bound, so a slow test never
// stalls the kernel. Messages that a call does not ask for stay queued for
// later calls. A message that fails to decode (for example one with a bad
// signature) is queued as an error, which the next call on that channel
// returns.
type Client struct {
	signer   *wire.Signer
	session  string
	username string

	channels map[string]*channel // "shell", "control", "stdin"
	iopub    *channel
	hb       zmq4.Socket
	hbPing   chan chan error

	probeMu   sync.Mutex
	probes    map[string]bool // msg_ids of WaitReady's kernel_info_requests
	probeSeen chan struct{}   // closed when IOPub shows a probe's message
	probeOnce sync.Once

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
	wg        sync.WaitGroup
}

// A channel is one socket with its queue of received messages. Sends are
// serialised because zmq4 writes in the calling goroutine.
type channel struct {
	name string
	sock zmq4.Socket
	box  *inbox
	mu   sync.Mutex
}

// Dial connects to the kernel described by info: DEALER sockets to shell,
// control and stdin (sharing one identity, so that input_request reaches
// this client), a SUB socket subscribed to all of IOPub, and a REQ socket
// to the heartbeat. It retries until the kernel listens or ctx ends; ctx
// bounds only the connecting.
//
// A SUB socket misses what is published before its subscription reaches
// the kernel. Call [Client.WaitReady] before relying on IOPub.
func Dial(ctx context.Context, info *wire.ConnectionInfo) (*Client, error) {
	signer, err := wire.NewSigner(info.SignatureScheme, info.Key)
	if err != nil {
		return nil, fmt.Errorf("kerneltest: dial: %w", err)
	}
	c := &Client{
		signer:    signer,
		session:   uuid.NewString(),
		username:  "kerneltest",
		channels:  make(map[string]*channel),
		hbPing:    make(chan chan error),
		probes:    make(map[string]bool),
		probeSeen: make(chan struct{}),
		done:      make(chan struct{}),
	}
	// The sockets live until Close, not until ctx ends.
	opts := []zmq4.Option{
		zmq4.WithTimeout(sendTimeout),
		zmq4.WithDialerMaxRetries(0), // dial retries itself, within ctx
		zmq4.WithID(zmq4.SocketIdentity(c.session)),
	}
	var opened []zmq4.Socket
	fail := func(err error) (*Client, error) {
		for _, s := range opened {
			s.Close()
		}
		return nil, fmt.Errorf("kerneltest: dial: %w", err)
	}
	connect := func(sock zmq4.Socket, port int) error {
		opened = append(opened, sock)
		ep := info.Endpoint(port)
		for {
			err := sock.Dial(ep)
			if err == nil {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("connect to %s: %w (last error: %v)", ep, ctx.Err(), err)
			case <-time.After(dialRetry):
			}
		}
	}

	for _, ch := range []struct {
		name string
		port int
	}{{"shell", info.ShellPort}, {"control", info.ControlPort}, {"stdin", info.StdinPort}} {
		sock := zmq4.NewDealer(context.Background(), opts...)
		if err := connect(sock, ch.port); err != nil {
			return fail(fmt.Errorf("%s: %w", ch.name, err))
		}
		c.channels[ch.name] = &channel{name: ch.name, sock: sock, box: newInbox()}
	}

	sub := zmq4.NewSub(context.Background(), opts...)
	if err := connect(sub, info.IOPubPort); err != nil {
		return fail(fmt.Errorf("iopub: %w", err))
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return fail(fmt.Errorf("iopub: subscribe: %w", err))
	}
	c.iopub = &channel{name: "iopub", sock: sub, box: newInbox()}

	hbOpts := []zmq4.Option{zmq4.WithTimeout(sendTimeout), zmq4.WithDialerMaxRetries(0)}
	c.hb = zmq4.NewReq(context.Background(), hbOpts...)
	if err := connect(c.hb, info.HBPort); err != nil {
		return fail(fmt.Errorf("hb: %w", err))
	}

	for _, ch := range c.channels {
		c.wg.Add(1)
		go c.receive(ch)
	}
	c.wg.Add(2)
	go c.receive(c.iopub)
	go c.heartbeatLoop()
	return c, nil
}

// Close closes every socket and waits for the receiving goroutines to
// end. Calls waiting for messages return [ErrClosed]. Close may be called
// more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		var errs []error
		for _, ch := range c.allChannels() {
			ch.box.fail(ErrClosed)
			if err := ch.sock.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", ch.name, err))
			}
		}
		if err := c.hb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close hb: %w", err))
		}
		c.wg.Wait()
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}

func (c *Client) allChannels() []*channel {
	return []*channel{c.channels["shell"], c.channels["control"], c.channels["stdin"], c.iopub}
}

func (c *Client) closed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// receive runs until the client is closed, decoding every message that
// arrives on ch and queueing it. Replies and IOPub messages that answer a
// WaitReady probe are dropped; an IOPub one marks the client ready.
func (c *Client) receive(ch *channel) {
	defer c.wg.Done()
	for {
		zmsg, err := ch.sock.Recv()
		if c.closed() {
			return
		}
		if err != nil {
			// The kernel went away, or zmq4 failed. Report it once per
			// event, and keep going: the socket may get a new connection.
			ch.box.put(item{err: fmt.Errorf("kerneltest: receive on %s: %w", ch.name, err)})
			select {
			case <-c.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		m, err := c.signer.Decode(zmsg.Frames)
		if err != nil {
			ch.box.put(item{err: fmt.Errorf("kerneltest: message on %s: %w", ch.name, err)})
			continue
		}
		parent := parentID(m)
		if c.isProbe(parent) {
			if ch == c.iopub {
				c.probeOnce.Do(func() { close(c.probeSeen) })
			}
			continue
		}
		ch.box.put(item{msg: m, parent: parent})
	}
}

func parentID(m *wire.Message) string {
	h, err := m.ParentHeader()
	if err != nil {
		return ""
	}
	return h.MsgID
}

func (c *Client) isProbe(msgID string) bool {
	if msgID == "" {
		return false
	}
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	return c.probes[msgID]
}

// WaitReady sends kernel_info_request on shell, again every 250 ms, until
// an IOPub message answering one of them arrives: then the kernel serves
// shell and this client's IOPub subscription is live. The replies and IOPub
// messages of these requests, including late ones, are dropped, so they
// never show up in Reply, IOPub or Execute.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		h := wire.NewHeader("kernel_info_request", c.session, c.username)
		c.probeMu.Lock()
		c.probes[h.MsgID] = true
		c.probeMu.Unlock()
		if err := c.sendMessage("shell", &wire.Message{Header: h}); err != nil {
			return fmt.Errorf("kerneltest: wait ready: %w", err)
		}
		select {
		case <-c.probeSeen:
			return nil
		case <-c.done:
			return ErrClosed
		case <-ctx.Done():
			return fmt.Errorf("kerneltest: wait ready: no IOPub message answered kernel_info_request: %w", ctx.Err())
		case <-time.After(probeInterval):
		}
	}
}

func (c *Client) channel(name string) (*channel, error) {
	ch, ok := c.channels[name]
	if !ok {
		return nil, fmt.Errorf("kerneltest: unknown channel %q (want shell, control or stdin)", name)
	}
	return ch, nil
}

// Send sends a message of type msgType with the given content on channel
// "shell", "control" or "stdin", and returns its header. The content is
// marshalled with [wire.NewContent].
func (c *Client) Send(channel, msgType string, content any) (wire.Header, error) {
	h := wire.NewHeader(msgType, c.session, c.username)
	err := c.sendMessage(channel, &wire.Message{Header: h, Content: wire.NewContent(content)})
	return h, err
}

func (c *Client) sendMessage(name string, m *wire.Message) error {
	return c.send(name, c.signer.Encode(m))
}

// SendRaw sends frames as they are on channel "shell", "control" or
// "stdin", for tests of malformed input.
func (c *Client) SendRaw(channel string, frames [][]byte) error {
	return c.send(channel, frames)
}

func (c *Client) send(name string, frames [][]byte) error {
	ch, err := c.channel(name)
	if err != nil {
		return err
	}
	if c.closed() {
		return ErrClosed
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if err := ch.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("kerneltest: send on %s: %w", name, err)
	}
	return nil
}

// Reply waits for the next message on channel "shell", "control" or
// "stdin" whose parent msg_id is parentID. Other messages on that channel
// stay queued for later calls. On stdin, the kernel's input_request is
// parented to the execute_request.
func (c *Client) Reply(ctx context.Context, channel, parentID string) (*wire.Message, error) {
	ch, err := c.channel(channel)
	if err != nil {
		return nil, err
	}
	m, err := ch.box.take(ctx, func(it *item) bool { return it.parent == parentID })
	if err != nil {
		return nil, fmt.Errorf("kerneltest: reply to %s on %s: %w", parentID, channel, err)
	}
	return m, nil
}

// IOPub returns the next IOPub message that no other call has taken.
func (c *Client) IOPub(ctx context.Context) (*wire.Message, error) {
	m, err := c.iopub.box.take(ctx, func(*item) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("kerneltest: iopub: %w", err)
	}
	return m, nil
}

// Heartbeat sends a ping on the heartbeat channel and waits for its echo.
func (c *Client) Heartbeat(ctx context.Context) error {
	res := make(chan error, 1)
	select {
	case c.hbPing <- res:
	case <-c.done:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("kerneltest: heartbeat: %w", ctx.Err())
	}
	select {
	case err := <-res:
		return err
	case <-c.done:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("kerneltest: heartbeat: no echo: %w", ctx.Err())
	}
}

// heartbeatLoop owns the REQ socket, whose strict send/receive order
// allows one ping at a time. A ping whose caller gave up still completes
// before the next one starts.
func (c *Client) heartbeatLoop() {
	defer c.wg.Done()
	for {
		var res chan error
		select {
		case <-c.done:
			return
		case res = <-c.hbPing:
		}
		ping := []byte("ping-" + uuid.NewString())
		err := c.hb.Send(zmq4.NewMsg(ping))
		if err == nil {
			var echo zmq4.Msg
			echo, err = c.hb.Recv()
			if err == nil && (len(echo.Frames) != 1 || !bytes.Equal(echo.Frames[0], ping)) {
				err = fmt.Errorf("echo %q does not match ping %q", echo.Frames, ping)
			}
		}
		if err != nil {
			if c.closed() {
				err = ErrClosed
			}
			err = fmt.Errorf("kerneltest: heartbeat: %w", err)
		}
		res <- err
	}
}

// Exec is the outcome of [Client.Execute].
type Exec struct {
	Reply *wire.Message   // execute_reply
	IOPub []*wire.Message // IOPub messages parented to the request, in order, ending with status idle
}

// An ExecOption changes the content of an execute_request.
type ExecOption func(content map[string]any)

// WithContent sets key to v in the execute_request content, for example
// WithContent("silent", true) or WithContent("allow_stdin", true).
func WithContent(key string, v any) ExecOption {
	return func(content map[string]any) { content[key] = v }
}

// Execute sends an execute_request for code on shell and waits for every
// IOPub message parented to it up to and including status idle, and for
// its execute_reply. The default content is silent false, store_history
// true, user_expressions {}, allow_stdin false and stop_on_error true;
// opts change it. IOPub messages of other requests stay queued for
// [Client.IOPub].
func (c *Client) Execute(ctx context.Context, code string, opts ...ExecOption) (*Exec, error) {
	content := map[string]any{
		"code":             code,
		"silent":           false,
		"store_history":    true,
		"user_expressions": map[string]any{},
		"allow_stdin":      false,
		"stop_on_error":    true,
	}
	for _, opt := range opts {
		opt(content)
	}
	h, err := c.Send("shell", "execute_request", content)
	if err != nil {
		return nil, err
	}
	e := &Exec{}
	for {
		m, err := c.iopub.box.take(ctx, func(it *item) bool { return it.parent == h.MsgID })
		if err != nil {
			return e, fmt.Errorf("kerneltest: execute %q: waiting for status idle (got %s): %w", abbrev(code), e.types(), err)
		}
		e.IOPub = append(e.IOPub, m)
		if m.Header.MsgType == "status" && statusOf(m) == "idle" {
			break
		}
	}
	e.Reply, err = c.Reply(ctx, "shell", h.MsgID)
	if err != nil {
		return e, fmt.Errorf("kerneltest: execute %q: %w", abbrev(code), err)
	}
	return e, nil
}

func statusOf(m *wire.Message) string {
	var c struct {
		ExecutionState string `json:"execution_state"`
	}
	json.Unmarshal(m.Content, &c)
	return c.ExecutionState
}

func abbrev(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// types lists the IOPub message types received so far, for error messages.
func (e *Exec) types() string {
	var t []string
	for _, m := range e.IOPub {
		t = append(t, m.Header.MsgType)
	}
	return "[" + strings.Join(t, " ") + "]"
}

// Stdout returns the text of the stdout stream messages, concatenated.
func (e *Exec) Stdout() string { return e.stream("stdout") }

// Stderr returns the text of the stderr stream messages, concatenated.
func (e *Exec) Stderr() string { return e.stream("stderr") }

func (e *Exec) stream(name string) string {
	var b strings.Builder
	for _, m := range e.Of("stream") {
		var c struct {
			Name string `json:"name"`
			Text string `json:"text"`
		}
		if json.Unmarshal(m.Content, &c) == nil && c.Name == name {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// ReplyContent returns the content of the execute_reply, or nil if there
// is none or it does not decode.
func (e *Exec) ReplyContent() map[string]any {
	if e.Reply == nil {
		return nil
	}
	var c map[string]any
	if json.Unmarshal(e.Reply.Content, &c) != nil {
		return nil
	}
	return c
}

// Of returns the IOPub messages of type msgType, in order.
func (e *Exec) Of(msgType string) []*wire.Message {
	var out []*wire.Message
	for _, m := range e.IOPub {
		if m.Header.MsgType == msgType {
			out = append(out, m)
		}
	}
	return out
}

// An item is one received message, or the error met instead of it.
type item struct {
	msg    *wire.Message
	parent string // parent msg_id
	err    error
}

// An inbox is an unbounded queue of received items that callers take from
// in any order.
type inbox struct {
	mu     sync.Mutex
	items  []item
	wake   chan struct{} // closed and replaced whenever items or failed change
	failed error
}

func newInbox() *inbox {
	return &inbox{wake: make(chan struct{})}
}

func (b *inbox) put(it item) {
	b.mu.Lock()
	b.items = append(b.items, it)
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// fail makes every waiting and future take return err once the queue has
// nothing that matches.
func (b *inbox) fail(err error) {
	b.mu.Lock()
	if b.failed == nil {
		b.failed = err
	}
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// take removes and returns the first queued message for which match is
// true. A queued error is returned to whichever take meets it first.
func (b *inbox) take(ctx context.Context, match func(*item) bool) (*wire.Message, error) {
	for {
		b.mu.Lock()
		for i := range b.items {
			it := b.items[i]
			if it.err != nil || match(&it) {
				b.items = append(b.items[:i], b.items[i+1:]...)
				b.mu.Unlock()
				return it.msg, it.err
			}
		}
		if b.failed != nil {
			err := b.failed
			b.mu.Unlock()
			return nil, err
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
