package kernelspec

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// defaultPython is the Python whose sys.prefix SysPrefixDataDir uses, unless
// $JUPYTER_PYTHON names another.
const defaultPython = "/usr/bin/python3"

// UserDataDir returns the current user's Jupyter data directory, as
// jupyter_core.paths.jupyter_data_dir does on Linux: $JUPYTER_DATA_DIR when
// set, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter.
func UserDataDir() (string, error) {
	if dir := os.Getenv("JUPYTER_DATA_DIR"); dir != "" {
		return dir, nil
	}
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
		return filepath.Join(xdg, "jupyter"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	// jupyter_core resolves symbolic links in the home directory.
	if real, err := filepath.EvalSymlinks(home); err == nil {
		home = real
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// SysPrefixDataDir returns PREFIX/share/jupyter, where PREFIX is sys.prefix
// of the Python that runs Jupyter: /usr/bin/python3, or the interpreter that
// the environment variable JUPYTER_PYTHON names (a path, or a name looked up
// in $PATH), such as a virtual environment's python. Jupyter started by that
// Python finds kernelspecs there.
func SysPrefixDataDir() (string, error) {
	python := os.Getenv("JUPYTER_PYTHON")
	if python == "" {
		python = defaultPython
	}
	cmd := exec.Command(python, "-c", "import sys; print(sys.prefix)")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return "", fmt.Errorf("kernelspec: ask %s for sys.prefix: %w", python, err)
	}
	prefix := strings.TrimSpace(string(out))
	if !filepath.IsAbs(prefix) {
		return "", fmt.Errorf("kernelspec: %s gave sys.prefix %q, not an absolute path", python, prefix)
	}
	return PrefixDataDir(prefix), nil
}

// PrefixDataDir returns the Jupyter data directory under prefix,
// prefix/share/jupyter.
func PrefixDataDir(prefix string) string {
	return filepath.Join(prefix, "share", "jupyter")
}
