package magics

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

// Limits of a job's display.
const (
	// logCap bounds each representation of a job's display: the newest
	// output is kept.
	logCap = 64 << 10
	// runLogCap bounds the RUN LOG part within logCap.
	runLogCap = 8 << 10
)

// read copies one of the job's output pipes into t.
func (j *job) read(r *os.File, t *tail) {
	defer j.touch() // after Done: lets publish see that every reader ended
	defer j.readersWG.Done()
	defer r.Close()
	copyStream(r, &decoder{}, func(s string) {
		j.mu.Lock()
		t.add(s)
		j.mu.Unlock()
		j.touch()
	})
}

// preText escapes text for a <pre> element with its newlines as
// character references, so that the HTML has no blank line: a Markdown
// export ends a raw HTML block at the first blank line.
func preText(text string) string {
	return strings.ReplaceAll(html.EscapeString(text), "\n", "&#10;")
}

// render returns the job's display, and whether it shows the job's end.
func (j *job) render() (kernel.Bundle, bool) {
	j.mu.Lock()
	info := j.infoLocked()
	runLog := j.runLog.String()
	if j.waiting != "" {
		runLog += j.waiting + "\n"
	}
	budget := logCap - len(runLog)
	out, errText := share(j.stdout.String(), j.stderr.String(), budget)
	j.mu.Unlock()

	title := info.Label() + " " + info.Cmd
	state := "running"
	if !info.Running {
		state = "finished, " + info.Status()
	}
	var p strings.Builder
	fmt.Fprintf(&p, "%s  (%s)\n", title, state)
	for _, sec := range [][2]string{{"RUN LOG", runLog}, {"STDOUT", out}, {"STDERR", errText}} {
		fmt.Fprintf(&p, "===== %s =====\n%s", sec[0], sec[1])
		if sec[1] != "" && !strings.HasSuffix(sec[1], "\n") {
			p.WriteByte('\n')
		}
	}

	border := "#3b8eea"
	if !info.Running {
		border = "#888"
	}
	var h strings.Builder
	fmt.Fprintf(&h, `<div style="border-left:4px solid %s;padding-left:6px">`, border)
	fmt.Fprintf(&h, `<div style="font-family:monospace"><b>%s</b> <code>%s</code> <i>%s</i></div>`,
		html.EscapeString(info.Label()), html.EscapeString(info.Cmd), html.EscapeString(state))
	h.WriteString(`<table style="width:100%;border-collapse:collapse">`)
	for _, sec := range []struct{ name, text, color string }{
		{"RUN LOG", runLog, "#e5c07b"}, {"STDOUT", out, "#dcdcdc"}, {"STDERR", errText, "#f48771"},
	} {
		fmt.Fprintf(&h, `<tr><td style="width:6em;vertical-align:top;font-family:monospace;font-weight:bold;text-align:left">%s</td>`+
			`<td style="text-align:left"><pre style="margin:0;padding:4px;min-height:1em;white-space:pre-wrap;background:#1e1e1e;color:%s">%s</pre></td></tr>`,
			sec.name, sec.color, preText(sec.text))
	}
	h.WriteString(`</table></div>`)
	return kernel.Bundle{"text/plain": p.String(), "text/html": h.String()}, !info.Running
}

// share cuts a and b to fit in budget bytes together, keeping the end of
// each; the shorter keeps up to half.
func share(a, b string, budget int) (string, string) {
	if len(a)+len(b) <= budget {
		return a, b
	}
	half := budget / 2
	switch {
	case len(a) <= half:
		return a, keepEnd(b, budget-len(a))
	case len(b) <= half:
		return keepEnd(a, budget-len(b)), b
	}
	return keepEnd(a, half), keepEnd(b, budget-half)
}

// keepEnd returns about the last n bytes of s, starting at a line start
// when one is near, with a note of what was cut.
func keepEnd(s string, n int) string {
	if len(s) <= n {
		return s
	}
	note := func(cut int) string { return fmt.Sprintf("[... %d earlier bytes not shown ...]\n", cut) }
	n -= len(note(len(s)))
	start := len(s) - max(n, 0)
	if i := strings.IndexByte(s[start:], '\n'); i >= 0 && i < 256 {
		start += i + 1
	}
	for start < len(s) && !isRuneStart(s[start]) {
		start++
	}
	return note(start) + s[start:]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// A tail keeps the newest text written to it, up to limit bytes (logCap
// when zero), and counts what it dropped.
type tail struct {
	limit   int
	b       []byte
	dropped int
}

func (t *tail) add(s string) {
	limit := t.limit
	if limit == 0 {
		limit = logCap
	}
	t.b = append(t.b, s...)
	if len(t.b) > 2*limit { // trim rarely, keeping the newest limit bytes
		cut := len(t.b) - limit
		for cut < len(t.b) && !isRuneStart(t.b[cut]) {
			cut++
		}
		t.dropped += cut
		t.b = append(t.b[:0], t.b[cut:]...)
	}
}

// String returns the kept text, its older part cut to the limit.
func (t *tail) String() string {
	limit := t.limit
	if limit == 0 {
		limit = logCap
	}
	if t.dropped == 0 && len(t.b) <= limit {
		return string(t.b)
	}
	return keepEnd(string(t.b), limit)
}
