package gosrc

import (
	"fmt"
	"strings"
)

// dump renders a plan for golden files.
func dump(p *Plan, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	for i, u := range p.Units {
		fmt.Fprintf(&b, "== unit %d: %s at %d:%d names=%v\n%s\n", i, u.Kind, u.Line, u.Col, u.Names, u.Src)
		if u.Alt != "" {
			fmt.Fprintf(&b, "== alt\n%s\n", u.Alt)
		}
		for _, e := range u.TypeErrors() {
			fmt.Fprintf(&b, "== type error %s\n", e)
		}
	}
	if d := p.Display; d != nil {
		fmt.Fprintf(&b, "== display call=%v results=%d writelike=%v expr=%q\n", d.Call, d.Results, d.WriteLike, d.Expr)
		for _, s := range d.Srcs {
			fmt.Fprintf(&b, "%s\n", s)
		}
	}
	if p.Defers {
		b.WriteString("== defers run at the end of the cell\n")
	}
	return b.String()
}
