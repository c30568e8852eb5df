package interp

import (
	"regexp"
	"strings"
)

// ANSI escapes for tracebacks, as ipykernel uses them: Notebook, Lab and
// jupyter console show them in colour, and nbconvert's text exports strip
// them.
const (
	ansiRed   = "\x1b[0;31m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// cellPos matches a position in a cell, "In[3]:4:2" or "In[3]:4".
var cellPos = regexp.MustCompile(`In\[\d+\]:\d+(?::\d+)?`)

// colourTraceback returns tb with its positions in bold and, on its first
// line, the error in red: the message after a leading position, or else
// the label before the first ": " ("panic", "Exit", "WorkerDied", …).
func colourTraceback(tb []string) []string {
	out := make([]string, len(tb))
	for k, line := range tb {
		if k == 0 {
			line = colourFirst(line)
		}
		out[k] = cellPos.ReplaceAllString(line, ansiBold+"$0"+ansiReset)
	}
	return out
}

func colourFirst(line string) string {
	if loc := cellPos.FindStringIndex(line); loc != nil && loc[0] == 0 {
		pos, rest := line[:loc[1]], line[loc[1]:]
		if msg, ok := strings.CutPrefix(rest, ": "); ok && msg != "" {
			return pos + ": " + ansiRed + msg + ansiReset
		}
		return line
	}
	if label, rest, ok := strings.Cut(line, ": "); ok && label != "" && !strings.ContainsAny(label, "\x1b") {
		return ansiRed + label + ansiReset + ": " + rest
	}
	return ansiRed + line + ansiReset
}
