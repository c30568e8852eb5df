package interp_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/beacceaf/gokernel/interp"
	"github.com/beacceaf/gokernel/interp/worker"
	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The test binary doubles as the worker: the Interpreter starts it again
// with this variable set.
const workerEnv = "GOKERNEL_TEST_AS_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		if err := worker.Main(nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newInterpreter starts an Interpreter whose worker is this test binary.
func newInterpreter(t testing.TB, dir string) *interp.Interpreter {
	t.Helper()
	in, err := interp.New(interp.Options{
		WorkerArgv: []string{os.Args[0]},
		Env:        append(os.Environ(), workerEnv+"=1"),
		Dir:        dir,
		Version:    "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// run executes one cell and records what it showed.
func run(t *testing.T, in *interp.Interpreter, count int, code string, inputs ...string) (*kerneltest.Recorder, *kernel.ExecuteResult) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rec := &kerneltest.Recorder{Inputs: inputs}
	res := in.Execute(ctx, &kernel.ExecuteRequest{Code: code, Count: count, StoreHistory: true, AllowStdin: len(inputs) > 0}, rec)
	return rec, res
}

// TestCells runs the golden cell scripts in testdata/*.txtar. Each file is
// one session: its cells run in one worker, in order. After each "cell"
// section come the sections it must produce: stdout, stderr, result,
// error (the traceback's first line) and display (the text/plain of each
// display). A section that is absent must be empty. -update rewrites them.
func TestCells(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files in testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			in := newInterpreter(t, work)
			var out []txtar.File
			count := 0
			for k := 0; k < len(ar.Files); k++ {
				f := ar.Files[k]
				if f.Name != "cell" {
					continue
				}
				count++
				code := strings.TrimSuffix(string(f.Data), "\n")
				rec, res := run(t, in, count, code)
				got := sections(rec, res, work)
				want := map[string]string{}
				for k+1 < len(ar.Files) && ar.Files[k+1].Name != "cell" {
					k++
					want[ar.Files[k].Name] = string(ar.Files[k].Data)
				}
				out = append(out, f)
				for _, name := range []string{"stdout", "stderr", "result", "error", "display"} {
					if got[name] != "" {
						out = append(out, txtar.File{Name: name, Data: []byte(got[name])})
					}
					if !*update && got[name] != want[name] {
						t.Errorf("cell %d:\n%s\n--- %s: got\n%s--- want\n%s", count, code, name, got[name], want[name])
					}
				}
			}
			if *update {
				ar.Files = out
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// ansi matches the colour escapes of tracebacks (colour_test.go tests them).
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// pids matches process IDs in job messages, which differ from run to run.
var pids = regexp.MustCompile(`(?m)(pid=|process group |^\[\d+\] )\d+`)

// sections turns what a cell produced into golden sections, with the
// temporary directory replaced by $WORK.
func sections(rec *kerneltest.Recorder, res *kernel.ExecuteResult, work string) map[string]string {
	clean := func(s string) string {
		s = strings.ReplaceAll(s, work, "$WORK")
		s = pids.ReplaceAllString(s, "${1}PID")
		if s != "" && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		return s
	}
	got := map[string]string{"stdout": clean(rec.Stdout()), "stderr": clean(rec.Stderr())}
	if res.Value != nil {
		got["result"] = clean(fmt.Sprint(res.Value["text/plain"]))
	}
	if res.Err != nil {
		got["error"] = clean(ansi.ReplaceAllString(strings.Join(res.Err.Traceback, "\n"), ""))
	}
	var displays []string
	for _, e := range rec.Events() {
		if e.Kind == "display" || e.Kind == "update" {
			displays = append(displays, e.Kind+": "+fmt.Sprint(e.Bundle["text/plain"]))
		}
		if e.Kind == "clear" {
			displays = append(displays, fmt.Sprintf("clear: wait=%v", e.Wait))
		}
	}
	got["display"] = clean(strings.Join(displays, "\n"))
	return got
}
