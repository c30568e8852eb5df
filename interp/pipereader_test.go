package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// newTestPipe returns a pipeReader on a new pipe's read end, and its
// write end, blocking as a worker's fd 1 is.
func newTestPipe(t *testing.T) (*pipeReader, *os.File) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		t.Fatal(err)
	}
	return newPipeReader(p[0]), os.NewFile(uintptr(p[1]), "test-pipe-w")
}

// readAll reads r to the end and returns the text and the number of reads
// that returned data.
func readAll(r *pipeReader) (string, int, error) {
	var sb strings.Builder
	reads := 0
	buf := make([]byte, readChunk)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			reads++
			sb.Write(buf[:n])
		}
		if errors.Is(err, io.EOF) {
			return sb.String(), reads, nil
		}
		if err != nil {
			return sb.String(), reads, err
		}
	}
}

func TestPipeReaderGathersAFlood(t *testing.T) {
	r, w := newTestPipe(t)
	defer r.close()
	const lines = 20000
	var want strings.Builder
	for i := range lines {
		fmt.Fprintln(&want, i)
	}
	go func() {
		defer w.Close()
		for i := range lines {
			// One write per line, as fmt.Println in a cell makes.
			if _, err := fmt.Fprintln(w, i); err != nil {
				return
			}
		}
	}()
	got, reads, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Fatalf("read %d bytes, want the %d written, in order", len(got), want.Len())
	}
	// Without gathering, a reader keeps up with a writer of short lines and
	// reads a line or a few at a time.
	if reads > lines/20 {
		t.Errorf("%d lines took %d reads, want at most %d: the flood was not gathered", lines, reads, lines/20)
	}
}

func TestPipeReaderTrickle(t *testing.T) {
	r, w := newTestPipe(t)
	defer r.close()
	defer w.Close()
	buf := make([]byte, readChunk)
	// A flood first, so that the reader gathers; then single lines, each of
	// which must come through on its own, whatever the reader's state.
	for i := range 2000 {
		fmt.Fprintln(w, i)
	}
	for read := 0; read < len("0\n")*10+len("10\n")*90+len("100\n")*900+len("1000\n")*1000; {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		read += n
	}
	for i := range 20 {
		line := fmt.Sprintf("line %d\n", i)
		done := make(chan string, 1)
		go func() {
			n, err := r.Read(buf)
			if err != nil {
				done <- err.Error()
				return
			}
			done <- string(buf[:n])
		}()
		time.Sleep(time.Millisecond)
		if _, err := w.WriteString(line); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-done:
			if got != line {
				t.Fatalf("read %q, want %q", got, line)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("line %d: no read returned within 5 s", i)
		}
	}
}

func TestPipeReaderStop(t *testing.T) {
	for _, gathering := range []bool{false, true} {
		t.Run(fmt.Sprint("gathering=", gathering), func(t *testing.T) {
			r, w := newTestPipe(t)
			defer w.Close() // a writer that never closes: only stop ends the reading
			if gathering {
				r.streak = gatherAfter
			}
			done := make(chan error, 1)
			go func() {
				buf := make([]byte, readChunk)
				for {
					if _, err := r.Read(buf); err != nil {
						done <- err
						return
					}
				}
			}()
			time.Sleep(10 * time.Millisecond)
			r.stop()
			select {
			case err := <-done:
				if !errors.Is(err, os.ErrClosed) {
					t.Errorf("Read after stop returned %v, want os.ErrClosed", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Read did not return within 5 s of stop")
			}
			r.close()
			if _, err := unix.FcntlInt(uintptr(r.fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
				t.Errorf("the read end is still open after close (fcntl: %v)", err)
			}
		})
	}
}

// A cell's end marker ends gathering: otherwise cells that follow one
// another within gatherGap build a streak from their markers alone, and
// each then waits gatherDelay for its marker.
func TestPipeReaderEndMarkerEndsGathering(t *testing.T) {
	r, w := newTestPipe(t)
	defer r.close()
	r.streak = gatherAfter
	go func() {
		defer w.Close()
		io.WriteString(w, "out\n"+proto.Marker("tok", "end", 1))
	}()
	var streaks []int
	var text strings.Builder
	readOutput(r, "tok", func(s string) { text.WriteString(s) }, func(kind string, seq uint64) {
		streaks = append(streaks, r.streak)
	})
	if text.String() != "out\n" {
		t.Errorf("text %q, want %q", text.String(), "out\n")
	}
	if len(streaks) != 1 || streaks[0] != 0 {
		t.Errorf("streak when the end marker was handed on: %v, want [0]", streaks)
	}
}
