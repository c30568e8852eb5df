package interp

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/kernel/rawio"
)

// A markerReader splits one of the worker's output pipes into text and
// marker lines. It holds back a marker that is split across reads, and an
// incomplete UTF-8 character, so that each text piece it hands on is whole.
type markerReader struct {
	r      io.Reader
	prefix []byte
	text   func(s string)                // output text, in order
	marker func(kind string, seq uint64) // a marker line
}

func newMarkerReader(r io.Reader, token string, text func(string), marker func(string, uint64)) *markerReader {
	return &markerReader{r: r, prefix: []byte(proto.MarkerPrefix(token)), text: text, marker: marker}
}

// readOutput reads one of the worker's output pipes until end of file,
// handing on its text and markers, and tells p when a cell has ended.
func readOutput(p *pipeReader, token string, text func(string), marker func(kind string, seq uint64)) {
	newMarkerReader(p, token, text, func(kind string, seq uint64) {
		if kind == "end" {
			p.cellEnded()
		}
		marker(kind, seq)
	}).run()
}

// run reads until end of file. It returns what was left unsent, which is
// only ever an incomplete character or marker at the very end.
func (m *markerReader) run() {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, readChunk)
	for {
		n, err := m.r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		buf = m.consume(buf, err != nil)
		if err != nil {
			if len(buf) > 0 {
				m.text(string(buf))
			}
			return
		}
	}
}

// consume handles every complete piece of buf and returns the rest.
func (m *markerReader) consume(buf []byte, eof bool) []byte {
	for len(buf) > 0 {
		i := bytes.Index(buf, m.prefix)
		if i < 0 {
			keep := partialSuffix(buf, m.prefix)
			send := buf[:len(buf)-keep]
			cut := len(send)
			if !eof {
				cut = wholeRunes(send)
			}
			if cut > 0 {
				m.text(string(send[:cut]))
			}
			return append(buf[:0], buf[cut:]...)
		}
		if i > 0 {
			m.text(string(buf[:i]))
			buf = append(buf[:0], buf[i:]...)
			continue
		}
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 {
			if len(buf) > len(m.prefix)+64 { // not a marker after all
				m.text(string(buf[:1]))
				buf = append(buf[:0], buf[1:]...)
				continue
			}
			return buf
		}
		line := string(buf[len(m.prefix):nl])
		kind, num, ok := cutSpace(line)
		seq, err := strconv.ParseUint(num, 10, 64)
		if ok && err == nil {
			m.marker(kind, seq)
		} else {
			m.text(string(buf[:nl+1]))
		}
		buf = append(buf[:0], buf[nl+1:]...)
	}
	return buf
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// partialSuffix is the length of the longest suffix of buf that is a
// proper prefix of marker.
func partialSuffix(buf, marker []byte) int {
	for k := min(len(buf), len(marker)-1); k > 0; k-- {
		if bytes.HasSuffix(buf, marker[:k]) {
			return k
		}
	}
	return 0
}

// wholeRunes is the length of b without an incomplete UTF-8 character at
// its end.
func wholeRunes(b []byte) int {
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return len(b) // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return len(b)
			}
			return len(b) - k
		}
	}
	return len(b)
}

// Reading a pipe that a cell floods with short writes.
//
// A reader that waits on a pipe, in read(2) or through Go's netpoller
// (whose epoll registration stays armed), is woken by every write to it.
// A loop of fmt.Println then costs the worker a wake-up of the kernel per
// line, inside its write(2), and the kernel a wake-up, a read and a stream
// append per line, on the CPU the worker needs.
//
// So once gatherAfter reads in a row have each found data within gatherGap
// (a small one: less than half a chunk), the reader takes its end of the
// pipe out of the netpoller and sleeps gatherDelay before each read. While
// it sleeps nothing waits on the pipe, so the writes are cheap, and the
// next read takes hundreds of lines at once. When a read after the sleep
// finds the pipe empty, or fills half a chunk, or the cell's end marker
// has come (cellEnded), the pipe goes back to the netpoller. Bulk writers
// never wait; a cell that prints a few lines never reaches the streak; an
// end-of-cell marker is seen at most gatherDelay late; and a trivial
// cell's markers arrive through the netpoller as before, since a blocking
// wait outside it would hold the kernel's only P.
const (
	readChunk   = 32 << 10
	gatherAfter = 8
	gatherGap   = 200 * time.Microsecond
	gatherDelay = time.Millisecond
)

