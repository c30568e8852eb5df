package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// A testSink records the text pieces a pipeReader hands on.
type testSink struct {
	mu     sync.Mutex
	text   strings.Builder
	pieces int
	sync   []uint64 // the sync markers seen
}

func (s *testSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.String()
}

// newTestPipe returns a pipeReader on a new pipe's read end, which hands
// its text to a testSink, and the write end, blocking as a worker's fd 1
// is.
func newTestPipe(t *testing.T) (*pipeReader, *os.File, *testSink) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		t.Fatal(err)
	}
	sink := &testSink{}
	m := newMarkerReader("tok", func(s string) {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		sink.text.WriteString(s)
		sink.pieces++
	}, func(kind string, seq uint64) {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		if kind == "sync" {
			sink.sync = append(sink.sync, seq)
		}
	})
	return newPipeReader(p[0], m), os.NewFile(uintptr(p[1]), "test-pipe-w"), sink
}

func TestPipeReaderGathersAFlood(t *testing.T) {
	r, w, sink := newTestPipe(t)
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
	r.run()
	got, reads := sink.String(), sink.pieces
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
	r, w, sink := newTestPipe(t)
	defer r.close()
	defer w.Close()
	// A flood first, so that the reader gathers; then single lines, each of
	// which must come through on its own, whatever the reader's state.
	var flood strings.Builder
	for i := range 2000 {
		fmt.Fprintln(&flood, i)
		fmt.Fprintln(w, i)
	}
	for sink.String() != flood.String() {
		if err := r.next(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		line := fmt.Sprintf("line %d\n", i)
		done := make(chan error, 1)
		go func() { done <- r.next() }()
		time.Sleep(time.Millisecond)
		if _, err := w.WriteString(line); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimPrefix(sink.String(), flood.String()); got != line {
				t.Fatalf("read %q, want %q", got, line)
			}
			flood.WriteString(line)
		case <-time.After(5 * time.Second):
			t.Fatalf("line %d: no read returned within 5 s", i)
		}
	}
}

func TestPipeReaderStop(t *testing.T) {
	for _, gathering := range []bool{false, true} {
		t.Run(fmt.Sprint("gathering=", gathering), func(t *testing.T) {
			r, w, _ := newTestPipe(t)
			defer w.Close() // a writer that never closes: only stop ends the reading
			if gathering {
				r.streak.Store(gatherAfter)
			}
			done := make(chan struct{})
			go func() {
				r.run()
				close(done)
			}()
			time.Sleep(10 * time.Millisecond)
			r.stop()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("run did not return within 5 s of stop")
			}
			fd := p0(r)
			r.close()
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
				t.Errorf("the read end is still open after close (fcntl: %v)", err)
			}
		})
	}
}

// Once drain has returned, everything written to the pipe before it was
// called has been handed on, in order, whether run is reading at the
// same time, waiting or gathering; an incomplete character is handed on
// too, and a sync marker is handed on as a marker. Drain also ends
// gathering, so that the next request's output is not read late.
func TestPipeReaderDrain(t *testing.T) {
	r, w, sink := newTestPipe(t)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		r.run()
	}()
	defer func() {
		w.Close()
		<-ran
		r.close()
	}()
	var want strings.Builder
	for i := range 2000 {
		line := fmt.Sprintf("line %d\n", i)
		if i%100 == 0 {
			// A flood between drains, which makes run gather.
			for j := range 50 {
				fmt.Fprintf(w, "flood %d\n", j)
				fmt.Fprintf(&want, "flood %d\n", j)
			}
		}
		if i%500 == 7 {
			line += "\xe2\x82" // the first two bytes of "€"
		}
		w.WriteString(line)
		want.WriteString(line)
		r.drain()
		if got := sink.String(); got != want.String() {
			t.Fatalf("after drain %d: handed on %d bytes ending %q, want %d ending %q",
				i, len(got), tail(got), want.Len(), tail(want.String()))
		}
		if r.streak.Load() != 0 {
			t.Fatalf("after drain %d: streak %d, want 0", i, r.streak.Load())
		}
	}
	io.WriteString(w, "a\n"+proto.Marker("tok", "sync", 9)+"b\n")
	r.drain()
	if got := strings.TrimPrefix(sink.String(), want.String()); got != "a\nb\n" {
		t.Errorf("around a sync marker, handed on %q, want %q", got, "a\nb\n")
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.sync) != 1 || sink.sync[0] != 9 {
		t.Errorf("sync markers seen %v, want [9]", sink.sync)
	}
}

func tail(s string) string { return s[max(0, len(s)-20):] }

// p0 is r's descriptor.
func p0(r *pipeReader) int {
	r.turn.Lock()
	defer r.turn.Unlock()
	return r.fd
}
