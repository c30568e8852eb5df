package kerneltest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beacceaf/gokernel/kernel"
)

// A FakeInterpreter is a kernel.Interpreter for tests of the protocol
// side. It understands a few one-line commands, so that a test can make it
// print, fail, block or ask for input:
//
//	print TEXT      write TEXT and a newline to stdout
//	eprint TEXT     write TEXT and a newline to stderr
//	value TEXT      return TEXT as the cell's value
//	fail TEXT       fail with TEXT
//	block           wait until the cell is interrupted
//	input PROMPT    ask for a line and print it
//	display TEXT    show TEXT as text/html
//	panic TEXT      panic, as a buggy interpreter would
//	sleep MS        wait MS milliseconds
//
// Every executed cell is recorded in Cells; read them with Executed.
type FakeInterpreter struct {
	mu    sync.Mutex
	Cells []kernel.ExecuteRequest
}

// Executed returns a copy of Cells, taken under the lock that Execute
// holds while it records a cell. A test that reads Cells directly, after
// its client got the reply, races with the server's goroutine as far as
// the race detector can tell: the kernel's socket I/O is made with raw
// system calls, which carry no happens-before edge for it.
func (f *FakeInterpreter) Executed() []kernel.ExecuteRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.Cells)
}

var _ kernel.Interpreter = (*FakeInterpreter)(nil)

// Info implements kernel.Interpreter.
func (f *FakeInterpreter) Info() kernel.Info {
	return kernel.Info{
		Implementation: "fake", ImplementationVersion: "0", Banner: "fake interpreter",
		Language: kernel.LanguageInfo{Name: "fake", Version: "1", MIMEType: "text/plain", FileExtension: ".txt"},
	}
}

// Execute implements kernel.Interpreter.
func (f *FakeInterpreter) Execute(ctx context.Context, req *kernel.ExecuteRequest, out kernel.Output) *kernel.ExecuteResult {
	f.mu.Lock()
	f.Cells = append(f.Cells, *req)
	f.mu.Unlock()
	res := &kernel.ExecuteResult{}
	for _, line := range strings.Split(req.Code, "\n") {
		cmd, arg, _ := strings.Cut(line, " ")
		switch cmd {
		case "print":
			out.Stream("stdout", arg+"\n")
		case "eprint":
			out.Stream("stderr", arg+"\n")
		case "value":
			res.Value = kernel.Text(arg)
		case "fail":
			return &kernel.ExecuteResult{Err: &kernel.Error{Name: "FakeError", Value: arg, Traceback: []string{"FakeError: " + arg}}}
		case "block":
			<-ctx.Done()
			return &kernel.ExecuteResult{Err: &kernel.Error{Name: "Interrupted", Value: "interrupted"}}
		case "input":
			s, err := out.Input(ctx, arg, false)
			if err != nil {
				return &kernel.ExecuteResult{Err: &kernel.Error{Name: "InputError", Value: err.Error()}}
			}
			out.Stream("stdout", "got "+s+"\n")
		case "display":
			out.Display(kernel.Bundle{"text/html": arg, "text/plain": arg}, nil, "")
		case "panic":
			panic(arg)
		case "sleep":
			ms, _ := strconv.Atoi(arg)
			select {
			case <-time.After(time.Duration(ms) * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = map[string]kernel.ExpressionResult{}
		for k, v := range req.UserExpressions {
			res.UserExpressions[k] = kernel.ExpressionResult{Value: kernel.Text(strings.ToUpper(v))}
		}
	}
	return res
}

// Complete implements kernel.Interpreter: it offers the words of the
// code that extend the word before the cursor.
func (f *FakeInterpreter) Complete(ctx context.Context, code string, cursor int) kernel.Completion {
	start := cursor
	for start > 0 && code[start-1] != ' ' && code[start-1] != '\n' {
		start--
	}
	prefix := code[start:cursor]
	var matches []string
	for _, w := range strings.Fields(code) {
		if strings.HasPrefix(w, prefix) && w != prefix {
			matches = append(matches, w)
		}
	}
	return kernel.Completion{Matches: matches, Start: start, End: cursor}
}

// Inspect implements kernel.Interpreter.
func (f *FakeInterpreter) Inspect(ctx context.Context, code string, cursor, detail int) kernel.Inspection {
	if code == "" {
		return kernel.Inspection{}
	}
	return kernel.Inspection{Found: true, Data: kernel.Text("doc of " + code)}
}

// IsComplete implements kernel.Interpreter: a cell ending in a backslash
// is incomplete.
func (f *FakeInterpreter) IsComplete(ctx context.Context, code string) kernel.Completeness {
	if strings.HasSuffix(code, "\\") {
		return kernel.Completeness{Status: "incomplete", Indent: "  "}
	}
	return kernel.Completeness{Status: "complete"}
}

// Close implements kernel.Interpreter.
func (f *FakeInterpreter) Close() error { return nil }