// A pipeReader reads the non-blocking read end of a pipe: through a
// duplicate registered with Go's netpoller while output trickles, and
// with plain reads after short sleeps while it floods, as described above.
// stop makes a pending or later Read return os.ErrClosed; the goroutine
// that reads then calls close. Reads must not run concurrently.
type pipeReader struct {
	fd      int // the read end, never in the netpoller
	stopped atomic.Bool
	streak  int // reads in a row that found data within gatherGap

	mu     sync.Mutex
	polled *os.File      // a duplicate of fd in the netpoller; nil while gathering
	raw    proto.RawFile // reads polled
}

// cellEnded tells r that a cell's end marker has come through it, so any
// flood is over: the next Read waits in the netpoller. Without it, cells
// that follow one another faster than gatherGap (a client pipelining
// trivial cells) would build a streak from their markers alone, and each
// would then wait gatherDelay for its marker. Like Read, it must be called
// from the goroutine that reads.
func (r *pipeReader) cellEnded() { r.streak = 0 }

// newPipeReader takes over fd, which must be non-blocking.
func newPipeReader(fd int) *pipeReader { return &pipeReader{fd: fd} }

func (r *pipeReader) Read(p []byte) (int, error) {
	if r.streak >= gatherAfter {
		r.unpoll()
		time.Sleep(gatherDelay)
		if r.stopped.Load() {
			return 0, os.ErrClosed
		}
		n, errno := rawio.ReadFD(r.fd, p)
		switch {
		case errno == 0 && n > 0:
			if n >= len(p)/2 {
				r.streak = 0
			}
			return n, nil
		case errno == 0:
			return 0, io.EOF
		case errno != unix.EAGAIN:
			return 0, fmt.Errorf("interp: read worker output: %w", errno)
		}
		r.streak = 0 // the flood is over
	}
	f, err := r.poll()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	n, err := f.Read(p)
	if n > 0 && n < len(p)/2 && time.Since(start) < gatherGap {
		r.streak++
	} else {
		r.streak = 0
	}
	if err != nil && r.stopped.Load() {
		err = os.ErrClosed
	}
	return n, err
}

// poll returns the reader of the netpoller's duplicate of the pipe, making
// one if there is none.
func (r *pipeReader) poll() (proto.RawFile, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped.Load() {
		return proto.RawFile{}, os.ErrClosed
	}
	if r.polled == nil {
		fd, err := unix.FcntlInt(uintptr(r.fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return proto.RawFile{}, fmt.Errorf("interp: read worker output: %w", err)
		}
		r.polled = os.NewFile(uintptr(fd), "worker-output")
		r.raw = proto.NewRawFile(r.polled)
	}
	return r.raw, nil
}

// unpoll takes the pipe out of the netpoller.
func (r *pipeReader) unpoll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.polled != nil {
		r.polled.Close()
		r.polled = nil
	}
}

// stop ends the reading: a Read waiting in the netpoller returns.
func (r *pipeReader) stop() {
	r.stopped.Store(true)
	r.unpoll()
}

// close releases the descriptors, once no Read runs or will run.
func (r *pipeReader) close() {
	r.unpoll()
	unix.Close(r.fd)
}

// Go runtime crash dumps on the worker's stderr. A dump starts with a
// header line such as "panic: x", "fatal error: stack overflow" or
// "runtime: goroutine stack exceeds ...", and its goroutine stacks follow,
// each under a line such as "goroutine 7 [running]:".
var (
	dumpHeaders   = []string{"panic: ", "fatal error: ", "runtime: goroutine stack exceeds "}
	dumpStart     = regexp.MustCompile(`(?m)^(panic: |fatal error: |runtime: goroutine stack exceeds )`)
	dumpGoroutine = regexp.MustCompile(`(?m)^goroutine \d+ .*\]:$`)
)

