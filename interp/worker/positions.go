package worker

import (
	"regexp"
	"strconv"
)

// yaegi reports positions in the source it was given, prefixed with a
// line of its own wrapper ("package main; func main() {"). gokernel gives
// yaegi each unit of a cell after one newline, so line 2 of that source is
// the unit's first line, and columns are exact.
//
// gokernel does not use //line directives for this, although yaegi honours
// them: with a directive in force, yaegi v0.16.1 mis-compiles top-level
// multi-value assignments such as `line, err := r.ReadString('\n')` (a nil
// pointer dereference) and declarations such as `rd := bufio.NewReader(…)`
// ("constant definition loop").
var yaegiPos = regexp.MustCompile(`(?m)(?:^|\b)(?:_\.go:)?(\d+):(\d+): `)

// cellPositions rewrites the positions in msg, which refer to a unit that
// starts on line unitLine of the cell, as cell:LINE:COL.
func cellPositions(msg, cell string, unitLine int) string {
	return yaegiPos.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yaegiPos.FindStringSubmatch(m)
		line, _ := strconv.Atoi(sub[1])
		line = unitLine + line - 2
		if line < unitLine {
			line = unitLine
		}
		return cell + ":" + strconv.Itoa(line) + ":" + sub[2] + ": "
	})
}
