package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// writeRecorder is a net.Conn that records each write it gets.
type writeRecorder struct {
	net.Conn // nil: only Write is called
	writes   [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, slices.Clone(p))
	return len(p), nil
}

// frame returns the header and body of a ZMTP frame, as zmq4 writes them
// in two calls.
func frame(flags byte, body []byte) [][]byte {
	if len(body) > 255 {
		h := make([]byte, 9)
		h[0] = flags | flagLong
		binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
		return [][]byte{h, body}
	}
	return [][]byte{{flags, byte(len(body))}, body}
}

func TestBatchedConnWrites(t *testing.T) {
	greeting := bytes.Repeat([]byte{'g'}, greetingSize)
	message := slices.Concat(frame(flagMore, []byte("<IDS|MSG>")), frame(flagMore, bytes.Repeat([]byte{'h'}, 300)), frame(0, []byte("{}")))
	tests := []struct {
		name   string
		writes [][]byte
		want   []int // the number of writes of the input that each output write holds
	}{
		{"greeting", [][]byte{greeting}, []int{1}},
		{"greeting in parts", [][]byte{greeting[:10], greeting[10:]}, []int{1, 1}},
		{"message of three frames, one of them long", message, []int{6}},
		{"command", frame(0x04, []byte("\x05READY")), []int{2}},
		{"empty last frame", slices.Concat(frame(flagMore, []byte("a")), frame(0, nil)), []int{4}},
		{"two messages", slices.Concat(message, message), []int{6, 6}},
		{"header split across writes", [][]byte{{flagLong}, {0, 0, 0, 0, 0, 0, 1, 0}, bytes.Repeat([]byte{'b'}, 256)}, []int{3}},
		{"body longer than the batch", slices.Concat(frame(flagMore, []byte("x")), frame(0, make([]byte, maxBatch+1))), []int{3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &writeRecorder{}
			c := &batchedConn{Conn: rec, greet: greetingSize}
			if tt.name != "greeting" && tt.name != "greeting in parts" {
				c.greet = 0
			}
			for _, p := range tt.writes {
				if n, err := c.Write(p); n != len(p) || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v", len(p), n, err)
				}
			}
			var want [][]byte
			i := 0
			for _, n := range tt.want {
				want = append(want, slices.Concat(tt.writes[i:i+n]...))
				i += n
			}
			if len(rec.writes) != len(want) {
				t.Fatalf("%d writes of %d bytes reached the connection, want %d", len(rec.writes), lens(rec.writes), lens(want))
			}
			for i := range want {
				if !bytes.Equal(rec.writes[i], want[i]) {
					t.Errorf("write %d: %d bytes, want %d", i, len(rec.writes[i]), len(want[i]))
				}
			}
		})
	}
}

