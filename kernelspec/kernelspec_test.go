package kernelspec_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/kernelspec"
)

// python is the interpreter that has jupyter_client (Debian's packages).
const python = "/usr/bin/python3"

// runPython runs script with python in a hermetic Jupyter environment that
// sees only the data directory dataDir, and returns its standard output.
func runPython(t *testing.T, dataDir, script string, args ...string) []byte {
	t.Helper()
	tmp := t.TempDir()
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	cmd.Env = append(os.Environ(),
		"JUPYTER_PATH="+dataDir,
		"PYTHONNOUSERSITE=1",
		"JUPYTER_DATA_DIR="+filepath.Join(tmp, "data"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s (needs Debian's python3-jupyter-client): %v\n%s", python, err, stderr.Bytes())
	}
	return out
}

// findSpec asks jupyter_client for the kernelspec name. It prints the spec
// as JSON, or {"missing": true} when there is none.
const findSpec = `
import json, sys
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
try:
    ks = KernelSpecManager().get_kernel_spec(sys.argv[1])
except NoSuchKernel:
    print(json.dumps({"missing": True}))
else:
    print(json.dumps({"argv": ks.argv, "display_name": ks.display_name,
        "language": ks.language, "interrupt_mode": ks.interrupt_mode,
        "resource_dir": ks.resource_dir}))
`

type foundSpec struct {
	Missing       bool     `json:"missing"`
	Argv          []string `json:"argv"`
	DisplayName   string   `json:"display_name"`
	Language      string   `json:"language"`
	InterruptMode string   `json:"interrupt_mode"`
	ResourceDir   string   `json:"resource_dir"`
}

func jupyterSpec(t *testing.T, dataDir, name string) foundSpec {
	t.Helper()
	out := runPython(t, dataDir, findSpec, name)
	var s foundSpec
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("bad output from jupyter_client: %v\n%s", err, out)
	}
	return s
}

// fakeBinary returns an absolute path for kernel.json to name.
func fakeBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bin dir", "gokernel")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestJupyterFindsInstalledKernel(t *testing.T) {
	for _, name := range []string{"", "go-test_1.x"} {
		t.Run("name="+name, func(t *testing.T) {
			prefix := t.TempDir()
			dataDir := kernelspec.PrefixDataDir(prefix)
			bin := fakeBinary(t)
			opts := kernelspec.Options{Name: name, Dir: dataDir, Binary: bin}
			wantName := name
			if wantName == "" {
				wantName = kernelspec.DefaultName
			}

			dir, err := kernelspec.Install(opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(prefix, "share", "jupyter", "kernels", wantName); dir != want {
				t.Errorf("Install returned %s, want %s", dir, want)
			}
			got := jupyterSpec(t, dataDir, wantName)
			if got.Missing {
				t.Fatalf("jupyter_client does not find %q in %s", wantName, dataDir)
			}
			wantArgv := []string{bin, "kernel", "-f", "{connection_file}"}
			if strings.Join(got.Argv, "\x00") != strings.Join(wantArgv, "\x00") {
				t.Errorf("argv = %q, want %q", got.Argv, wantArgv)
			}
			if got.DisplayName != "Go (gokernel)" || got.Language != "go" || got.InterruptMode != "message" {
				t.Errorf("display_name, language, interrupt_mode = %q, %q, %q; want %q, %q, %q",
					got.DisplayName, got.Language, got.InterruptMode, "Go (gokernel)", "go", "message")
			}
			if got.ResourceDir != dir {
				t.Errorf("resource_dir = %s, want %s", got.ResourceDir, dir)
			}
			for _, f := range []string{"kernel.js", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}

			removed, err := kernelspec.Uninstall(opts)
			if err != nil {
				t.Fatal(err)
			}
			if removed != dir {
				t.Errorf("Uninstall returned %s, want %s", removed, dir)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after Uninstall, stat %s: %v, want not exist", dir, err)
			}
			if got := jupyterSpec(t, dataDir, wantName); !got.Missing {
				t.Errorf("jupyter_client still finds %q after Uninstall: %+v", wantName, got)
			}
		})
	}
}

func TestInstallReplacesExisting(t *testing.T) {
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, "kernels", "gokernel")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.txt")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := fakeBinary(t)
	if _, err := kernelspec.Install(kernelspec.Options{Dir: dataDir, Binary: bin}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat %s: %v, want not exist after reinstalling", stale, err)
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, "kernels"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "gokernel" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("kernels/ holds %q, want only gokernel", names)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o755 {
		t.Errorf("kernelspec directory mode %v, want 0755", perm)
	}
}

func TestInstallDefaultBinary(t *testing.T) {
	dataDir := t.TempDir()
	dir, err := kernelspec.Install(kernelspec.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		t.Fatal(err)
	}
	if got := readArgv(t, filepath.Join(dir, "kernel.json")); len(got) == 0 || got[0] != exe {
		t.Errorf("argv = %q, want argv[0] = %s", got, exe)
	}
}

func TestInstallRelativeBinary(t *testing.T) {
	dataDir := t.TempDir()
	dir, err := kernelspec.Install(kernelspec.Options{Dir: dataDir, Binary: "bin/gokernel"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs("bin/gokernel")
	if err != nil {
		t.Fatal(err)
	}
	if got := readArgv(t, filepath.Join(dir, "kernel.json")); len(got) == 0 || got[0] != want {
		t.Errorf("argv = %q, want argv[0] = %s", got, want)
	}
}

func readArgv(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct{ Argv []string }
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return spec.Argv
}

func TestInvalidName(t *testing.T) {
	for _, name := range []string{"go kernel", "../evil", "a/b", ".", ".."} {
		t.Run(name, func(t *testing.T) {
			dataDir := t.TempDir()
			opts := kernelspec.Options{Name: name, Dir: dataDir, Binary: "/bin/true"}
			if dir, err := kernelspec.Install(opts); err == nil {
				t.Errorf("Install with name %q succeeded in %s, want an error", name, dir)
			}
			if _, err := kernelspec.Uninstall(opts); err == nil || errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Uninstall with name %q: %v, want an invalid name error", name, err)
			}
		})
	}
}

func TestUninstallNotInstalled(t *testing.T) {
	_, err := kernelspec.Uninstall(kernelspec.Options{Dir: t.TempDir()})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Uninstall: %v, want an error wrapping fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "not installed") {
		t.Errorf("error %q does not say \"not installed\"", err)
	}
}

func TestKernelJSON(t *testing.T) {
	bin := `/opt/go "kernel"/bin/gokernel`
	data, err := kernelspec.KernelJSON(bin)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("kernel.json is not JSON: %v\n%s", err, data)
	}
	want := map[string]any{
		"argv":           []any{bin, "kernel", "-f", "{connection_file}"},
		"display_name":   "Go (gokernel)",
		"language":       "go",
		"interrupt_mode": "message",
		"env":            map[string]any{},
	}
	for key, w := range want {
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(got[key])
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s = %s, want %s", key, gj, wj)
		}
	}

	if _, err := kernelspec.KernelJSON("gokernel"); err == nil {
		t.Error("KernelJSON with a relative path succeeded, want an error")
	}
}

