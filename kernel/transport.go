package kernel

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"

	"github.com/beacceaf/gokernel/kernel/rawio"
)

// Batched connections.
//
// zmq4 reads every frame with two read calls, its header and then its body,
// and, except on PUB sockets, writes it with two write calls. Each is a
// system call, and on TCP each write is a packet of its own: a reply of six
// frames took twelve writes, and a request fourteen reads, which was most of
// the kernel's own time on a trivial cell. So the kernel's sockets use
// transports of their own, registered with zmq4 through its public
// RegisterTransport: their connections read through a buffer, and gather the
// writes of one ZMTP message into one write, made with raw system calls
// (package kernel/rawio).

// A PUB socket's messages need not go out one write each: its connections
// coalesce (see batchedConn), so that messages published back to back,
// such as a cell's busy, execute_input and idle, reach a subscriber in one
// write and wake it once.

// batchedSchemes maps a connection file's transport to the zmq4 transports
// that serve it with batched connections (one for PUB sockets, which
// coalesce), and to the network they use.
var batchedSchemes = map[string]struct{ scheme, pubScheme, network string }{
	"tcp": {"gokernel-tcp", "gokernel-tcp-pub", "tcp"},
	"ipc": {"gokernel-ipc", "gokernel-ipc-pub", "unix"},
}

var registerOnce = sync.OnceValue(func() error {
	for _, s := range batchedSchemes {
		for scheme, coalesce := range map[string]bool{s.scheme: false, s.pubScheme: true} {
			if err := zmq4.RegisterTransport(scheme, batchedTransport{transport.New(s.network), coalesce}); err != nil {
				return fmt.Errorf("kernel: %w", err)
			}
		}
	}
	return nil
})

// batchedEndpoint returns the endpoint ep, such as "tcp://127.0.0.1:5555",
// with its scheme replaced by that of the batched transport, the
// coalescing one for a PUB socket (pub). An endpoint of another transport
// is returned as it is.
func batchedEndpoint(ep string, pub bool) (string, error) {
	if err := registerOnce(); err != nil {
		return "", err
	}
	scheme, rest, ok := strings.Cut(ep, "://")
	if s, known := batchedSchemes[scheme]; ok && known {
		if pub {
			return s.pubScheme + "://" + rest, nil
		}
		return s.scheme + "://" + rest, nil
	}
	return ep, nil
}

// batchedTransport is a zmq4 transport whose connections are batchedConns.
type batchedTransport struct {
	transport.Transport
	coalesce bool
}

func (t batchedTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	c, err := t.Transport.Dial(ctx, d, addr)
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c, t.coalesce), nil
}

func (t batchedTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := t.Transport.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return batchedListener{l, t.coalesce}, nil
}

type batchedListener struct {
	net.Listener
	coalesce bool
}

func (l batchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newBatchedConn(c, l.coalesce), nil
}

// Inbound frames.
//
// zmq4 trusts what a peer sends. It allocates a frame's body at the size
// that the frame's header declares, before any of it has arrived, and a
// size that no allocation can meet ends the process; it decodes the
// peer's READY command without checking its bounds, and panics on a socket
// type it does not know: nine bytes from anything that could reach a port
// ended the kernel, and the notebook's state with it. A listening socket
// accepts its next connection only once the last one has finished its
// handshake, so a client that connected and then sent nothing kept every
// later client of that socket out, for ever. And a connection whose
// handshake failed, as when the peer hung up at once, was never closed.
//
// So a batchedConn follows the frames it reads too. A frame larger than
// maxFrame, or a first command (READY, in the NULL mechanism that Jupyter
// uses) that zmq4 could not decode safely, closes the connection before
// zmq4 reads it, and the kernel logs why; so does a handshake not done
// within handshakeWait. A read that fails during the handshake closes the
// connection too. Each time zmq4 drops that connection alone.
const (
	// maxFrame is far above any Jupyter message; tests send 64 MiB.
	maxFrame      = 1 << 30
	handshakeWait = 10 * time.Second
)

// transportLog is where connections that the kernel closes are reported.
var transportLog = log.New(os.Stderr, "gokernel: ", log.LstdFlags)

// inbound is the framing state of what a batchedConn has read.
type inbound struct {
	greet  int    // greeting bytes still to come
	head   int    // header bytes of the current frame, checked and not yet read
	body   uint64 // body bytes of the current frame still to come
	ready  bool   // the current frame is the peer's first command
	shaken bool   // the peer's first command has begun
}

// handshaking tells whether the peer's first command has yet to be read
// to its end.
func (in *inbound) handshaking() bool { return !in.shaken || in.ready }

// ZMTP framing, as far as batchedConn follows it.
const (
	greetingSize = 64   // the fixed-size greeting that opens a connection
	flagMore     = 0x01 // another frame of the same message follows
	flagLong     = 0x02 // the size is 8 bytes, not 1
	flagCommand  = 0x04 // the frame is a command, such as the handshake's READY
	// maxBatch is the most a batchedConn holds back; a larger write goes
	// out at once, after what was held.
	maxBatch = 64 << 10
)

