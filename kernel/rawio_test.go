package kernel

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection and their
// RawConns.
func tcpPair(t *testing.T) (a, b net.Conn, ra, rb syscall.RawConn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	a, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	ra, _ = a.(*net.TCPConn).SyscallConn()
	rb, _ = b.(*net.TCPConn).SyscallConn()
	return a, b, ra, rb
}

// TestRawIO moves more than a socket buffer holds through rawWrite and
// rawRead, so that both wait in the netpoller, then checks end of file and
// a read that a Close ends.
func TestRawIO(t *testing.T) {
	a, _, ra, rb := tcpPair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	written := make(chan error, 1)
	go func() {
		n, err := rawWrite(ra, want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		a.(*net.TCPConn).CloseWrite()
		written <- err
	}()
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := rawRead(rb, buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("rawRead after %d bytes: %v", len(got), err)
		}
	}
	if err := <-written; err != nil {
		t.Fatalf("rawWrite: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(want))
	}

	// A read waiting for data ends when its connection is closed.
	_, c, _, rc := tcpPair(t)
	ended := make(chan error, 1)
	go func() { _, err := rawRead(rc, buf); ended <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("rawRead on a closed connection: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("rawRead did not return when its connection was closed")
	}
}
