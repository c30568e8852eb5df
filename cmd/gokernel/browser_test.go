package main

// The classic Notebook in a real browser: testdata/browser.py starts
// Debian's jupyter-notebook (Notebook 6) on a free loopback port and drives
// headless Chromium through python3-selenium.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// requireBrowser fails the test, saying what to install, when Chromium, its
// driver or Selenium is missing. It never skips: CI installs them (.ci/run).
func requireBrowser(t *testing.T) {
	t.Helper()
	var missing []string
	for _, file := range []string{"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/jupyter-notebook"} {
		if _, err := os.Stat(file); err != nil {
			missing = append(missing, file)
		}
	}
	if out, err := exec.Command(python, "-c", "import selenium, notebook").CombinedOutput(); err != nil {
		missing = append(missing, "Python modules selenium, notebook: "+string(bytes.TrimSpace(out)))
	}
	if len(missing) > 0 {
		t.Fatalf("the browser test needs Debian's chromium, chromium-driver, python3-selenium and "+
			"jupyter-notebook (.ci/run installs them); missing: %q", missing)
	}
}

// artifactDir returns the directory for files that a test keeps: the value
// of GOKERNEL_ARTIFACTS, or a temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GOKERNEL_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("artifact directory: %v", err)
	}
	return dir
}

// TestNotebookBrowser runs Go, %p, ! and %bash_async cells in Notebook 6,
// checks what the page shows (outputs, a job's live area, error
// positions, CodeMirror modes from kernel.js), interrupts a blocked command
// and restarts the kernel from the Kernel menu, and keeps a screenshot.
func TestNotebookBrowser(t *testing.T) {
	requireJupyter(t)
	requireBrowser(t)
	dir := artifactDir(t)
	t.Setenv("GOKERNEL_ARTIFACTS", dir)
	shot := filepath.Join(dir, "browser-notebook.png")
	_ = os.Remove(shot)
	runPythonTests(t, "browser", 3*time.Minute)
	data, err := os.ReadFile(shot)
	switch {
	case err != nil:
		t.Errorf("no screenshot: %v", err)
	case !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		t.Errorf("the screenshot %s is not a PNG file", shot)
	default:
		t.Logf("screenshot of the notebook page: %s (%d bytes)", shot, len(data))
	}
	if final := filepath.Join(dir, "browser-final.png"); fileExists(final) {
		t.Logf("screenshot of the last page: %s", final)
	}
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
