package main

import (
	"testing"
	"time"
)

// TestReliability runs the reliability suite (testdata/reliability.py):
// crashes, dead parents and hostile messages over real ZeroMQ, each case
// with the promise it checks in its docstring.
func TestReliability(t *testing.T) {
	runPythonTests(t, "reliability", 4*time.Minute)
}
