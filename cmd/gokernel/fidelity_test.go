package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/build/constraint"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	fidelityEvery = flag.Int("fidelity.every", 16,
		"TestGoFidelity runs every N-th program of Go's test suite; 1 runs all of them")
	fidelityUpdate = flag.Bool("fidelity.update", false,
		"TestGoFidelity rewrites testdata/fidelity-N.txt with the classes it saw")
)

// fidelityDirs are the folders of $(go env GOROOT)/test that hold the
// suite's self-checking programs.
var fidelityDirs = []string{".", "ken", "chan", "interface", "typeparam", "fixedbugs"}

// fidelityModes are the two ways TestGoFidelity gives a program to the
// kernel (see testdata/fidelity.py).
var fidelityModes = []string{"paste", "adapted"}

// classRank orders the classes from best to worst: a run whose class is
// worse than the expected one is a regression.
var classRank = map[string]int{"pass": 0, "unsupported": 1, "wrong": 2, "hang": 3, "crash": 4}

// TestGoFidelity runs a fixed sample of Go's own test suite (its `// run`
// programs) through the kernel over jupyter_client, whole and as
// declarations plus a call of main_, and compares each program's class with
// testdata/fidelity-N.txt, where N is -fidelity.every. Any run worse than
// its expectation fails; better runs are reported, and -fidelity.update
// records them.
func TestGoFidelity(t *testing.T) {
	env := jupyterEnv(t)
	dir := goTestDir(t)
	files := fidelitySample(t, dir, *fidelityEvery)
	expectFile := filepath.Join("testdata", fmt.Sprintf("fidelity-%d.txt", *fidelityEvery))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()
	req, _ := json.Marshal(map[string]any{"dir": dir, "files": files, "modes": fidelityModes, "timeout": 30})
	cmd := testCommand(ctx, env, python, "-u", filepath.Join("testdata", "fidelity.py"))
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fidelity.py: %v\n%s", err, stderr.String())
	}
	got := map[string]string{} // "mode file" → class
	totals := map[string]map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct{ File, Mode, Class, Detail string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("fidelity.py wrote %q: %v", sc.Text(), err)
		}
		got[r.Mode+" "+r.File] = r.Class
		if totals[r.Mode] == nil {
			totals[r.Mode] = map[string]int{}
		}
		totals[r.Mode][r.Class]++
		if r.Class != "pass" {
			t.Logf("%s %s: %s (%s)", r.Mode, r.File, r.Class, r.Detail)
		}
	}
	if want := len(files) * len(fidelityModes); len(got) != want {
		t.Fatalf("fidelity.py reported %d runs, want %d\n%s", len(got), want, stderr.String())
	}
	for _, mode := range fidelityModes {
		passed := totals[mode]["pass"]
		t.Logf("%s: %d passed, %d failed (%s)", mode, passed, len(files)-passed, classCounts(totals[mode]))
	}

	if *fidelityUpdate {
		var lines []string
		for key, class := range got {
			lines = append(lines, key+" "+class)
		}
		slices.Sort(lines)
		header := fmt.Sprintf("# TestGoFidelity's expectations: mode, program of $(go env GOROOT)/test, class.\n"+
			"# Every %d-th program; rewrite with go test -run TestGoFidelity ./cmd/gokernel -args -fidelity.every %d -fidelity.update.\n",
			*fidelityEvery, *fidelityEvery)
		if err := os.WriteFile(expectFile, []byte(header+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readExpectations(t, expectFile)
	for key, class := range got {
		w, ok := want[key]
		switch {
		case !ok:
			t.Errorf("%s: %s, but %s has no line for it (run with -fidelity.update)", key, class, expectFile)
		case classRank[class] > classRank[w]:
			t.Errorf("%s: regression: %s, expected %s", key, class, w)
		case classRank[class] < classRank[w]:
			t.Logf("%s: better than expected: %s, expected %s (record it with -fidelity.update)", key, class, w)
		}
	}
}

// classCounts formats the non-pass classes of a mode.
func classCounts(n map[string]int) string {
	var parts []string
	for _, c := range []string{"unsupported", "wrong", "hang", "crash"} {
		parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
	}
	return strings.Join(parts, ", ")
}

// goTestDir returns $(go env GOROOT)/test.
func goTestDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "test")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("Go's test suite is not there: %v", err)
	}
	return dir
}

// fidelitySample returns every n-th program of the suite, sorted by path:
// the files whose first line is exactly "// run", without a NAME.dir
// directory, whose build constraint admits linux/amd64 with gc and cgo.
func fidelitySample(t *testing.T, dir string, n int) []string {
	t.Helper()
	var all []string
	for _, sub := range fidelityDirs {
		names, err := filepath.Glob(filepath.Join(dir, sub, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if runnable(name) {
				rel, _ := filepath.Rel(dir, name)
				all = append(all, rel)
			}
		}
	}
	slices.Sort(all)
	if len(all) < 900 {
		t.Fatalf("found %d runnable programs in %s; Go 1.26 has about 970", len(all), dir)
	}
	var sample []string
	for k := 0; k < len(all); k += max(n, 1) {
		sample = append(sample, all[k])
	}
	return sample
}

// runnable tells whether the file at path is a program that Go's test
// runner runs as it is on linux/amd64.
func runnable(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, rest, _ := strings.Cut(string(data), "\n")
	if strings.TrimRight(first, "\r") != "// run" {
		return false
	}
	if _, err := os.Stat(strings.TrimSuffix(path, ".go") + ".dir"); err == nil {
		return false
	}
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "package ") {
			break
		}
		if constraint.IsGoBuild(line) {
			expr, err := constraint.Parse(line)
			if err != nil {
				return false
			}
			return expr.Eval(func(tag string) bool {
				switch tag {
				case "linux", "amd64", "gc", "cgo", "unix":
					return true
				}
				return strings.HasPrefix(tag, "go1.")
			})
		}
	}
	return true
}

// readExpectations reads an expectations file: "mode file class" lines,
// with # comments.
func readExpectations(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no expectations for this sample: %v (run with -fidelity.update)", err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		if _, ok := classRank[f[2]]; !ok {
			t.Fatalf("%s: unknown class in %q", path, line)
		}
		want[f[0]+" "+f[1]] = f[2]
	}
	return want
}
