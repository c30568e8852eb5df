package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"

	"github.com/beacceaf/gokernel/kernel/wire"
)

// sendTimeout bounds a send on a ROUTER socket. zmq4's default is five
// minutes, and a send to a peer that never connected blocks that long.
const sendTimeout = 5 * time.Second

// drainDelay bounds how long shutdown waits for queued IOPub messages to
// leave: zmq4 has no linger.
const drainDelay = 300 * time.Millisecond

// drainTopic is the IOPub topic of the kernel's drain probe. zmq4's PUB
// socket queues messages, writes them to its subscribers from a goroutine
// of its own, in order, and drops what is still queued when it is closed.
// So after a shutdown_request the kernel publishes the IOPub copy of its
// shutdown_reply, as ipykernel does, under this topic, to which its own
// loopback subscriber subscribes: when that copy arrives, every earlier
// message has been written to every subscriber. Clients, which subscribe
// to everything, see an ordinary shutdown_reply.
const drainTopic = "gokernel.drain"

// A Server serves one connection file for one Interpreter. Create it with
// NewServer and run it with Serve.
type Server struct {
	conn    *wire.ConnectionInfo
	signer  *wire.Signer
	seen    *signatureLog // recent signatures, to drop replays
	usage   *usageMeter
	gc      *idleCollector // collects between requests, see collect.go
	interp  Interpreter
	log     *log.Logger
	session string

	shell, control, stdin *router
	iopub, hb             zmq4.Socket
	pub                   *publisher
	drain                 zmq4.Socket   // the loopback subscriber; nil if it could not connect
	drained               chan struct{} // the drain probe came back

	stdinReplies chan *wire.Message
	inputMu      sync.Mutex    // lets one Output.Input wait for the front end at a time
	stop         chan struct{} // closed by shutdown_request
	stopOnce     sync.Once

	mu         sync.Mutex
	count      int
	history    []historyEntry
	cancelCell context.CancelFunc
	welcomed   bool          // the first kernel_info has been handled
	shutdownBy *wire.Message // the shutdown_request, if one ended the kernel
	restart    bool          // its restart field

	debug debugState // the Debugger's event sink, when the Interpreter has one
}

type historyEntry struct {
	line  int
	input string
}

// A router is a ROUTER socket with its receiving goroutine. Sends are
// serialised, because zmq4 writes in the calling goroutine.
type router struct {
	name string
	sock zmq4.Socket
	in   chan *wire.Message
	mu   sync.Mutex
}

// NewServer prepares a server for conn. It checks the signature scheme but
// opens no socket until Serve.
func NewServer(conn *wire.ConnectionInfo, in Interpreter, logger *log.Logger) (*Server, error) {
	signer, err := wire.NewSigner(conn.SignatureScheme, conn.Key)
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	if logger == nil {
		logger = log.New(os.Stderr, "gokernel: ", log.LstdFlags)
	}
	if conn.Key == "" {
		logger.Printf("warning: the connection file has an empty key, so messages are not signed")
	}
	return &Server{
		conn:         conn,
		signer:       signer,
		interp:       in,
		log:          logger,
		session:      uuid.NewString(),
		seen:         newSignatureLog(signatureHistory),
		usage:        newUsageMeter(),
		gc:           newIdleCollector(),
		stdinReplies: make(chan *wire.Message, 16),
		stop:         make(chan struct{}),
		drained:      make(chan struct{}, 1),
	}, nil
}

