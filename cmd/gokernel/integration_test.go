package main

// Integration tests: the real gokernel binary, driven through Debian's real
// Jupyter client stack (jupyter_client, jupyter_kernel_test, nbconvert)
// under /usr/bin/python3. The Python halves live in testdata/; runtests.py
// runs one of their unittest modules and reports each test method, which
// becomes a Go subtest here.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernelspec"
	"github.com/beacceaf/gokernel/kernelspec/kernelspectest"
)

// python is the only Python that sees Debian's Jupyter packages.
const python = "/usr/bin/python3"

// jupyterModules are the Python modules the integration tests import.
const jupyterModules = "jupyter_client, jupyter_kernel_test, nbclient, nbconvert, nbformat, zmq"

// gokernelBinary returns the gokernel binary that TestMain in cli_test.go
// builds once for the whole package.
func gokernelBinary(t testing.TB) string {
	t.Helper()
	if gokernelBin == "" {
		t.Fatal("the gokernel binary was not built (TestMain did not run)")
	}
	return gokernelBin
}

var jupyterCheck struct {
	once sync.Once
	err  error
}

// requireJupyter fails the test, with what to install, when the Jupyter
// stack is missing. It never skips: CI installs the stack (see .ci/run).
func requireJupyter(t testing.TB) {
	t.Helper()
	jupyterCheck.once.Do(func() {
		for _, file := range []string{python, "/usr/bin/jupyter"} {
			if _, err := os.Stat(file); err != nil {
				jupyterCheck.err = err
				return
			}
		}
		cmd := exec.Command(python, "-c", "import "+jupyterModules)
		cmd.Env = append(os.Environ(), "PYTHONNOUSERSITE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			jupyterCheck.err = fmt.Errorf("%s cannot import %s: %v\n%s", python, jupyterModules, err, out)
		}
	})
	if jupyterCheck.err != nil {
		t.Fatalf("the integration tests need Debian's Jupyter stack: %v\n"+
			"Install it with: apt-get install jupyter-client jupyter-nbconvert python3-nbclient "+
			"python3-ipykernel python3-jupyter-kernel-test (.ci/run does)", jupyterCheck.err)
	}
}

// jupyterEnv installs the kernelspec "gokernel" of the package's binary
// into a temporary prefix and returns an environment in which Jupyter sees
// it, and which keeps every other Jupyter directory temporary too.
func jupyterEnv(t testing.TB) []string {
	t.Helper()
	requireJupyter(t)
	j := kernelspectest.InstallBinary(t, gokernelBinary(t))
	return append(j.Env,
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in testdata
		"GOKERNEL_KERNEL_NAME="+kernelspec.DefaultName,
	)
}

// testCommand returns a command that runs in its own process group and, when
// ctx ends, is killed together with every process it started.
func testCommand(ctx context.Context, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		killTree(cmd.Process.Pid)
		return nil
	}
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// killTree kills pid and its descendants. jupyter_client starts kernels in
// sessions of their own, so killing the process group is not enough.
func killTree(pid int) {
	parents := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		i := bytes.LastIndexByte(data, ')')
		fields := strings.Fields(string(data[i+1:]))
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil {
			parents[ppid] = append(parents[ppid], child)
		}
	}
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[0]
		todo = append(todo[1:], parents[p]...)
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

// pyResult is one Python test method's outcome, as runtests.py writes it.
type pyResult struct {
	Name    string   `json:"name"`
	Outcome string   `json:"outcome"` // "ok", "fail" or "skip"
	Details []string `json:"details"`
	Seconds float64  `json:"seconds"`
}