// A batchedConn is a ZMTP connection that reads through a buffer and holds
// back what is written until a whole message is, so that it goes out in one
// write call. It follows the frames in the byte stream it writes: the
// greeting, then frames of a flags byte, a size of 1 or 8 bytes and a body.
// It writes out what it holds when a write ends a frame without the more
// flag (the end of a message, or a command) or is part of the greeting, and
// when it would hold more than maxBatch.
//
// A coalescing batchedConn (a PUB socket's) writes out a whole message not
// in the Write that ends it but in a goroutine that the Write starts, unless
// one is pending: that goroutine runs once the writer has no more to write
// at once (the kernel runs on one P), so that the messages written back to
// back go out together. An error of that write is returned by the next
// Write; Close writes out what is held first.
type batchedConn struct {
	net.Conn
	raw      syscall.RawConn // the descriptor, for rawio.Read and rawio.Write; nil if none
	r        *bufio.Reader
	coalesce bool

	mu      sync.Mutex
	buf     []byte
	greet   int     // greeting bytes still to come
	head    [9]byte // the frame header being read: flags and size
	headLen int     // bytes of head seen; 0 between frames
	body    uint64  // body bytes of the current frame still to come
	more    bool    // the current frame has the more flag
	pending bool    // a goroutine will write out what is held
	err     error   // the error of a write that no Write has returned yet

	in        inbound     // the framing of what is read; only the reader uses it
	handshake *time.Timer // closes the connection unless the handshake ends first
}

func newBatchedConn(c net.Conn, coalesce bool) *batchedConn {
	bc := &batchedConn{Conn: c, greet: greetingSize, coalesce: coalesce, in: inbound{greet: greetingSize}}
	if sc, ok := c.(syscall.Conn); ok {
		bc.raw, _ = sc.SyscallConn()
	}
	bc.r = bufio.NewReaderSize(connReader{bc}, 16<<10)
	bc.handshake = time.AfterFunc(handshakeWait, func() {
		transportLog.Printf("a client at %v did not complete the ZeroMQ handshake within %v: connection closed", c.RemoteAddr(), handshakeWait)
		c.Close()
	})
	return bc
}

// connReader reads what the buffer of a batchedConn takes in.
type connReader struct{ c *batchedConn }

func (r connReader) Read(p []byte) (int, error) {
	if r.c.raw != nil {
		return rawio.Read(r.c.raw, p)
	}
	return r.c.Conn.Read(p)
}

// Read reads what zmq4 asks for, as far as the current part of the stream
// goes: the greeting, a frame header it has checked, or a frame body.
func (c *batchedConn) Read(p []byte) (int, error) {
	in := &c.in
	if len(p) == 0 {
		return 0, nil
	}
	if in.greet == 0 && in.head == 0 && in.body == 0 { // zmq4 wants a header
		if err := c.nextFrame(); err != nil {
			return 0, c.failed(err)
		}
	}
	want := uint64(len(p))
	switch {
	case in.greet > 0:
		want = min(want, uint64(in.greet))
	case in.head > 0:
		want = min(want, uint64(in.head))
	default:
		want = min(want, in.body)
	}
	n, err := c.r.Read(p[:want])
	switch {
	case in.greet > 0:
		in.greet -= n
	case in.head > 0:
		in.head -= n
	default:
		in.body -= uint64(n)
	}
	if in.ready && in.head == 0 && in.body == 0 {
		in.ready = false
		c.endHandshake()
	}
	return n, c.failed(err)
}

// failed closes the connection when a read fails during the handshake:
// zmq4 then gives up on the connection without closing it.
func (c *batchedConn) failed(err error) error {
	if err != nil && c.in.handshaking() {
		c.drop()
	}
	return err
}

// drop closes the connection under zmq4, which finds out at its next read
// or write.
func (c *batchedConn) drop() {
	c.endHandshake()
	c.Conn.Close()
}

// endHandshake stops the handshake's timer.
func (c *batchedConn) endHandshake() {
	if c.handshake != nil {
		c.handshake.Stop()
	}
}