// Serve listens on the connection's five sockets and serves requests until
// a shutdown_request arrives or ctx ends. Before it returns it closes the
// Interpreter and every socket. It handles no signal: the program decides
// what SIGINT means, and may call Interrupt.
func (s *Server) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if err := s.listen(ctx); err != nil {
		s.closeSockets()
		return err
	}
	s.pub = newPublisher(s.sendIOPub, s.drain != nil)

	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for _, r := range []*router{s.shell, s.control, s.stdin} {
		run(func() { s.receive(r) })
	}
	run(s.heartbeat)
	if s.drain != nil {
		run(s.receiveDrain)
	}
	run(func() { s.serveShell(ctx) })
	run(func() { s.serveControl(ctx) })
	run(func() { s.routeStdin(ctx) })

	select {
	case <-s.stop:
	case <-ctx.Done():
	}

	s.interrupt()
	cancel()
	if err := s.interp.Close(); err != nil {
		s.log.Printf("closing the interpreter: %v", err)
	}
	s.pub.close()
	s.waitDrained()
	s.closeSockets()
	wg.Wait()
	s.gc.wait()
	return nil
}

func (s *Server) listen(ctx context.Context) error {
	// zmq4 logs connections whose handshake failed.
	opts := []zmq4.Option{zmq4.WithTimeout(sendTimeout), zmq4.WithLogger(s.log)}
	s.shell = &router{name: "shell", sock: zmq4.NewRouter(ctx, opts...), in: make(chan *wire.Message, 1024)}
	s.control = &router{name: "control", sock: zmq4.NewRouter(ctx, opts...), in: make(chan *wire.Message, 64)}
	s.stdin = &router{name: "stdin", sock: zmq4.NewRouter(ctx, opts...), in: make(chan *wire.Message, 64)}
	s.iopub = zmq4.NewPub(ctx, opts...)
	s.hb = zmq4.NewRep(ctx, opts...)
	for _, l := range []struct {
		sock zmq4.Socket
		port int
		name string
	}{
		{s.shell.sock, s.conn.ShellPort, "shell"},
		{s.control.sock, s.conn.ControlPort, "control"},
		{s.stdin.sock, s.conn.StdinPort, "stdin"},
		{s.iopub, s.conn.IOPubPort, "iopub"},
		{s.hb, s.conn.HBPort, "heartbeat"},
	} {
		ep, err := batchedEndpoint(s.conn.Endpoint(l.port), l.sock == s.iopub)
		if err != nil {
			return err
		}
		if err := l.sock.Listen(ep); err != nil {
			return fmt.Errorf("kernel: listen on %s socket %s: %w", l.name, s.conn.Endpoint(l.port), err)
		}
	}
	// Serve cancels ctx before the drain, so the subscriber lives until
	// closeSockets instead.
	s.drain = zmq4.NewSub(context.WithoutCancel(ctx), opts...)
	err := s.drain.Dial(loopback(s.conn, s.conn.IOPubPort))
	for _, topic := range []string{drainTopic, ackTopic} {
		if err == nil {
			err = s.drain.SetOption(zmq4.OptionSubscribe, topic)
		}
	}
	if err != nil {
		s.log.Printf("iopub: no loopback subscriber, so shutdown waits %v for IOPub to drain, and the memory that output to slow front ends takes is not bounded: %v", drainDelay, err)
		s.drain.Close()
		s.drain = nil
	}
	return nil
}

// loopback is the endpoint at which this process reaches its own socket
// on port: the connection's, with a wildcard address replaced by the
// loopback one.
func loopback(conn *wire.ConnectionInfo, port int) string {
	c := *conn
	switch c.IP {
	case "0.0.0.0", "*", "":
		c.IP = "127.0.0.1"
	case "::":
		c.IP = "::1"
	}
	return c.Endpoint(port)
}

// receiveDrain passes on the drain probe and the acknowledgements of
// stream output (see publish.go) until the loopback subscriber is closed.
func (s *Server) receiveDrain() {
	for {
		msg, err := s.drain.Recv()
		if err != nil {
			return
		}
		if len(msg.Frames) > 0 {
			if n, ok := strings.CutPrefix(string(msg.Frames[0]), ackTopic); ok {
				if sent, err := strconv.ParseInt(n, 10, 64); err == nil {
					s.pub.ack(sent)
				}
				continue
			}
		}
		select {
		case s.drained <- struct{}{}:
		default:
		}
	}
}