func TestLogos(t *testing.T) {
	dir, err := kernelspec.Install(kernelspec.Options{Dir: t.TempDir(), Binary: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{32, 64} {
		name := filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size))
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), size, size)
		}
		// The middle of the left edge is on the cyan square.
		if _, _, _, a := img.At(0, size/2).RGBA(); a != 0xffff {
			t.Errorf("%s: pixel (0, %d) has alpha %#x, want opaque", name, size/2, a)
		}
	}

	data, err := os.ReadFile(filepath.Join(dir, "logo-svg.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var svg struct {
		XMLName xml.Name
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(data, &svg); err != nil {
		t.Fatalf("logo-svg.svg: %v", err)
	}
	if svg.XMLName.Local != "svg" || svg.ViewBox != "0 0 64 64" {
		t.Errorf("logo-svg.svg root is <%s viewBox=%q>, want <svg viewBox=\"0 0 64 64\">", svg.XMLName.Local, svg.ViewBox)
	}
}

// TestKernelJSMagicModes checks the table in kernel.js: which cells get
// which CodeMirror mode. It builds the regular expressions as kernel.js
// does and applies the first match, as Notebook 6 does.
func TestKernelJSMagicModes(t *testing.T) {
	dir, err := kernelspec.Install(kernelspec.Options{Dir: t.TempDir(), Binary: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "kernel.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)// BEGIN MAGIC MODES\n(.*)// END MAGIC MODES`).FindSubmatch(js)
	if m == nil {
		t.Fatal("kernel.js has no BEGIN/END MAGIC MODES block")
	}
	var table []struct {
		Magics   []string `json:"magics"`
		Mode     string   `json:"mode"`
		Fallback string   `json:"fallback"`
	}
	if err := json.Unmarshal(m[1], &table); err != nil {
		t.Fatalf("the MAGIC MODES block is not JSON: %v", err)
	}
	if !bytes.Contains(js, []byte(`'^%%(' + entry.magics.join('|') + ')(\\s|$)'`)) {
		t.Fatal("kernel.js no longer builds its regular expressions the way this test does")
	}
	modeOf := func(firstLine string) string {
		for _, e := range table {
			re := regexp.MustCompile(`^%%(` + strings.Join(e.Magics, "|") + `)(\s|$)`)
			if re.MatchString(firstLine) {
				return e.Mode
			}
		}
		return "go"
	}

	tests := []struct{ line, mode string }{
		{"%%cpp", "text/x-c++src"},
		{"%%cpp -O2 main.cpp", "text/x-c++src"},
		{"%%c", "text/x-c++src"},
		{"%%c\tx.c", "text/x-c++src"},
		{"%%asm", "text/x-c++src"},
		{"%%bash", "text/x-sh"},
		{"%%sh --bg", "text/x-sh"},
		{"%%makefile", "makefile"},
		{"%%html", "text/html"},
		{"%%markdown", "text/x-markdown"},
		{"%%cat", "go"},
		{"%%shell", "go"},
		{"%%htmlx", "go"},
		{"x := 1 // %%cpp", "go"},
		{"%cpp", "go"},
		{"", "go"},
	}
	for _, tc := range tests {
		if got := modeOf(tc.line); got != tc.mode {
			t.Errorf("mode for a cell starting %q = %q, want %q", tc.line, got, tc.mode)
		}
	}
}

func TestUserDataDir(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"JUPYTER_DATA_DIR", map[string]string{"JUPYTER_DATA_DIR": "/srv/jd", "XDG_DATA_HOME": "/srv/xdg"}},
		{"XDG_DATA_HOME", map[string]string{"JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": "/srv/xdg"}},
		{"HOME", map[string]string{"JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := kernelspec.UserDataDir()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, "-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s with jupyter_core: %v", python, err)
			}
			if want := strings.TrimSpace(string(out)); got != want {
				t.Errorf("UserDataDir() = %s, jupyter_core says %s", got, want)
			}
		})
	}
}