// runPythonTests runs the unittest module testdata/MODULE.py against the
// installed kernel, with one subtest a test method. A skipped Python test
// fails.
func runPythonTests(t *testing.T, module string, timeout time.Duration) {
	env := jupyterEnv(t)
	results := filepath.Join(t.TempDir(), "results.json")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := testCommand(ctx, env, python, "-u", filepath.Join("testdata", "runtests.py"), module, results)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s ran for %.1f s", module, time.Since(start).Seconds())
	if ctx.Err() != nil {
		t.Errorf("%s did not finish within %v, so it was killed", module, timeout)
	}
	data, rerr := os.ReadFile(results)
	var rs []pyResult
	if rerr == nil {
		rerr = json.Unmarshal(data, &rs)
	}
	if rerr != nil || len(rs) == 0 {
		t.Fatalf("%s reported no results (%v; exit: %v). Its log:\n%s", module, rerr, err, log.String())
	}
	for _, r := range rs {
		t.Run(r.Name, func(t *testing.T) {
			if r.Outcome != "ok" {
				t.Errorf("%s (after %.1f s):\n%s", r.Outcome, r.Seconds, strings.Join(r.Details, "\n\n"))
			} else {
				t.Logf("ok in %.1f s", r.Seconds)
			}
		})
	}
	// Lines the Python tests print as "measured: ..." are figures worth
	// seeing in every run.
	for _, line := range strings.Split(log.String(), "\n") {
		if _, fig, ok := strings.Cut(line, "measured: "); ok {
			t.Log(fig)
		}
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Errorf("running %s: %v", module, err)
	}
	if err != nil && !t.Failed() {
		t.Errorf("%s exited with %v, though every test passed", module, err)
	}
	if t.Failed() {
		t.Logf("log of %s (kernel stderr included):\n%s", module, log.String())
	}
}

// TestJupyterKernelTest runs jupyter_kernel_test's conformance tests, plus a
// few of our own, against the kernel (testdata/test_kernel.py).
func TestJupyterKernelTest(t *testing.T) {
	runPythonTests(t, "test_kernel", 2*time.Minute)
}

// TestCrashContainment checks that panics, exits, fatal errors, a stack
// overflow, a killed worker and interrupts end their cell in bounded time
// and leave a working kernel (testdata/crash.py).
func TestCrashContainment(t *testing.T) {
	runPythonTests(t, "crash", 4*time.Minute)
}

// TestBlockedCellExplained checks the status line of a cell blocked on a
// FIFO over real ZeroMQ (testdata/blocked.py).
func TestBlockedCellExplained(t *testing.T) {
	runPythonTests(t, "blocked", 2*time.Minute)
}

// TestSeveralClients checks that a second client sees the same IOPub
// output and that a client leaving mid-cell leaves the kernel usable
// (testdata/clients.py).
func TestSeveralClients(t *testing.T) {
	runPythonTests(t, "clients", 2*time.Minute)
}

// TestProcessHygiene checks that shutdown, SIGKILL and SIGTERM of the kernel
// leave no process of its tree behind (testdata/hygiene.py).
func TestProcessHygiene(t *testing.T) {
	runPythonTests(t, "hygiene", 2*time.Minute)
}

// TestMalformedMessages checks that faulty messages over real ZeroMQ leave
// the kernel up (testdata/malformed.py).
func TestMalformedMessages(t *testing.T) {
	runPythonTests(t, "malformed", 3*time.Minute)
}

// nbText is a notebook's multi-line string: a string or a list of strings.
type nbText string

func (s *nbText) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*s = nbText(one)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(data, &lines); err != nil {
		return err
	}
	*s = nbText(strings.Join(lines, ""))
	return nil
}

type nbOutput struct {
	OutputType     string                     `json:"output_type"`
	Name           string                     `json:"name"`
	Text           nbText                     `json:"text"`
	Data           map[string]json.RawMessage `json:"data"`
	ExecutionCount *int                       `json:"execution_count"`
	Ename          string                     `json:"ename"`
	Evalue         string                     `json:"evalue"`
}

type nbCell struct {
	CellType       string     `json:"cell_type"`
	Source         nbText     `json:"source"`
	ExecutionCount *int       `json:"execution_count"`
	Outputs        []nbOutput `json:"outputs"`
}

type notebook struct {
	Cells    []nbCell `json:"cells"`
	Metadata struct {
		LanguageInfo struct {
			Name          string `json:"name"`
			FileExtension string `json:"file_extension"`
		} `json:"language_info"`
	} `json:"metadata"`
}

// text returns the text/plain, text/markdown or other text data of an
// output.
func (o nbOutput) text(mime string) (string, bool) {
	raw, ok := o.Data[mime]
	if !ok {
		return "", false
	}
	var s nbText
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return string(s), true
}