// waitDrained waits until every IOPub message published so far has been
// written to the subscribers, or for at most drainDelay. Without a
// shutdown_request, whose reply is the probe, it waits drainDelay.
func (s *Server) waitDrained() {
	t := time.NewTimer(drainDelay)
	defer t.Stop()
	s.mu.Lock()
	req, restart := s.shutdownBy, s.restart
	s.mu.Unlock()
	if s.drain != nil && req != nil {
		probe := &wire.Message{
			Identities: [][]byte{[]byte(drainTopic)},
			Header:     s.header("shutdown_reply"),
			Parent:     req.RawHeader,
			Content:    wire.NewContent(map[string]any{"status": "ok", "restart": restart}),
		}
		if err := s.iopub.SendMulti(zmq4.NewMsgFrom(s.signer.Encode(probe)...)); err != nil {
			s.log.Printf("iopub: shutdown_reply: %v", err)
		}
	}
	select {
	case <-s.drained:
	case <-t.C:
	}
}

func (s *Server) closeSockets() {
	for _, sock := range []zmq4.Socket{s.shell.sock, s.control.sock, s.stdin.sock, s.iopub, s.hb, s.drain} {
		if sock != nil {
			sock.Close()
		}
	}
}

// receive decodes the messages of one ROUTER socket until it is closed.
// Malformed and badly signed messages are logged and dropped.
func (s *Server) receive(r *router) {
	defer close(r.in)
	for {
		msg, err := r.sock.Recv()
		if err != nil {
			if s.stopping() {
				return
			}
			if errors.Is(err, context.Canceled) || isClosed(err) {
				return
			}
			s.log.Printf("%s: receive: %v", r.name, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		m, err := s.signer.Decode(msg.Frames)
		if err != nil {
			s.log.Printf("%s: dropped a message: %v", r.name, err)
			continue
		}
		if m.Header.MsgID == "" {
			s.log.Printf("%s: dropped a %q message whose header has no msg_id", r.name, m.Header.MsgType)
			continue
		}
		if s.signer.Signed() && !s.seen.add(m.Signature) {
			s.log.Printf("%s: dropped a %q message (msg_id %q) whose signature was seen before: a replay", r.name, m.Header.MsgType, m.Header.MsgID)
			continue
		}
		r.in <- m
	}
}

func isClosed(err error) bool {
	return err != nil && (errors.Is(err, os.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled))
}

func (s *Server) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// heartbeat echoes every ping until the socket is closed.
func (s *Server) heartbeat() {
	for {
		msg, err := s.hb.Recv()
		if err != nil {
			if s.stopping() || isClosed(err) {
				return
			}
			select {
			case <-s.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if err := s.hb.Send(echoReply(msg)); err != nil && !s.stopping() {
			s.log.Printf("heartbeat: %v", err)
		}
	}
}

// echoReply returns what the heartbeat must send so that the peer gets
// back exactly the frames it sent.
//
// zmq4's REP socket (v0.17) splits a request at its last empty frame: it
// keeps every frame up to there as the envelope it puts before the reply.
// When the request's last frame is empty, the envelope is already the
// whole request, yet Recv still returns the frames after an earlier empty
// frame; echoing those would repeat them ([""] would come back as
// ["", ""]). In that case the reply adds nothing to the envelope.
func echoReply(msg zmq4.Msg) zmq4.Msg {
	if n := len(msg.Frames); n == 0 || len(msg.Frames[n-1]) == 0 {
		return zmq4.Msg{}
	}
	return msg
}

// serveShell runs shell requests one at a time, in order.
func (s *Server) serveShell(ctx context.Context) {
	for {
		select {
		case m, ok := <-s.shell.in:
			if !ok {
				return
			}
			switch s.dispatch(ctx, s.shell, m) {
			case errAbortQueue:
				s.abortQueued(ctx)
			case errShutdown:
				s.shutdown()
			}
		case <-ctx.Done():
			return
		}
	}
}

// serveControl runs control requests on their own goroutine, so that they
// are served while a cell runs.
func (s *Server) serveControl(ctx context.Context) {
	for {
		select {
		case m, ok := <-s.control.in:
			if !ok {
				return
			}
			if s.dispatch(ctx, s.control, m) == errShutdown {
				s.shutdown()
			}
		case <-ctx.Done():
			return
		}
	}
}

// routeStdin passes input_reply messages to the Input call waiting for
// them.
func (s *Server) routeStdin(ctx context.Context) {
	for {
		select {
		case m, ok := <-s.stdin.in:
			if !ok {
				return
			}
			if m.Header.MsgType != "input_reply" {
				s.log.Printf("stdin: ignored a %q message", m.Header.MsgType)
				continue
			}
			select {
			case s.stdinReplies <- m:
			default:
				s.log.Printf("stdin: dropped an input_reply nobody waits for")
			}
		case <-ctx.Done():
			return
		}
	}
}

// abortQueued answers every execute_request already queued on shell with
// status "aborted", as stop_on_error asks. Other requests run normally.
// Only requests that arrived before the error are aborted: a client that
// sends its next cell after seeing the error reply gets it run.
func (s *Server) abortQueued(ctx context.Context) {
	// Count first: a client that sees an aborted reply may send its next
	// request at once, and that one must run.
	for n := len(s.shell.in); n > 0; n-- {
		m, ok := <-s.shell.in
		if !ok {
			return
		}
		if m.Header.MsgType != "execute_request" {
			if s.dispatch(ctx, s.shell, m) == errShutdown {
				s.shutdown()
			}
			continue
		}
		s.status(m, "busy")
		s.mu.Lock()
		count := s.count
		s.mu.Unlock()
		s.reply(s.shell, m, map[string]any{"status": "aborted", "execution_count": count})
		s.status(m, "idle")
	}
}

// Interrupt cancels the running cell, if any, as an interrupt_request
// does. It is safe to call at any time, from any goroutine.
func (s *Server) Interrupt() { s.interrupt() }

// interrupt cancels the running cell, if any.
func (s *Server) interrupt() {
	s.mu.Lock()
	cancel := s.cancelCell
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (s *Server) shutdown() {
	s.stopOnce.Do(func() { close(s.stop) })
}

// header makes a new header for a message this kernel sends.
func (s *Server) header(msgType string) wire.Header {
	return wire.NewHeader(msgType, s.session, "kernel")
}

// sendIOPub publishes one message under topic and returns its size on the
// wire. It is the publisher's only way out.
func (s *Server) sendIOPub(topic, msgType string, parent json.RawMessage, content any) (int, error) {
	m := &wire.Message{
		Identities: [][]byte{[]byte(topic)},
		Header:     s.header(msgType),
		Parent:     parent,
		Content:    wire.NewContent(content),
	}
	frames := s.signer.Encode(m)
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	return n, s.iopub.SendMulti(zmq4.NewMsgFrom(frames...))
}

// publish queues an IOPub message parented to req.
func (s *Server) publish(req *wire.Message, msgType string, content any) {
	s.pub.publish(msgType, req.RawHeader, content)
}

func (s *Server) status(req *wire.Message, state string) {
	s.publish(req, "status", map[string]string{"execution_state": state})
}

// reply sends the reply to req on r. Its type is the request's with
// _request replaced by _reply.
func (s *Server) reply(r *router, req *wire.Message, content any) {
	s.send(r, req, replyType(req.Header.MsgType), content)
}

func (s *Server) send(r *router, req *wire.Message, msgType string, content any) {
	m := &wire.Message{
		Identities: req.Identities,
		Header:     s.header(msgType),
		Parent:     req.RawHeader,
		Content:    wire.NewContent(content),
	}
	frames := s.signer.Encode(m)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		s.log.Printf("%s: sending %s: %v", r.name, msgType, err)
	}
}

func replyType(requestType string) string {
	const suffix = "_request"
	if len(requestType) > len(suffix) && requestType[len(requestType)-len(suffix):] == suffix {
		return requestType[:len(requestType)-len(suffix)] + "_reply"
	}
	return requestType + "_reply"
}
