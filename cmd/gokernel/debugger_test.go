package main

import (
	"testing"
	"time"
)

// TestDebuggerIPykernel replays JupyterLab's debugger sequence (breakpoint,
// stop, stack, scopes, variables, next, continue) against Debian's
// ipykernel with Python code (testdata/debugger_python.py), so that the
// script gokernel is held to follows what a real kernel does.
func TestDebuggerIPykernel(t *testing.T) {
	runPythonTests(t, "debugger_python", 2*time.Minute)
}

// TestDebuggerGo replays the same sequence against gokernel with Go code,
// plus the cases of testdata/debugger_go.py.
func TestDebuggerGo(t *testing.T) {
	runPythonTests(t, "debugger_go", 3*time.Minute)
}
