package main

// jupyter console, the terminal front end: testdata/console.py drives
// Debian's jupyter-console through a pty (--simple-prompt) and in tmux (the
// full prompt_toolkit prompt).

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
	"time"
)

// requireConsole fails the test, saying what to install, when
// jupyter-console, tmux or pexpect is missing. It never skips: CI installs
// them (.ci/run).
func requireConsole(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := os.Stat("/usr/bin/jupyter-console"); err != nil {
		missing = append(missing, "/usr/bin/jupyter-console")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		missing = append(missing, "tmux")
	}
	if out, err := exec.Command(python, "-c", "import pexpect, jupyter_console").CombinedOutput(); err != nil {
		missing = append(missing, "Python modules pexpect, jupyter_console: "+string(bytes.TrimSpace(out)))
	}
	if len(missing) > 0 {
		t.Fatalf("the console test needs Debian's jupyter-console, python3-pexpect and tmux "+
			"(.ci/run installs them); missing: %q", missing)
	}
}

// TestJupyterConsole checks that Go cells run and show values in
// jupyter console --simple-prompt, that Ctrl-C interrupts a running cell,
// that a killed console takes its kernel and worker with it, and, in the full prompt
// under tmux, that is_complete drives multi-line input and Tab completes.
func TestJupyterConsole(t *testing.T) {
	requireJupyter(t)
	requireConsole(t)
	runPythonTests(t, "console", 2*time.Minute)
}
