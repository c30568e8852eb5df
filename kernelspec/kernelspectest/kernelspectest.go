// Package kernelspectest builds the gokernel binary and installs its
// kernelspec hermetically, for tests that drive the kernel through the real
// Jupyter tools.
package kernelspectest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Python is the interpreter that sees Debian's Jupyter packages. The
// python3 first on PATH may be another one.
const Python = "/usr/bin/python3"

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds ./cmd/gokernel and ./cmd/gokernel-worker of this module
// into one directory, without cgo as the README's install command does,
// once per test process, and returns the path of the gokernel binary.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "gokernel-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "gokernel")
		cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./cmd/gokernel", "./cmd/gokernel-worker")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/gokernel ./cmd/gokernel-worker: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the gokernel module")
	}
	return filepath.Dir(mod), nil
}

// Jupyter is a hermetic Jupyter setup with gokernel installed.
type Jupyter struct {
	Binary string   // the gokernel binary
	Prefix string   // the install prefix; the kernelspec is in Prefix/share/jupyter/kernels/gokernel
	Env    []string // environment for Jupyter commands: only this prefix's kernelspecs are seen
}

// Install builds gokernel, installs its kernelspec into a temporary prefix
// and returns an environment in which Jupyter sees only that kernelspec (and
// the system's). It fails the test, never skips it, when /usr/bin/python3
// cannot import jupyter_client.
func Install(t testing.TB) *Jupyter {
	t.Helper()
	return InstallBinary(t, Binary(t))
}

// InstallBinary is Install for a gokernel binary that the caller built.
func InstallBinary(t testing.TB, bin string) *Jupyter {
	t.Helper()
	RequirePython(t, "jupyter_client")
	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("gokernel install --prefix: %v\n%s", err, out)
	}
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "JUPYTER_") || k == "IPYTHONDIR" || k == "PYTHONNOUSERSITE" || k == "PYTHONPATH" {
			continue
		}
		env = append(env, kv)
	}
	for k, sub := range map[string]string{"JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTER_CONFIG_DIR": "config", "IPYTHONDIR": "ipython"} {
		dir := filepath.Join(tmp, sub)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, k+"="+dir)
	}
	env = append(env, "JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"), "PYTHONNOUSERSITE=1")
	return &Jupyter{Binary: bin, Prefix: prefix, Env: env}
}

// RequirePython fails the test when /usr/bin/python3 cannot import the
// given modules, saying how to install them.
func RequirePython(t testing.TB, modules ...string) {
	t.Helper()
	for _, m := range modules {
		if out, err := exec.Command(Python, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Fatalf("%s cannot import %s (%v): run .ci/run, or apt-get install the Debian Jupyter packages listed in README.md\n%s", Python, m, err, out)
		}
	}
}