// nextFrame reads ahead the header of the next frame, waiting for it, and
// refuses a frame larger than maxFrame, closing the connection.
func (c *batchedConn) nextFrame() error {
	in := &c.in
	h, err := c.r.Peek(2)
	if err != nil {
		return err
	}
	size, n := uint64(h[1]), 2
	if h[0]&flagLong != 0 {
		if h, err = c.r.Peek(9); err != nil {
			return err
		}
		size, n = binary.BigEndian.Uint64(h[1:9]), 9
	}
	if size > maxFrame {
		return c.refuse(fmt.Errorf("a client at %v sent a ZeroMQ frame of %d bytes, more than the %d bytes a frame may have: connection closed", c.RemoteAddr(), size, maxFrame))
	}
	in.head, in.body = n, size
	in.ready = h[0]&flagCommand != 0 && !in.shaken
	in.shaken = in.shaken || in.ready
	if in.ready {
		if n+int(size) > c.r.Size() {
			err = fmt.Errorf("a first command of %d bytes", size)
		} else {
			cmd, perr := c.r.Peek(n + int(size))
			if perr != nil {
				return perr // the peer hung up: zmq4 gives up on it
			}
			err = checkReady(cmd[n:])
		}
		if err != nil {
			return c.refuse(fmt.Errorf("a client at %v sent a bad ZeroMQ handshake (%w): connection closed", c.RemoteAddr(), err))
		}
	}
	return nil
}

// refuse closes the connection and returns err, which it logs once the
// handshake is over: during the handshake zmq4 logs the error it gets.
func (c *batchedConn) refuse(err error) error {
	if !c.in.handshaking() {
		transportLog.Print(err)
	}
	c.drop()
	return err
}

// peerTypes are the socket types that zmq4 knows; it panics on any other.
var peerTypes = map[string]bool{"PAIR": true, "PUB": true, "SUB": true, "REQ": true, "REP": true,
	"DEALER": true, "ROUTER": true, "PULL": true, "PUSH": true, "XPUB": true, "XSUB": true}

// checkReady checks the body of a peer's first command, which zmq4
// decodes without checking its bounds: it must be READY, its properties
// must fill it exactly, and its Socket-Type must be one zmq4 knows.
func checkReady(body []byte) error {
	if len(body) < 6 || string(body[:6]) != "\x05READY" {
		return errors.New("the first command is not READY")
	}
	socketType := ""
	for p := body[6:]; len(p) > 0; {
		nameLen := int(p[0])
		if nameLen == 0 || 1+nameLen+4 > len(p) {
			return errors.New("a property overruns the command")
		}
		name := p[1 : 1+nameLen]
		valueLen := binary.BigEndian.Uint32(p[1+nameLen:])
		p = p[1+nameLen+4:]
		if uint64(valueLen) > uint64(len(p)) {
			return errors.New("a property's value overruns the command")
		}
		if strings.EqualFold(string(name), "Socket-Type") {
			socketType = string(p[:valueLen])
		}
		p = p[valueLen:]
	}
	if !peerTypes[socketType] {
		return fmt.Errorf("socket type %q", socketType)
	}
	return nil
}

func (c *batchedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.err; err != nil {
		c.err = nil
		return 0, err
	}
	c.follow(p)
	if len(c.buf)+len(p) > maxBatch {
		if err := c.flush(); err != nil {
			return 0, err
		}
		return c.write(p)
	}
	c.buf = append(c.buf, p...)
	switch {
	case !c.boundary():
	case c.coalesce && c.greet == 0:
		if !c.pending {
			c.pending = true
			go c.lateFlush()
		}
	default:
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// lateFlush writes out what a coalescing connection holds.
func (c *batchedConn) lateFlush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = false
	if err := c.flush(); err != nil && c.err == nil {
		c.err = err
	}
}

// Close writes out what the connection holds, then closes it.
func (c *batchedConn) Close() error {
	c.endHandshake()
	c.mu.Lock()
	c.flush()
	c.mu.Unlock()
	return c.Conn.Close()
}

// boundary tells whether the peer may be waiting for the bytes written so
// far: whether they end a message or a command, or belong to the greeting,
// which zmq4 writes in one piece and which is never held back.
func (c *batchedConn) boundary() bool {
	return c.greet > 0 || c.headLen == 0 && c.body == 0 && !c.more
}

// follow advances the framing state over p.
func (c *batchedConn) follow(p []byte) {
	for len(p) > 0 {
		switch {
		case c.greet > 0:
			n := min(c.greet, len(p))
			c.greet -= n
			p = p[n:]
		case c.body > 0:
			n := min(c.body, uint64(len(p)))
			c.body -= n
			p = p[n:]
		default:
			c.head[c.headLen] = p[0]
			c.headLen++
			p = p[1:]
			size := 2
			if c.head[0]&flagLong != 0 {
				size = 9
			}
			if c.headLen < size {
				continue
			}
			c.more = c.head[0]&flagMore != 0
			if size == 9 {
				c.body = binary.BigEndian.Uint64(c.head[1:9])
			} else {
				c.body = uint64(c.head[1])
			}
			c.headLen = 0
		}
	}
}

func (c *batchedConn) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.write(c.buf)
	c.buf = c.buf[:0]
	if cap(c.buf) > maxBatch {
		c.buf = nil
	}
	return err
}

// write writes p to the connection.
func (c *batchedConn) write(p []byte) (int, error) {
	if c.raw != nil {
		return rawio.Write(c.raw, p)
	}
	return c.Conn.Write(p)
}
