package main

import (
	"testing"
	"time"
)

// TestMagicsOverProtocol runs every magic of the registry against the real
// kernel through jupyter_client and checks the files, outputs, displays,
// processes and errors they produce (testdata/magics.py).
func TestMagicsOverProtocol(t *testing.T) {
	runPythonTests(t, "magics", 3*time.Minute)
}