// A coalescing connection writes messages written back to back in one
// write, after the writer is done, and writes out what it holds on Close.
func TestBatchedConnCoalesces(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // as the kernel runs
	message := slices.Concat(frame(flagMore, []byte("<IDS|MSG>")), frame(0, []byte("{}")))
	rec := &writeRecorder{}
	c := &batchedConn{Conn: rec, coalesce: true}
	var want []byte
	for range 3 {
		for _, p := range message {
			if _, err := c.Write(p); err != nil {
				t.Fatal(err)
			}
			want = append(want, p...)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		pending, got := c.pending, slices.Clone(rec.writes)
		c.mu.Unlock()
		if !pending {
			if len(got) != 1 || !bytes.Equal(got[0], want) {
				t.Fatalf("writes of %v bytes reached the connection, want one of %d", lens(got), len(want))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the held messages were never written")
		}
		runtime.Gosched()
	}

	rec2 := &writeRecorder{Conn: nopCloser{}}
	c2 := &batchedConn{Conn: rec2, coalesce: true}
	for _, p := range message {
		c2.Write(p)
	}
	c2.Close()
	if len(rec2.writes) != 1 {
		t.Errorf("Close left %d writes, want the held message written", len(rec2.writes))
	}
}

// nopCloser is a net.Conn whose Close does nothing.
type nopCloser struct{ net.Conn }

func (nopCloser) Close() error { return nil }

func lens(bs [][]byte) []int {
	var out []int
	for _, b := range bs {
		out = append(out, len(b))
	}
	return out
}

// TestBatchedTransport checks that plain zmq4 sockets, as clients use,
// talk with batched ones in both directions, on tcp and on ipc.
func TestBatchedTransport(t *testing.T) {
	for _, ep := range []string{"tcp://127.0.0.1:0", "ipc://" + t.TempDir() + "/sock"} {
		t.Run(ep[:3], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			router := zmq4.NewRouter(ctx, zmq4.WithTimeout(5*time.Second))
			defer router.Close()
			bep, err := batchedEndpoint(ep, false)
			if err != nil {
				t.Fatal(err)
			}
			if bep == ep {
				t.Fatalf("batchedEndpoint(%q) = %q, want another scheme", ep, bep)
			}
			if err := router.Listen(bep); err != nil {
				t.Fatal(err)
			}
			addr := ep
			if tcp, ok := router.Addr().(*net.TCPAddr); ok {
				addr = "tcp://" + tcp.String()
			}
			dealer := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("client")))
			defer dealer.Close()
			if err := dealer.Dial(addr); err != nil {
				t.Fatal(err)
			}
			big := bytes.Repeat([]byte("x"), 3*maxBatch)
			request := [][]byte{[]byte("<IDS|MSG>"), []byte("sig"), big, {}}
			if err := dealer.Send(zmq4.NewMsgFrom(request...)); err != nil {
				t.Fatal(err)
			}
			got, err := router.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if want := append([][]byte{[]byte("client")}, request...); !slices.EqualFunc(got.Frames, want, bytes.Equal) {
				t.Fatalf("router got %d frames %v, want %v", len(got.Frames), lens(got.Frames), lens(want))
			}
			for i := range 3 {
				reply := [][]byte{[]byte("client"), []byte("<IDS|MSG>"), {byte(i)}, big[:i*100]}
				if err := router.Send(zmq4.NewMsgFrom(reply...)); err != nil {
					t.Fatal(err)
				}
				back, err := dealer.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(back.Frames, reply[1:], bytes.Equal) {
					t.Fatalf("reply %d: dealer got frames %v, want %v", i, lens(back.Frames), lens(reply[1:]))
				}
			}
		})
	}
}

// streamConn is a net.Conn that reads a fixed stream and records Close.
type streamConn struct {
	net.Conn // nil: only Read, Close and RemoteAddr are called
	r        *bytes.Reader
	closed   bool
}

func (s *streamConn) Read(p []byte) (int, error) { return s.r.Read(p) }
func (s *streamConn) Close() error               { s.closed = true; return nil }
func (s *streamConn) RemoteAddr() net.Addr       { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }

