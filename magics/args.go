package magics

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// splitArgs splits s into words as a POSIX shell does, without expansions:
// words are separated by blanks; single quotes keep everything; double
// quotes keep everything but a backslash before $ ` " \ or a newline; a
// backslash outside quotes keeps the next character.
func splitArgs(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inW   bool // a word has started, possibly empty ("")
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inW {
				words = append(words, cur.String())
				cur.Reset()
				inW = false
			}
		case c == '\\':
			inW = true
			if i+1 < len(s) {
				i++
				if s[i] != '\n' {
					cur.WriteByte(s[i])
				}
			}
		case c == '\'':
			inW = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inW = true
			closed := false
			for i++; i < len(s); i++ {
				if s[i] == '"' {
					closed = true
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue
					}
				}
				cur.WriteByte(s[i])
			}
			if !closed {
				return nil, errors.New("unterminated double quote")
			}
		default:
			inW = true
			cur.WriteByte(c)
		}
	}
	if inW {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseFlags parses args with fs, allowing flags and positional arguments
// in any order ("tmp.c --ejudge-style"), as the course's magics did. A "--"
// ends the flags. Errors are usage errors of c.
func parseFlags(c *Call, fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, c.usagef("help is %%help %s", c.Name)
			}
			return nil, c.usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag.Parse stops at the first positional argument, or just after
		// a "--", which it removes.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(c *Call, args []string, min, max int) error {
	switch {
	case len(args) < min:
		return c.usagef("missing argument")
	case max >= 0 && len(args) > max:
		extra := args[max:]
		return c.usagef("unexpected argument%s %s", plural(len(extra)), quoteWords(extra))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func quoteWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, " ")
}
