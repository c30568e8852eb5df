package program

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
)

// maxReport bounds how much of a crash report a Catcher holds: a deadlock
// among many goroutines prints one stack per goroutine.
const maxReport = 1 << 20

// crashStarts are the lines with which the Go runtime starts the report of
// a panic or a fatal error on standard error.
var crashStarts = [][]byte{[]byte("panic: "), []byte("fatal error: ")}

// A Catcher passes a program's standard error on to W, line by line as it
// arrives, but holds back what follows a line that starts a crash report
// ("panic: …", "fatal error: …"). When the program has ended, Finish either
// turns the held report into a Crash or, when the program did not die of
// it, passes it on after all. Write and Finish may be called from different
// goroutines.
type Catcher struct {
	W io.Writer

	mu       sync.Mutex
	line     []byte // the start of the current line, held while it might start a report
	midLine  bool   // the current line has started and was passed on
	holding  bool   // a report started: everything else is held
	report   []byte
	finished bool // Finish was called: pass everything on
}

// Write implements io.Writer. It never fails: a writer that fails only
// loses the program's output, not the program.
func (c *Catcher) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		if c.holding {
			if room := maxReport - len(c.report); room > 0 {
				c.report = append(c.report, p[:min(room, len(p))]...)
			}
			return n, nil
		}
		end := bytes.IndexByte(p, '\n') + 1
		if end == 0 {
			end = len(p)
		}
		seg := p[:end]
		p = p[end:]
		if c.midLine || c.finished {
			c.pass(seg)
			c.midLine = seg[len(seg)-1] != '\n'
			continue
		}
		c.line = append(c.line, seg...)
		switch startsReport(c.line) {
		case yes:
			c.holding = true
			c.report = append(c.report, c.line...)
			c.line = nil
		case maybe:
			if seg[len(seg)-1] == '\n' { // a whole line too short to decide
				c.flushLine()
			}
		case no:
			c.midLine = c.line[len(c.line)-1] != '\n'
			c.flushLine()
		}
	}
	return n, nil
}

func (c *Catcher) pass(b []byte) { _, _ = c.W.Write(b) }

func (c *Catcher) flushLine() {
	c.pass(c.line)
	c.line = nil
}

type verdict int

const (
	no verdict = iota
	maybe
	yes
)

// startsReport tells whether line starts a crash report, or might once more
// of it has arrived.
func startsReport(line []byte) verdict {
	for _, s := range crashStarts {
		if bytes.HasPrefix(line, s) {
			return yes
		}
		if bytes.HasPrefix(s, line) {
			return maybe
		}
	}
	return no
}

// Finish ends the holding. When died is true, the program died of the
// report it printed: Finish returns it as a Crash, read for the frames in
// file (see Source). Otherwise, or when there was no report, the held text
// goes on to W and ok is false. What the program's children write later
// goes straight on to W.
func (c *Catcher) Finish(died bool, file string) (crash Crash, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finished = true
	if c.holding && died {
		crash, ok = ParseCrash(string(c.report), file), true
	} else if c.holding {
		c.pass(c.report)
	}
	if len(c.line) > 0 {
		c.flushLine()
	}
	c.holding, c.report = false, nil
	return crash, ok
}

// A Crash is the report a Go program printed when it died of a panic or a
// fatal error.
type Crash struct {
	// Kind is "panic" or "fatal error".
	Kind string
	// Message is what follows "panic: " or "fatal error: ", with any further
	// lines of a multi-line panic value.
	Message string
	// Trace is the part of the stack traces that runs in the cell: for each
	// goroutine with frames in the cell, its header line and those frames,
	// as Go prints them but without program counter offsets.
	Trace []string
}

// pcOffset is the " +0x1d" that Go prints after a frame's position.
var pcOffset = regexp.MustCompile(` \+0x[0-9a-f]+$`)

// ParseCrash reads a crash report that starts with "panic: " or
// "fatal error: ", keeping the frames whose position is in file.
func ParseCrash(report, file string) Crash {
	lines := strings.Split(strings.TrimRight(report, "\n"), "\n")
	var c Crash
	msg := lines[0]
	if rest, ok := strings.CutPrefix(msg, "panic: "); ok {
		c.Kind, msg = "panic", rest
	} else {
		c.Kind, msg = "fatal error", strings.TrimPrefix(msg, "fatal error: ")
	}
	k := 1
	for ; k < len(lines) && lines[k] != "" && !strings.HasPrefix(lines[k], "goroutine "); k++ {
		if !strings.HasPrefix(lines[k], "[signal ") { // addresses, different in every build
			msg += "\n" + lines[k]
		}
	}
	c.Message = msg
	var header string
	for ; k < len(lines); k++ {
		l := lines[k]
		switch {
		case strings.HasPrefix(l, "goroutine "):
			header = l
		case strings.HasPrefix(l, "\t"+file+":") && k > 0:
			if header != "" {
				c.Trace = append(c.Trace, header)
				header = ""
			}
			c.Trace = append(c.Trace, lines[k-1], pcOffset.ReplaceAllString(l, ""))
		}
	}
	return c
}
