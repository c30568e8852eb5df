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
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/internal/proto"
	"github.com/beacceaf/gokernel/kernel/rawio"
)

// A markerReader splits the text read from one of the worker's output
// pipes into text and marker lines. It holds back a marker that is split
// across reads, and an incomplete UTF-8 character, so that each text piece
// it hands on is whole.
type markerReader struct {
	prefix []byte
	buf    []byte                        // held back
	text   func(s string)                // output text, in order
	marker func(kind string, seq uint64) // a marker line
}

func newMarkerReader(token string, text func(string), marker func(string, uint64)) *markerReader {
	return &markerReader{prefix: []byte(proto.MarkerPrefix(token)), text: text, marker: marker}
}

// write hands on every complete piece of what was held back and b.
func (m *markerReader) write(b []byte) {
	m.buf = m.consume(append(m.buf, b...), false)
}

// flush hands on everything held back, as text if it is not a marker. It
// is called at end of file, and after a drain: the worker writes a marker
// line with one write(2), so once the pipe has been read empty no marker
// is left half read.
func (m *markerReader) flush() {
	m.buf = m.consume(m.buf, true)
	if len(m.buf) > 0 {
		m.text(string(m.buf))
		m.buf = m.buf[:0]
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
// finds the pipe empty, or fills half a chunk, or a drain has read it at
// the end of a request, the pipe goes back to the netpoller. Bulk writers
// never wait; a cell that prints a few lines never reaches the streak; and
// the end of a request never waits for the sleep, since the drain reads
// the pipe itself.
const (
	readChunk   = 32 << 10
	gatherAfter = 8
	gatherGap   = 200 * time.Microsecond
	gatherDelay = time.Millisecond
)

// A pipeReader reads the non-blocking read end of one of the worker's
// output pipes and hands what it reads to a markerReader: through a
// duplicate registered with Go's netpoller while output trickles, and
// with plain reads after short sleeps while it floods, as described above.
//
// One goroutine reads with run. Any other may call drain, which reads what
// the pipe holds at once: every read, with the handing on of what it got,
// takes turn, so that what one reader hands on never overtakes what the
// other read before it. stop makes run return; the goroutine that ran it
// then calls close.
type pipeReader struct {
	out     *markerReader // guarded by turn
	stopped atomic.Bool
	streak  atomic.Int32 // reads in a row that found data within gatherGap

	turn sync.Mutex
	fd   int    // the read end, never in the netpoller; -1 once closed; guarded by turn
	buf  []byte // guarded by turn

	mu     sync.Mutex
	polled *os.File        // a duplicate of fd in the netpoller; nil while gathering
	raw    syscall.RawConn // polled's
}

// newPipeReader takes over fd, which must be non-blocking, and hands what
// it reads to out.
func newPipeReader(fd int, out *markerReader) *pipeReader {
	return &pipeReader{fd: fd, out: out, buf: make([]byte, readChunk)}
}

// run reads the pipe until end of file, an error or stop, then hands on
// what out held back.
func (r *pipeReader) run() {
	for r.next() == nil {
	}
	r.turn.Lock()
	r.out.flush()
	r.turn.Unlock()
}

// next reads the pipe once, waiting until it has data, and hands the data
// on. It returns io.EOF at end of file and os.ErrClosed after stop.
func (r *pipeReader) next() error {
	if r.streak.Load() >= gatherAfter {
		r.unpoll()
		time.Sleep(gatherDelay)
		if read, err := r.gather(); read {
			return err
		}
	}
	return r.wait()
}

// gather reads the pipe once without waiting, and tells whether it found
// anything, end of file or an error. An empty pipe ends the flood.
func (r *pipeReader) gather() (bool, error) {
	r.turn.Lock()
	defer r.turn.Unlock()
	if r.stopped.Load() || r.fd < 0 {
		return true, os.ErrClosed
	}
	n, errno := rawio.ReadFD(r.fd, r.buf)
	switch {
	case errno == unix.EAGAIN:
		r.streak.Store(0)
		return false, nil
	case errno != 0:
		return true, fmt.Errorf("interp: read worker output: %w", errno)
	case n == 0:
		return true, io.EOF
	}
	if n >= len(r.buf)/2 {
		r.streak.Store(0)
	}
	r.out.write(r.buf[:n])
	return true, nil
}

// wait waits in the netpoller until the pipe is readable, then reads it
// once and hands the data on.
func (r *pipeReader) wait() error {
	raw, err := r.poll()
	if err != nil {
		return err
	}
	start := time.Now()
	var n int
	var errno syscall.Errno
	held := false
	err = raw.Read(func(fd uintptr) bool {
		r.turn.Lock()
		n, errno = rawio.ReadFD(int(fd), r.buf)
		if errno == unix.EAGAIN {
			r.turn.Unlock()
			return false // wait until it is readable
		}
		held = true
		return true
	})
	if !held {
		if r.stopped.Load() {
			return os.ErrClosed
		}
		return fmt.Errorf("interp: read worker output: %w", err)
	}
	defer r.turn.Unlock()
	switch {
	case errno != 0:
		return fmt.Errorf("interp: read worker output: %w", errno)
	case n == 0:
		return io.EOF
	}
	if n < len(r.buf)/2 && time.Since(start) < gatherGap {
		r.streak.Add(1)
	} else {
		r.streak.Store(0)
	}
	r.out.write(r.buf[:n])
	return nil
}

// drain reads, without waiting, everything the pipe holds, hands it on,
// and flushes what out held back. Called once the worker has answered a
// request, it hands on all that the request wrote: the worker writes its
// output before its answer. It also ends any flood, so that the next
// request's output is read through the netpoller at once.
func (r *pipeReader) drain() {
	r.turn.Lock()
	defer r.turn.Unlock()
	r.streak.Store(0)
	for r.fd >= 0 && !r.stopped.Load() {
		n, errno := rawio.ReadFD(r.fd, r.buf)
		if errno != 0 || n == 0 {
			break // empty; at end of file or on an error run ends too
		}
		r.out.write(r.buf[:n])
	}
	r.out.flush()
}

// poll returns the netpoller's duplicate of the pipe, making one if there
// is none.
func (r *pipeReader) poll() (syscall.RawConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped.Load() {
		return nil, os.ErrClosed
	}
	if r.polled == nil {
		r.turn.Lock()
		fd, err := unix.FcntlInt(uintptr(r.fd), unix.F_DUPFD_CLOEXEC, 0)
		r.turn.Unlock()
		if err != nil {
			return nil, fmt.Errorf("interp: read worker output: %w", err)
		}
		f := os.NewFile(uintptr(fd), "worker-output")
		raw, err := f.SyscallConn()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("interp: read worker output: %w", err)
		}
		r.polled, r.raw = f, raw
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

// stop ends the reading: a read waiting in the netpoller returns.
func (r *pipeReader) stop() {
	r.stopped.Store(true)
	r.unpoll()
}

// close releases the descriptors, once run has returned or will not run.
func (r *pipeReader) close() {
	r.unpoll()
	r.turn.Lock()
	defer r.turn.Unlock()
	if r.fd >= 0 {
		unix.Close(r.fd)
		r.fd = -1
	}
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