func TestSysPrefixDataDir(t *testing.T) {
	t.Run("default python", func(t *testing.T) {
		t.Setenv("JUPYTER_PYTHON", "")
		got, err := kernelspec.SysPrefixDataDir()
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(python, "-c", "from jupyter_core.paths import ENV_JUPYTER_PATH; print(ENV_JUPYTER_PATH[0])").Output()
		if err != nil {
			t.Fatalf("%s with jupyter_core: %v", python, err)
		}
		if want := strings.TrimSpace(string(out)); got != want {
			t.Errorf("SysPrefixDataDir() = %s, jupyter_core's ENV_JUPYTER_PATH[0] is %s", got, want)
		}
	})
	t.Run("JUPYTER_PYTHON", func(t *testing.T) {
		fake := filepath.Join(t.TempDir(), "python")
		if err := os.WriteFile(fake, []byte("#!/bin/sh\necho /opt/venv\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("JUPYTER_PYTHON", fake)
		got, err := kernelspec.SysPrefixDataDir()
		if err != nil {
			t.Fatal(err)
		}
		if want := "/opt/venv/share/jupyter"; got != want {
			t.Errorf("SysPrefixDataDir() = %s, want %s", got, want)
		}
	})
	t.Run("broken python", func(t *testing.T) {
		fake := filepath.Join(t.TempDir(), "python")
		if err := os.WriteFile(fake, []byte("#!/bin/sh\necho no sys here >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("JUPYTER_PYTHON", fake)
		_, err := kernelspec.SysPrefixDataDir()
		if err == nil || !strings.Contains(err.Error(), "no sys here") {
			t.Errorf("SysPrefixDataDir() error = %v, want one quoting the python's stderr", err)
		}
	})
}

func TestPrefixDataDir(t *testing.T) {
	if got, want := kernelspec.PrefixDataDir("/usr/local"), "/usr/local/share/jupyter"; got != want {
		t.Errorf("PrefixDataDir(/usr/local) = %s, want %s", got, want)
	}
}
