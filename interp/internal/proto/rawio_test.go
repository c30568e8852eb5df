package proto

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// socketFiles returns the two ends of a non-blocking socketpair, as the
// kernel's and the worker's control socket are.
func socketFiles(t *testing.T) (a, b *os.File) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b = os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// TestRawFile moves more than a socket buffer holds through a RawFile, so
// that its writes and reads wait in the netpoller, then checks end of
// file, and a read that a Close ends.
func TestRawFile(t *testing.T) {
	a, b := socketFiles(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	written := make(chan error, 1)
	go func() {
		n, err := NewRawFile(a).Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		unix.Shutdown(int(a.Fd()), unix.SHUT_WR)
		written <- err
	}()
	got, err := io.ReadAll(NewRawFile(b))
	if err != nil {
		t.Fatalf("read after %d bytes: %v", len(got), err)
	}
	if err := <-written; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(want))
	}

	// A read waiting for data ends when its file is closed.
	_, c := socketFiles(t)
	ended := make(chan error, 1)
	go func() { _, err := NewRawFile(c).Read(make([]byte, 10)); ended <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("read of a closed file: %v, want os.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not return when its file was closed")
	}
}