// TestBatchedConnReads reads streams as zmq4 does, a frame's header and
// then its body with io.ReadFull, through a batchedConn: frames pass as
// they came, and one that declares more than maxFrame bytes is refused
// before zmq4 has its size, and closes the connection.
func TestBatchedConnReads(t *testing.T) {
	greeting := bytes.Repeat([]byte{'g'}, greetingSize)
	ready := slices.Concat(frame(flagCommand, []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER"))...)
	huge := func(flags byte) []byte {
		h := []byte{flags | flagLong, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint64(h[1:], maxFrame+1)
		return h
	}
	message := slices.Concat(slices.Concat(frame(flagMore, []byte("<IDS|MSG>"))...),
		slices.Concat(frame(flagMore, nil)...), slices.Concat(frame(0, bytes.Repeat([]byte{'b'}, 300))...))
	for _, tc := range []struct {
		name   string
		stream []byte
		frames int // frames read before the stream ends or is refused
		refuse bool
	}{
		{"handshake and a message", slices.Concat(greeting, ready, message), 4, false},
		{"a huge command in the handshake", slices.Concat(greeting, huge(flagCommand)), 0, true},
		{"a huge frame after the handshake", slices.Concat(greeting, ready, huge(0), bytes.Repeat([]byte{'x'}, 100)), 1, true},
		{"a frame of maxFrame bytes is read", slices.Concat(greeting, ready, []byte{flagLong, 0, 0, 0, 0, 0x40, 0, 0, 0}), 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := &streamConn{r: bytes.NewReader(tc.stream)}
			c := newBatchedConn(sc, false)
			defer c.Close()
			got := make([]byte, greetingSize)
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, greeting) {
				t.Fatalf("greeting: %q, %v", got, err)
			}
			frames := 0
			var err error
			for {
				var h [9]byte
				if _, err = io.ReadFull(c, h[:2]); err != nil {
					break
				}
				size := uint64(h[1])
				if h[0]&flagLong != 0 {
					if _, err = io.ReadFull(c, h[2:9]); err != nil {
						t.Fatalf("frame %d: the size came in part, then %v", frames, err)
					}
					size = binary.BigEndian.Uint64(h[1:9])
				}
				if size > maxFrame {
					t.Fatalf("frame %d: zmq4 would allocate %d bytes", frames, size)
				}
				body := make([]byte, size)
				if _, err = io.ReadFull(c, body); err != nil {
					break
				}
				frames++
			}
			if frames != tc.frames {
				t.Errorf("read %d frames, want %d", frames, tc.frames)
			}
			if refused := err != nil && err != io.EOF && err != io.ErrUnexpectedEOF; refused != tc.refuse || sc.closed != tc.refuse {
				t.Errorf("error %v, connection closed %v; want refused %v", err, sc.closed, tc.refuse)
			}
		})
	}
}

// TestCheckReady checks the first commands that zmq4 would choke on.
func TestCheckReady(t *testing.T) {
	prop := func(name, value string) string {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(value)))
		return string(rune(len(name))) + name + string(n[:]) + value
	}
	for _, tc := range []struct {
		name, body string
		ok         bool
	}{
		{"dealer", "\x05READY" + prop("Socket-Type", "DEALER"), true},
		{"with identity", "\x05READY" + prop("Socket-Type", "SUB") + prop("Identity", "x"), true},
		{"name in lower case", "\x05READY" + prop("socket-type", "REQ"), true},
		{"no properties", "\x05READY", false},
		{"no socket type", "\x05READY" + prop("Identity", "x"), false},
		{"unknown socket type", "\x05READY" + prop("Socket-Type", "STREAM"), false},
		{"socket type in lower case", "\x05READY" + prop("Socket-Type", "dealer"), false},
		{"name overruns", "\x05READY\x0bSocket", false},
		{"no value length", "\x05READY\x0bSocket-Type\x00\x00", false},
		{"value overruns", "\x05READY\x0bSocket-Type\xff\xff\xff\xffDEALER", false},
		{"empty name", "\x05READY\x00\x00\x00\x00\x00", false},
		{"another command", "\x05HELLO" + prop("Socket-Type", "DEALER"), false},
		{"empty", "", false},
	} {
		if err := checkReady([]byte(tc.body)); (err == nil) != tc.ok {
			t.Errorf("%s: checkReady = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// TestBatchedConnClosesFailedHandshake checks that a connection whose
// peer hangs up before the end of its handshake is closed at once (zmq4
// gives up on it without closing it), and one that hangs up later is left
// to zmq4.
func TestBatchedConnClosesFailedHandshake(t *testing.T) {
	greeting := bytes.Repeat([]byte{'g'}, greetingSize)
	ready := slices.Concat(frame(flagCommand, []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB"))...)
	for _, tc := range []struct {
		name   string
		stream []byte
		closed bool
	}{
		{"in the greeting", greeting[:10], true},
		{"before READY", greeting, true},
		{"in READY", slices.Concat(greeting, ready[:5]), true},
		{"after READY", slices.Concat(greeting, ready), false},
	} {
		sc := &streamConn{r: bytes.NewReader(tc.stream)}
		c := newBatchedConn(sc, false)
		if _, err := io.ReadAll(c); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if sc.closed != tc.closed {
			t.Errorf("%s: closed %v, want %v", tc.name, sc.closed, tc.closed)
		}
		c.endHandshake()
	}
}

// TestBatchedConnRefusesBadReady reads a handshake whose READY has no
// socket type: the read fails and the connection is closed.
func TestBatchedConnRefusesBadReady(t *testing.T) {
	stream := slices.Concat(bytes.Repeat([]byte{'g'}, greetingSize), slices.Concat(frame(flagCommand, []byte("\x05READY"))...))
	sc := &streamConn{r: bytes.NewReader(stream)}
	c := newBatchedConn(sc, false)
	defer c.Close()
	if _, err := io.ReadAll(c); err == nil || !sc.closed {
		t.Errorf("read error %v, connection closed %v; want an error and closed", err, sc.closed)
	}
}
