package magics

import (
	"strings"
	"unicode/utf8"

	"github.com/beacceaf/gokernel/kernel"
)

// A decoder turns chunks of a process's output into text that is safe to
// send: it never splits a UTF-8 sequence between two chunks and, with crlf
// set, it turns a terminal's "\r\n" back into "\n", even when the two bytes
// arrive in different chunks.
type decoder struct {
	crlf    bool
	pending []byte
}

// write adds p and returns what can be sent now.
func (d *decoder) write(p []byte) string {
	d.pending = append(d.pending, p...)
	b := d.pending
	keep := 0
	// Hold back an incomplete UTF-8 sequence at the end.
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				keep = len(b) - i
			}
			break
		}
	}
	if d.crlf && keep == 0 && len(b) > 0 && b[len(b)-1] == '\r' {
		keep = 1 // it may be the first half of "\r\n"
	}
	out := d.convert(b[:len(b)-keep])
	d.pending = append(d.pending[:0], b[len(b)-keep:]...)
	return out
}

// flush returns whatever is left.
func (d *decoder) flush() string {
	out := d.convert(d.pending)
	d.pending = d.pending[:0]
	return out
}

func (d *decoder) convert(b []byte) string {
	s := string(b)
	if d.crlf {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

// display shows b after sending any stream text written before it, so that
// the two keep their order.
func display(out kernel.Output, b kernel.Bundle, id string) {
	out.Flush()
	out.Display(b, nil, id)
}

// showMarkdown displays Markdown, with plain as its text/plain form.
func showMarkdown(out kernel.Output, md, plain string) {
	display(out, kernel.Bundle{"text/markdown": md, "text/plain": plain}, "")
}

// codeSpan returns s as a Markdown code span, with enough backticks around
// it to hold the backticks inside. Newlines become spaces, as Markdown
// would make them anyway.
func codeSpan(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
