package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// TestRawIO moves more than a socket buffer holds through Write and
// Read, so that both wait in the netpoller, then checks end of file and
// a read that a Close ends.
func TestRawIO(t *testing.T) {
	a, _, ra, rb := tcpPair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	written := make(chan error, 1)
	go func() {
		n, err := Write(ra, want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		a.(*net.TCPConn).CloseWrite()
		written <- err
	}()
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := Read(rb, buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", len(got), err)
		}
	}
	if err := <-written; err != nil {
		t.Fatalf("Write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(want))
	}

	// A read waiting for data ends when its connection is closed.
	_, c, _, rc := tcpPair(t)
	ended := make(chan error, 1)
	go func() { _, err := Read(rc, buf); ended <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read on a closed connection: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not return when its connection was closed")
	}
}

// TestReadFD checks ReadFD on an empty, a written and a closed pipe.
func TestReadFD(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	buf := make([]byte, 8)
	if n, errno := ReadFD(p[0], buf); errno != syscall.EAGAIN {
		t.Errorf("empty pipe: %d, %v; want EAGAIN", n, errno)
	}
	unix.Write(p[1], []byte("hi"))
	if n, errno := ReadFD(p[0], buf); errno != 0 || string(buf[:n]) != "hi" {
		t.Errorf("written pipe: %q, %v; want \"hi\"", buf[:n], errno)
	}
	unix.Close(p[1])
	if n, errno := ReadFD(p[0], buf); errno != 0 || n != 0 {
		t.Errorf("closed pipe: %d, %v; want 0 bytes (end of file)", n, errno)
	}
}
