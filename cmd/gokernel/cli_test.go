package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// gokernelBin is the gokernel binary that TestMain builds.
var gokernelBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gokernel-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gokernelBin, err = buildGokernel(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// buildGokernel builds this package and the worker program into dir, as
// the README's "CGO_ENABLED=0 go install ./cmd/..." does, and returns the
// gokernel binary's path, with symbolic links resolved.
func buildGokernel(dir string, buildFlags ...string) (string, error) {
	bin := filepath.Join(dir, "gokernel")
	args := append(append([]string{"build", "-o", dir + string(filepath.Separator)}, buildFlags...), ".", "../gokernel-worker")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return filepath.EvalSymlinks(bin)
}

type result struct {
	code           int
	stdout, stderr string
}

// gokernel runs the binary with args, in an environment whose Jupyter
// directories are temporary, plus env.
func gokernel(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(),
		"JUPYTER_DATA_DIR="+filepath.Join(tmp, "data"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"),
	)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("gokernel %q: %v", args, err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // a substring of stdout
		stderr string // a substring of stderr
	}{
		{args: nil, code: 2, stderr: "gokernel <command> [arguments]"},
		{args: []string{"nosuch"}, code: 2, stderr: `unknown command "nosuch"`},
		{args: []string{"-x"}, code: 2, stderr: "flag provided but not defined: -x"},
		{args: []string{"install", "--bogus"}, code: 2, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"install", "--user", "--prefix", "x"}, code: 2, stderr: "--user and --prefix cannot be used together"},
		{args: []string{"uninstall", "--sys-prefix", "--prefix=x"}, code: 2, stderr: "--sys-prefix and --prefix cannot be used together"},
		{args: []string{"install", "--prefix"}, code: 2, stderr: "flag needs an argument: -prefix"},
		{args: []string{"install", "--prefix="}, code: 2, stderr: "--prefix needs a directory"},
		{args: []string{"install", "extra"}, code: 2, stderr: `unexpected arguments ["extra"]`},
		{args: []string{"version"}, code: 0, stdout: fmt.Sprintf(" (%s %s/%s)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)},
		{args: []string{"version", "x"}, code: 2, stderr: "usage: gokernel version"},
		{args: []string{"kernel"}, code: 2, stderr: "missing -f CONNECTION_FILE"},
		{args: []string{"kernel", "-f", "a", "b"}, code: 2, stderr: "unexpected arguments"},
		{args: []string{"worker"}, code: 2, stderr: `unknown command "worker"`},
		{args: []string{"help"}, code: 0, stdout: "The commands are:"},
		{args: []string{"help", "install"}, code: 0, stdout: "usage: gokernel install [--user | --sys-prefix | --prefix DIR] [--name NAME]"},
		{args: []string{"help", "nosuch"}, code: 2, stderr: `unknown command "nosuch"`},
		{args: []string{"help", "a", "b"}, code: 2, stderr: "too many arguments"},
		{args: []string{"-h"}, code: 0, stdout: "The commands are:"},
		{args: []string{"--help"}, code: 0, stdout: "The commands are:"},
		{args: []string{"kernel", "-h"}, code: 0, stdout: "usage: gokernel kernel -f CONNECTION_FILE"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := gokernel(t, gokernelBin, nil, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tc.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tc.stderr, r.stderr)
			}
			if tc.code == 0 && r.stderr != "" {
				t.Errorf("stderr is not empty on success:\n%s", r.stderr)
			}
		})
	}
}

// TestKernelBadConnectionFile checks that a runtime failure is one line on
// stderr, with exit status 1.
func TestKernelBadConnectionFile(t *testing.T) {
	r := gokernel(t, gokernelBin, nil, "kernel", "-f", "/nonexistent/conn.json")
	if r.code != 1 {
		t.Errorf("exit status %d, want 1", r.code)
	}
	line, rest, _ := strings.Cut(r.stderr, "\n")
	if !strings.HasPrefix(line, "gokernel: ") || !strings.Contains(line, "/nonexistent/conn.json") || rest != "" {
		t.Errorf("stderr is %q, want one line \"gokernel: ...\" naming the file", r.stderr)
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	usage := gokernel(t, gokernelBin, nil, "help").stdout
	for _, cmd := range commands() {
		if !strings.Contains(usage, "\t"+cmd.name+" ") || !strings.Contains(usage, cmd.short) {
			t.Errorf("gokernel help does not list %s: %q", cmd.name, cmd.short)
		}
		r := gokernel(t, gokernelBin, nil, "help", cmd.name)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: "+cmd.usageLine()+"\n") {
			t.Errorf("gokernel help %s: exit status %d, stdout:\n%s", cmd.name, r.code, r.stdout)
		}
	}
}

func TestVersionFromLdflags(t *testing.T) {
	bin, err := buildGokernel(t.TempDir(), "-ldflags=-X main.version=9.8.7")
	if err != nil {
		t.Fatal(err)
	}
	r := gokernel(t, bin, nil, "version")
	want := fmt.Sprintf("gokernel 9.8.7 (%s %s/%s)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if r.code != 0 || r.stdout != want {
		t.Errorf("version: exit status %d, stdout %q; want 0, %q", r.code, r.stdout, want)
	}
}