// streams returns a cell's stdout and stderr, and its other outputs.
func (c nbCell) streams() (stdout, stderr string, others []nbOutput) {
	for _, o := range c.Outputs {
		switch {
		case o.OutputType == "stream" && o.Name == "stdout":
			stdout += string(o.Text)
		case o.OutputType == "stream" && o.Name == "stderr":
			stderr += string(o.Text)
		default:
			others = append(others, o)
		}
	}
	return stdout, stderr, others
}

// TestNbconvertExecute runs testdata/smoke.ipynb through
// "jupyter nbconvert --execute" and checks every cell's outputs.
func TestNbconvertExecute(t *testing.T) {
	env := jupyterEnv(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "smoke.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "smoke.ipynb"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := testCommand(ctx, env, "/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=60", "--output", "out.ipynb", "smoke.ipynb")
	cmd.Dir = dir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("nbconvert ran for %.1f s", time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("jupyter nbconvert --execute smoke.ipynb: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out.ipynb"))
	if err != nil {
		t.Fatalf("%v; nbconvert said:\n%s", err, out)
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("out.ipynb: %v", err)
	}
	if li := nb.Metadata.LanguageInfo; li.Name != "go" || li.FileExtension != ".go" {
		t.Errorf("notebook language_info is %+v, want name go, file_extension .go", li)
	}
	var cells []nbCell
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			cells = append(cells, c)
		}
	}
	if len(cells) != 7 {
		t.Fatalf("out.ipynb has %d code cells, want 7", len(cells))
	}
	for i, c := range cells {
		if c.ExecutionCount == nil || *c.ExecutionCount != i+1 {
			t.Errorf("cell %d %q: execution_count %v, want %d", i, c.Source, c.ExecutionCount, i+1)
		}
	}
	show := func(c nbCell) string {
		js, _ := json.Marshal(c.Outputs)
		return fmt.Sprintf("cell %q: outputs %s", c.Source, js)
	}

	// The imports and the assignment show nothing.
	for _, c := range cells[:2] {
		if len(c.Outputs) != 0 {
			t.Errorf("want no outputs; %s", show(c))
		}
	}

	// x * 2 is the cell's value.
	if c := cells[2]; len(c.Outputs) != 1 || c.Outputs[0].OutputType != "execute_result" {
		t.Errorf("want one execute_result; %s", show(c))
	} else {
		if text, _ := c.Outputs[0].text("text/plain"); text != "42" {
			t.Errorf("text/plain is %q, want \"42\"; %s", text, show(c))
		}
		if n := c.Outputs[0].ExecutionCount; n == nil || *n != 3 {
			t.Errorf("execute_result's execution_count is %v, want 3; %s", n, show(c))
		}
	}

	// Println goes to stdout.
	if stdout, stderr, others := cells[3].streams(); stdout != "line\n" || stderr != "" || len(others) != 0 {
		t.Errorf("want stdout \"line\\n\" only; %s", show(cells[3]))
	}

	// display.Markdown is display_data.
	if c := cells[4]; len(c.Outputs) != 1 || c.Outputs[0].OutputType != "display_data" {
		t.Errorf("want one display_data; %s", show(c))
	} else if md, _ := c.Outputs[0].text("text/markdown"); md != "**bold** text" {
		t.Errorf("text/markdown is %q, want \"**bold** text\"; %s", md, show(c))
	}

	// nbconvert sets allow_stdin false: the read gets end of file, with a
	// message on stderr, and the cell goes on.
	stdout, stderr, others := cells[5].streams()
	if !strings.Contains(stderr, "allow_stdin") {
		t.Errorf("stderr does not mention allow_stdin; %s", show(cells[5]))
	}
	if stdout != "scanned 0 true\n" || len(others) != 0 {
		t.Errorf("want stdout \"scanned 0 true\\n\" and no other output; %s", show(cells[5]))
	}

	// State survives the stdin cell.
	if stdout, stderr, others := cells[6].streams(); stdout != "22\n" || stderr != "" || len(others) != 0 {
		t.Errorf("want stdout \"22\\n\" only; %s", show(cells[6]))
	}
}
