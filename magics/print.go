package magics

import (
	"context"
	"fmt"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

func printMagic() *Magic {
	return &Magic{
		Name:  "p",
		Kind:  Line,
		Raw:   true,
		Usage: "%p EXPR [# COMMENT]",
		Short: "Show a Go expression and its value, EXPR = value, with an optional comment; %p # TEXT shows TEXT as Markdown.",
		Long: "Evaluates the Go expression EXPR in the worker and shows\n" +
			"  text/plain     EXPR = value  # COMMENT\n" +
			"  text/markdown  `EXPR = value`  # COMMENT\n" +
			"The comment is optional. %p # TEXT (no expression) shows TEXT as Markdown:\n" +
			"a line of prose between the code's results. A # inside a Go string or rune\n" +
			"literal is part of EXPR.",
		Run: func(ctx context.Context, c *Call) error {
			expr, comment, hasComment := splitComment(c.Line)
			if expr == "" {
				if !hasComment {
					return c.usagef("missing expression")
				}
				display(c.Out, kernel.Bundle{"text/markdown": comment, "text/plain": comment}, "")
				return nil
			}
			val, err := c.Env.Eval(ctx, expr)
			if err != nil {
				return fmt.Errorf("%%p %s: %w", expr, err)
			}
			display(c.Out, printBundle(expr, val, comment, hasComment), "")
			return nil
		},
	}
}

// printBundle renders %p's result.
func printBundle(expr, val, comment string, hasComment bool) kernel.Bundle {
	plain := expr + " = " + val
	var md string
	if strings.Contains(val, "\n") {
		md = codeSpan(expr+" =") + tailComment(comment, hasComment) + "\n\n```\n" + strings.TrimSuffix(val, "\n") + "\n```"
	} else {
		md = codeSpan(plain) + tailComment(comment, hasComment)
	}
	return kernel.Bundle{"text/plain": plain + tailComment(comment, hasComment), "text/markdown": md}
}

func tailComment(comment string, has bool) string {
	if !has {
		return ""
	}
	return "  # " + comment
}

// splitComment splits %p's argument at its first # outside Go string and
// rune literals.
func splitComment(s string) (expr, comment string, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			i = skipQuoted(s, i) - 1
		case '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				return strings.TrimSpace(s), "", false
			}
			i += j + 1
		case '#':
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return strings.TrimSpace(s), "", false
}

// skipQuoted returns the index just after the interpreted string or rune
// literal starting at s[i], or len(s) if it is not closed.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(s)
}
