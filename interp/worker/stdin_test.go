package worker

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestBlockedOnStdin puts the worker's stdin pipe on this process's fd 0,
// and checks that blockedOnStdin sees a read of it exactly while the read
// waits.
func TestBlockedOnStdin(t *testing.T) {
	p, err := newStdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if blockedOnStdin(0) {
		t.Fatal("blocked before anything reads fd 0")
	}
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 16)
		n, _ := unix.Read(0, buf)
		got <- string(buf[:max(n, 0)])
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !blockedOnStdin(0) {
		if time.Now().After(deadline) {
			t.Fatal("a read of fd 0 was not seen within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.write("hi\n"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "hi\n" {
		t.Fatalf("read %q", s)
	}
	if blockedOnStdin(0) {
		t.Fatal("still blocked after the read returned")
	}
}
