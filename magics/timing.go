package magics

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"math"
	"strconv"
	"strings"
	"time"
)

// Defaults of %timeit, as in IPython.
const (
	timeitRepeats = 7
	timeitMinRun  = 200 * time.Millisecond // one run of the loop lasts at least this
	timeitMaxLoop = 1_000_000_000
)

func timeMagic() *Magic {
	return &Magic{
		Name:  "time",
		Kind:  LineCell,
		Raw:   true,
		Usage: "%time STMT, or %%time with Go code in the cell",
		Short: "Run Go code once in the worker and show how long it took.",
		Long: `The time is measured in the kernel around the worker's run, so it includes
a little overhead (well under a millisecond). Go code in a %%time cell runs
as a cell does; its output and value are shown as usual.`,
		Run: func(ctx context.Context, c *Call) error {
			code := c.Line
			if c.Kind == Cell {
				if c.Line != "" {
					return c.usagef("unexpected arguments %q: the code is the cell body", c.Line)
				}
				code = c.Body
			}
			if strings.TrimSpace(code) == "" {
				return c.usagef("missing Go code")
			}
			start := time.Now()
			if err := c.Env.RunGo(ctx, code); err != nil {
				return err
			}
			c.Out.Stream("stdout", "Wall time: "+formatSeconds(time.Since(start).Seconds())+"\n")
			return nil
		},
	}
}

func timeitMagic() *Magic {
	return &Magic{
		Name:  "timeit",
		Kind:  LineCell,
		Raw:   true,
		Usage: "%timeit [-n N] [-r R] STMT, or %%timeit [-n N] [-r R] [SETUP] with the timed code in the cell",
		Short: "Time Go code: R runs (7 by default) of N loops (chosen so that a run takes 0.2 s), mean and standard deviation.",
		Long: `STMT runs inside a Go for loop in the worker, so the loop's cost per
iteration is a few nanoseconds of interpreted code. An expression that is
not a call is assigned to _. In the cell form, SETUP (the rest of the
first line) runs once before the timing.`,
		Run: func(ctx context.Context, c *Call) error {
			n, r, stmt, err := parseTimeit(c.Line)
			if err != nil {
				return c.usagef("%v", err)
			}
			if c.Kind == Cell {
				if strings.TrimSpace(stmt) != "" {
					if err := c.Env.RunGo(ctx, stmt); err != nil {
						return err
					}
				}
				stmt = c.Body
			}
			if strings.TrimSpace(stmt) == "" {
				return c.usagef("missing Go code")
			}
			body := asStatement(stmt)
			run := func(loops int) (time.Duration, error) {
				code := fmt.Sprintf("for __timeit_i := 0; __timeit_i < %d; __timeit_i++ {\n%s\n}", loops, body)
				start := time.Now()
				err := c.Env.RunGo(ctx, code)
				return time.Since(start), err
			}
			if n == 0 {
				for n = 1; ; n *= 10 {
					d, err := run(n)
					if err != nil {
						return err
					}
					if d >= timeitMinRun || n >= timeitMaxLoop {
						break
					}
				}
			}
			per := make([]float64, 0, r)
			for range r {
				d, err := run(n)
				if err != nil {
					return err
				}
				per = append(per, d.Seconds()/float64(n))
			}
			c.Out.Stream("stdout", timeitReport(per, n)+"\n")
			return nil
		},
	}
}

// parseTimeit splits %timeit's arguments into -n, -r and the statement.
func parseTimeit(line string) (n, r int, stmt string, err error) {
	r = timeitRepeats
	rest := strings.TrimSpace(line)
	for isTimeitFlag(rest) {
		opt := rest[:2]
		rest = strings.TrimSpace(rest[2:])
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		v, convErr := strconv.Atoi(rest[:end])
		if convErr != nil || v < 1 {
			return 0, 0, "", fmt.Errorf("%s needs a positive number", opt)
		}
		if opt == "-n" {
			n = v
		} else {
			r = v
		}
		rest = strings.TrimSpace(rest[end:])
	}
	return n, r, rest, nil
}

// isTimeitFlag reports whether s starts with -n or -r followed by a blank
// or a digit, so that a statement such as -neg is not taken for a flag.
func isTimeitFlag(s string) bool {
	if len(s) < 3 || s[0] != '-' || s[1] != 'n' && s[1] != 'r' {
		return false
	}
	return s[2] == ' ' || s[2] == '\t' || '0' <= s[2] && s[2] <= '9'
}

// asStatement makes an expression that is not a call usable as a
// statement, by assigning it to _.
func asStatement(code string) string {
	e, err := parser.ParseExpr(code)
	if err != nil {
		return code
	}
	if _, isCall := e.(*ast.CallExpr); isCall {
		return code
	}
	return "_ = " + code
}

// timeitReport formats per-loop times as IPython does:
// "12.3 µs ± 1.1 µs per loop (mean ± std. dev. of 7 runs, 100,000 loops each)".
func timeitReport(per []float64, loops int) string {
	mean := 0.0
	for _, p := range per {
		mean += p
	}
	mean /= float64(len(per))
	variance := 0.0
	for _, p := range per {
		variance += (p - mean) * (p - mean)
	}
	std := math.Sqrt(variance / float64(len(per)))
	runs := fmt.Sprintf("%d runs", len(per))
	if len(per) == 1 {
		runs = "1 run"
	}
	each := fmt.Sprintf("%s loops each", groupThousands(loops))
	if loops == 1 {
		each = "1 loop each"
	}
	return fmt.Sprintf("%s ± %s per loop (mean ± std. dev. of %s, %s)", formatSeconds(mean), formatSeconds(std), runs, each)
}

// formatSeconds shows a duration with three significant digits in the
// largest fitting unit: "1.23 s", "45.6 ms", "789 µs", "12 ns".
func formatSeconds(s float64) string {
	if s >= 60 {
		m := math.Floor(s / 60)
		return fmt.Sprintf("%.0fmin %.3gs", m, s-60*m)
	}
	units := []struct {
		name  string
		scale float64
	}{{"s", 1}, {"ms", 1e-3}, {"µs", 1e-6}, {"ns", 1e-9}}
	for _, u := range units {
		if s >= u.scale*0.9995 { // 999.7 ms is shown as 1 s, not 1e+03 ms
			return fmt.Sprintf("%.3g %s", s/u.scale, u.name)
		}
	}
	return fmt.Sprintf("%.3g ns", s/1e-9)
}

// groupThousands writes n with commas: 100000 → "100,000".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