const (
	// dumpHold is how long stderr text that may start a dump is held
	// back, waiting for the dump's first goroutine line. The runtime
	// writes a dump in one go, in microseconds.
	dumpHold = 200 * time.Millisecond
	// dumpHeaderMax is how much text may come between a dump's header
	// and its first goroutine line.
	dumpHeaderMax = 8 << 10
)

// A crashFilter takes a Go runtime crash dump out of the worker's stderr,
// so that the user sees a short error instead of tens of KB of runtime and
// yaegi frames; the Interpreter logs the dump in full. Text that may
// start a dump (a header line, or an unfinished line that may become one)
// is held back until the dump's first goroutine line shows it is one, or
// for at most dumpHold; then it is passed on. release passes on what a
// worker that lived on wrote.
type crashFilter struct {
	out func(string) // the user's stderr

	mu      sync.Mutex
	pending string // held back: text from a possible dump header on
	hold    int    // numbers the holds, so that a late timer finds its own
	dump    strings.Builder
	dumping bool
}

func newCrashFilter(out func(string)) *crashFilter { return &crashFilter{out: out} }

// write handles one piece of stderr text, in order.
func (c *crashFilter) write(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dumping {
		c.dump.WriteString(text)
		return
	}
	p := c.pending + text
	held := c.pending != ""
	c.pending = ""
	if loc := dumpStart.FindStringIndex(p); loc != nil {
		c.pass(p[:loc[0]])
		p = p[loc[0]:]
		switch {
		case dumpGoroutine.MatchString(p):
			c.dumping = true
			c.dump.WriteString(p)
		case len(p) > dumpHeaderMax:
			c.pass(p)
		default:
			c.holdBack(p, held)
		}
		return
	}
	k := strings.LastIndexByte(p, '\n') + 1
	if k < len(p) && mayStartDump(p[k:]) {
		c.pass(p[:k])
		c.holdBack(p[k:], held)
		return
	}
	c.pass(p)
}

func (c *crashFilter) pass(s string) {
	if s != "" {
		c.out(s)
	}
}

// holdBack holds p, and unless text was held already, starts the clock.
func (c *crashFilter) holdBack(p string, held bool) {
	c.pending = p
	if held {
		return
	}
	c.hold++
	n := c.hold
	time.AfterFunc(dumpHold, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.hold == n && !c.dumping {
			c.pass(c.pending)
			c.pending = ""
		}
	})
}

// mayStartDump tells whether an unfinished line may grow into a dump's
// header line.
func mayStartDump(line string) bool {
	for _, h := range dumpHeaders {
		if strings.HasPrefix(h, line) {
			return true
		}
	}
	return false
}

// release passes on everything held back: the worker lived on, so what
// looked like a dump was the cell's own output.
func (c *crashFilter) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dumping {
		c.pass(c.dump.String())
		c.dump.Reset()
		c.dumping = false
	}
	c.pass(c.pending)
	c.pending = ""
	c.hold++
}

// take returns the dump, and any text held back, and forgets them.
func (c *crashFilter) take() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.dump.String() + c.pending
	c.dump.Reset()
	c.pending = ""
	c.dumping = false
	c.hold++
	return d
}

// dumpSummary returns the header lines of a crash dump, such as
// "fatal error: stack overflow", without the runtime's addresses.
func dumpSummary(dump string) []string {
	head, _, _ := strings.Cut(dump, "\n\n")
	var out []string
	for _, line := range strings.Split(head, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "runtime: sp=") || strings.HasPrefix(line, "[signal ") {
			continue
		}
		line = strings.Replace(line, " [recovered, repanicked]", "", 1)
		line = strings.Replace(line, " [recovered]", "", 1)
		out = append(out, line)
	}
	return out
}
