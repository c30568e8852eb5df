package magics

import (
	"context"
	"fmt"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

func lsmagicMagic() *Magic {
	return &Magic{
		Name:  "lsmagic",
		Kind:  Line,
		Usage: "%lsmagic",
		Short: "List every magic with its usage.",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			display(c.Out, kernel.Bundle{
				"text/plain":    c.Registry.listing(),
				"text/markdown": MarkdownTable(c.Registry),
			}, "")
			return nil
		},
	}
}

// listing is %lsmagic's plain text.
func (r *Registry) listing() string {
	var line, cell []string
	shell := ""
	for _, m := range r.all {
		switch {
		case m.Name == ShellName:
			shell = m.Usage
		default:
			for _, n := range append([]string{m.Name}, m.Aliases...) {
				if m.Kind&Line != 0 {
					line = append(line, "%"+n)
				}
				if m.Kind&Cell != 0 {
					cell = append(cell, "%%"+n)
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Line magics:\n  %s\n\n", wrapWords(line, 76, "  "))
	fmt.Fprintf(&b, "Cell magics (first line of a cell):\n  %s\n\n", wrapWords(cell, 76, "  "))
	if shell != "" {
		fmt.Fprintf(&b, "Shell: %s on a line of its own.\n", shell)
	}
	b.WriteString("%help NAME or %NAME? shows a magic's help.\n")
	return b.String()
}

// wrapWords joins words with two spaces, breaking lines before width.
func wrapWords(words []string, width int, indent string) string {
	var b strings.Builder
	col := 0
	for i, w := range words {
		if i > 0 {
			if col+2+len(w) > width {
				b.WriteString("\n" + indent)
				col = 0
			} else {
				b.WriteString("  ")
				col += 2
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func helpMagic() *Magic {
	return &Magic{
		Name:  "help",
		Kind:  Line,
		Usage: "%help [NAME]",
		Short: "Show a magic's help (NAME with or without % or %%); %NAME? does the same.",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 1); err != nil {
				return err
			}
			if len(c.Args) == 0 {
				c.Out.Stream("stdout", c.Registry.listing())
				return nil
			}
			name := c.Args[0]
			if !strings.HasPrefix(name, "%") && name != ShellName {
				name = "%" + name // %help cpp: any kind
				if m, ok := c.Registry.byName[name[1:]]; ok && m.Kind == Cell {
					name = "%" + name
				}
			}
			return c.Registry.help(name, c.Out)
		},
	}
}

// help shows the help of the magic spelled name: "%cd", "%%cpp", "!" or a
// bare "cd". A bare name that is no magic gives an error matching
// ErrNoSuchMagic with nothing shown, so that the interpreter can look the
// name up as Go.
func (r *Registry) help(name string, out kernel.Output) error {
	kind, bare := Line, false
	base := name
	switch {
	case strings.HasPrefix(name, "%%"):
		kind, base = Cell, name[2:]
	case strings.HasPrefix(name, "%"):
		base = name[1:]
	default:
		bare = true
	}
	m, ok := r.byName[base]
	if !ok || !bare && m.Kind&kind == 0 {
		if bare {
			return &NotFoundError{Name: base, Kind: Line}
		}
		_, err := r.Lookup(base, kind)
		return err
	}
	if bare && m.Kind == Cell {
		kind = Cell
	}
	out.Stream("stdout", m.HelpText(kind))
	return nil
}

// HelpText is the text %help shows for m invoked as kind.
func (m *Magic) HelpText(kind Kind) string {
	var b strings.Builder
	b.WriteString("usage: " + m.Usage + "\n")
	if len(m.Aliases) > 0 {
		var as []string
		for _, a := range m.Aliases {
			as = append(as, (&Magic{Name: a}).Spelling(kind))
		}
		b.WriteString("also: " + strings.Join(as, ", ") + "\n")
	}
	b.WriteString("\n" + m.Short + "\n")
	if m.Long != "" {
		b.WriteString("\n" + strings.TrimRight(m.Long, "\n") + "\n")
	}
	return b.String()
}

// MarkdownTable renders r as the Markdown table of the README: one row a
// magic, in registration order, with its spellings, usage and short help.
func MarkdownTable(r *Registry) string {
	var b strings.Builder
	b.WriteString("| Magic | Usage | What it does |\n|---|---|---|\n")
	for _, m := range r.all {
		var names []string
		for _, n := range append([]string{m.Name}, m.Aliases...) {
			mm := &Magic{Name: n}
			if m.Kind&Line != 0 {
				names = append(names, codeSpan(mm.Spelling(Line)))
			}
			if m.Kind&Cell != 0 {
				names = append(names, codeSpan(mm.Spelling(Cell)))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", strings.Join(names, " "),
			tableCell(codeSpanUsage(m.Usage)), tableCell(m.Short))
	}
	return b.String()
}

// codeSpanUsage puts the forms of a usage line in code spans:
// "%time STMT, or %%time with Go code in the cell" keeps its prose.
func codeSpanUsage(u string) string {
	head, rest, found := strings.Cut(u, ", or ")
	if !found {
		head, rest, found = strings.Cut(u, " | ")
		if found {
			return codeSpan(head) + " or " + codeSpan(rest)
		}
		return codeSpan(u)
	}
	// rest: "%%time with Go code in the cell": the first word is a form.
	form, prose, _ := strings.Cut(rest, " with ")
	out := codeSpan(head) + ", or " + codeSpan(form)
	if prose != "" {
		out += " with " + prose
	}
	return out
}

// tableCell escapes what would break a Markdown table cell.
func tableCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