// kernelArgv reads the argv of an installed kernel.json.
func kernelArgv(t *testing.T, kernelDir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(kernelDir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct{ Argv []string }
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	return spec.Argv
}

func TestInstallUninstall(t *testing.T) {
	tmp := t.TempDir()
	fakePython := filepath.Join(tmp, "python")
	if err := os.WriteFile(fakePython, []byte("#!/bin/sh\necho "+filepath.Join(tmp, "venv")+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		flags     []string
		env       []string
		kernelDir string
	}{
		{"prefix", []string{"--prefix", filepath.Join(tmp, "prefix")}, nil,
			filepath.Join(tmp, "prefix", "share", "jupyter", "kernels", "gokernel")},
		{"prefix and name", []string{"--prefix=" + filepath.Join(tmp, "prefix"), "--name", "go2"}, nil,
			filepath.Join(tmp, "prefix", "share", "jupyter", "kernels", "go2")},
		{"user by default", nil, []string{"JUPYTER_DATA_DIR=" + filepath.Join(tmp, "user")},
			filepath.Join(tmp, "user", "kernels", "gokernel")},
		{"user", []string{"--user"}, []string{"JUPYTER_DATA_DIR=" + filepath.Join(tmp, "user")},
			filepath.Join(tmp, "user", "kernels", "gokernel")},
		{"sys-prefix", []string{"--sys-prefix"}, []string{"JUPYTER_PYTHON=" + fakePython},
			filepath.Join(tmp, "venv", "share", "jupyter", "kernels", "gokernel")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gokernel(t, gokernelBin, tc.env, append([]string{"install"}, tc.flags...)...)
			if r.code != 0 {
				t.Fatalf("install: exit status %d\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.kernelDir) {
				t.Errorf("install says %q, want it to name %s", r.stdout, tc.kernelDir)
			}
			argv := kernelArgv(t, tc.kernelDir)
			if len(argv) != 4 || argv[0] != gokernelBin || argv[1] != "kernel" {
				t.Errorf("kernel.json argv = %q, want [%s kernel -f {connection_file}]", argv, gokernelBin)
			}

			r = gokernel(t, gokernelBin, tc.env, append([]string{"uninstall"}, tc.flags...)...)
			if r.code != 0 {
				t.Fatalf("uninstall: exit status %d\n%s", r.code, r.stderr)
			}
			if _, err := os.Stat(tc.kernelDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after uninstall, stat %s: %v, want not exist", tc.kernelDir, err)
			}

			r = gokernel(t, gokernelBin, tc.env, append([]string{"uninstall"}, tc.flags...)...)
			if r.code != 1 || !strings.Contains(r.stderr, "not installed") {
				t.Errorf("second uninstall: exit status %d, stderr %q; want 1 and \"not installed\"", r.code, r.stderr)
			}
		})
	}
}

// TestInstallRelativePrefix checks that a relative --prefix is made
// absolute, so that the message names the real place.
func TestInstallRelativePrefix(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(gokernelBin, "install", "--prefix", "rel")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install --prefix rel: %v\n%s", err, out)
	}
	want := filepath.Join(dir, "rel", "share", "jupyter", "kernels", "gokernel")
	if !strings.Contains(string(out), want) {
		t.Errorf("install says %q, want it to name %s", out, want)
	}
	if _, err := os.Stat(filepath.Join(want, "kernel.json")); err != nil {
		t.Error(err)
	}
}

// TestWorkerMissing checks that a gokernel binary without gokernel-worker
// beside it refuses to install, and that its kernel fails at start, both
// with a message that says how to install the worker.
func TestWorkerMissing(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(gokernelBin)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(dir, "gokernel")
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	conn := filepath.Join(dir, "conn.json")
	if err := os.WriteFile(conn, []byte(`{"transport": "tcp", "ip": "127.0.0.1", "shell_port": 65001, "iopub_port": 65002, "stdin_port": 65003, "control_port": 65004, "hb_port": 65005, "key": "k", "signature_scheme": "hmac-sha256"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"install", "--prefix", filepath.Join(dir, "prefix")},
		{"kernel", "-f", conn},
	} {
		r := gokernel(t, alone, nil, args...)
		want := filepath.Join(dir, "gokernel-worker")
		if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, `"go install ./cmd/..."`) {
			t.Errorf("gokernel %q without its worker: exit status %d, stderr %q; want 1 and a message naming %s and go install ./cmd/...", args, r.code, r.stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "prefix", "share", "jupyter", "kernels", "gokernel")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("install without the worker wrote the kernelspec (stat: %v)", err)
	}
}

// TestKernelLinksNoYaegi checks that the kernel process does not link the
// interpreter: yaegi's symbol tables, built by package initialisation,
// would cost every kernel process about 13 MiB and 40 ms of start-up.
func TestKernelLinksNoYaegi(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/beacceaf/gokernel/interp") {
		t.Fatalf("go list -deps . does not list package interp; listed:\n%s", out)
	}
	for _, dep := range deps {
		for _, banned := range []string{"github.com/traefik/yaegi", "github.com/beacceaf/gokernel/interp/worker", "github.com/beacceaf/gokernel/interp/symbols"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("cmd/gokernel depends on %s", dep)
			}
		}
	}
}
