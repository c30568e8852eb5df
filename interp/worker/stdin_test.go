package worker

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestBlockedOnStdin puts the worker's stdin pipe on this process's fd 0,
// and checks that blockedOnStdin sees a read of it, or of the cells' copy
// of it, exactly while the read waits.
func TestBlockedOnStdin(t *testing.T) {
	p, err := newStdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	copyFD, err := unix.FcntlInt(0, unix.F_DUPFD_CLOEXEC, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(copyFD)
	for _, tt := range []struct {
		name string
		fd   int
	}{
		{"fd 0", 0},
		{"the cells' copy", copyFD},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if blockedOnStdin(0, copyFD) {
				t.Fatal("blocked before anything reads stdin")
			}
			got := make(chan string, 1)
			go func() {
				buf := make([]byte, 16)
				n, _ := unix.Read(tt.fd, buf)
				got <- string(buf[:max(n, 0)])
			}()
			deadline := time.Now().Add(5 * time.Second)
			for !blockedOnStdin(0, copyFD) {
				if time.Now().After(deadline) {
					t.Fatalf("a read of fd %d was not seen within 5 s", tt.fd)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if tt.fd != 0 && blockedOnStdin(0, -1) {
				t.Error("a read of the copy counted without the copy's descriptor")
			}
			if err := p.write("hi\n"); err != nil {
				t.Fatal(err)
			}
			if s := <-got; s != "hi\n" {
				t.Fatalf("read %q", s)
			}
			if blockedOnStdin(0, copyFD) {
				t.Fatal("still blocked after the read returned")
			}
		})
	}
}
