package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	kernelBenchArgs = flag.String("kernelbench", "",
		`extra arguments for testdata/bench.py in BenchmarkKernels, such as "--sittings 3"`)
	kernelBenchReport = flag.String("kernelbench.report", filepath.Join(os.TempDir(), "gokernel-bench.md"),
		"file for BenchmarkKernels's full report")
	kernelBenchPeers = flag.String("kernelbench.peers", "",
		"comma-separated kernelspec directories (…/share/jupyter/kernels/NAME) of kernels to measure beside, such as gophernotes")
)

// kernelBenchRuns holds the outcome of each benchmark's run of bench.py. A
// run takes about a minute and measures many sittings itself, so when the
// testing package calls the benchmark again with a larger b.N, it reports the
// same run. Each -count gets a new *testing.B, and so a new run.
var (
	kernelBenchMu   sync.Mutex
	kernelBenchRuns = map[*testing.B]kernelBenchOutcome{}
)

type kernelBenchOutcome struct {
	report  string // bench.py's standard output: the markdown tables
	summary kernelBenchSummary
	err     error // the run failed; report and summary may still be set
}

// kernelBenchSummary is the JSON that bench.py --json writes.
type kernelBenchSummary struct {
	Kernels  []string            `json:"kernels"` // the baseline, then the kernel compared with it
	Floor    string              `json:"floor"`   // the floor kernel's label
	Peers    []string            `json:"peers"`   // kernels measured beside, without targets
	Metrics  []kernelBenchMetric `json:"metrics"`
	Failures map[string][]string `json:"failures"`
}

type kernelBenchMetric struct {
	ID     string              `json:"id"`
	Unit   string              `json:"unit"`
	Values map[string]*float64 `json:"values"` // by kernel; null if unmeasured
	Ratio  *float64            `json:"ratio"`  // second kernel over first
}

// BenchmarkKernels compares gokernel with ipykernel: start-up, the round
// trip of a trivial cell, printing 10 000 lines, and memory. It installs
// the package's gokernel binary into a temporary prefix, and runs
// testdata/bench.py under /usr/bin/python3. Beside them it measures
// testdata/floorkernel, gokernel's protocol side with cells that do
// nothing: the floor under gokernel's figures. Run it with
//
//	go test -bench Kernels -run '^$' ./cmd/gokernel
//
// and pass bench.py flags with -kernelbench "--sittings 3". It logs the
// table of medians, writes bench.py's full report (machine, figures per
// sitting, anomalies) to the file that -kernelbench.report names, and reports
// each ratio (gokernel over ipykernel) as ID-ratio, gokernel's own figures
// as ID-ms and ID-MiB, and the floor's trivial-cell ratios as
// ID-floor-ratio. With -kernelbench.peers, it also measures those kernels
// (gophernotes, say, which the Go module proxy does not serve, so it is
// built by hand) and reports each peer's ratios as ID-PEER-ratio and
// gokernel's over the peer's as ID-vs-PEER.
func BenchmarkKernels(b *testing.B) {
	kernelBenchMu.Lock()
	out, ok := kernelBenchRuns[b]
	if !ok {
		env := jupyterEnv(b)
		env = append(env, installFloorKernel(b, env))
		env, peers := addPeers(b, env, *kernelBenchPeers)
		out = runKernelBench(b.Context(), env, peers, b.TempDir())
		kernelBenchRuns[b] = out
		if out.report != "" && *kernelBenchReport != "" {
			if err := os.WriteFile(*kernelBenchReport, []byte(out.report), 0o666); err != nil {
				b.Error(err)
			}
		}
	}
	kernelBenchMu.Unlock()

	if out.err != nil {
		// The testing package prints a failed benchmark's log in full.
		b.Fatalf("%v\n%s", out.err, out.report)
	}
	// It keeps only ten lines of a passing one's.
	b.Logf("medians; full report in %s\n%s", *kernelBenchReport, headline(out.report))
	s := out.summary
	if len(s.Kernels) != 2 || s.Floor == "" {
		b.Fatalf("bench.py reported kernels %q and floor %q, want two and a floor", s.Kernels, s.Floor)
	}
	base, cand := s.Kernels[0], s.Kernels[1]
	for _, m := range s.Metrics {
		if m.Ratio != nil {
			b.ReportMetric(*m.Ratio, m.ID+"-ratio")
		}
		if v := m.Values[cand]; v != nil {
			b.ReportMetric(*v, m.ID+"-"+m.Unit)
		}
		if f, v := m.Values[s.Floor], m.Values[base]; strings.HasPrefix(m.ID, "trivial") && f != nil && v != nil && *v > 0 {
			b.ReportMetric(*f / *v, m.ID+"-floor-ratio")
		}
		for _, peer := range s.Peers {
			p, v, c := m.Values[peer], m.Values[base], m.Values[cand]
			if m.Ratio != nil && p != nil && v != nil && *v > 0 {
				b.ReportMetric(*p / *v, m.ID+"-"+peer+"-ratio")
			}
			if m.Ratio != nil && p != nil && c != nil && *p > 0 {
				b.ReportMetric(*c / *p, m.ID+"-vs-"+peer)
			}
		}
	}
	// The run's wall time per b.N says nothing.
	b.ReportMetric(0, "ns/op")
}

// headline returns the rows of the report's first table, except those of
// figures given for information only.
func headline(report string) string {
	var rows []string
	for line := range strings.Lines(report) {
		switch {
		case strings.HasPrefix(line, "|"):
			if !strings.Contains(line, "(info)") {
				rows = append(rows, strings.TrimSuffix(line, "\n"))
			}
		case len(rows) > 0:
			return strings.Join(rows, "\n")
		}
	}
	return strings.Join(rows, "\n")
}

// runKernelBench runs bench.py against gokernel and ipykernel in env, a
// hermetic Jupyter environment with gokernel installed (see jupyterEnv),
// and keeps its summary in the empty directory tmp.
func runKernelBench(ctx context.Context, env, peers []string, tmp string) kernelBenchOutcome {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()

	jsonPath := filepath.Join(tmp, "bench.json")
	args := []string{"testdata/bench.py", "--kernels", "python3,gokernel", "--floor", floorKernelName, "--json", jsonPath}
	if len(peers) > 0 {
		args = append(args, "--peers", strings.Join(peers, ","))
	}
	args = append(args, strings.Fields(*kernelBenchArgs)...)
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	out := kernelBenchOutcome{report: stdout.String()}
	var exitErr *exec.ExitError
	if runErr != nil && !(errors.As(runErr, &exitErr) && exitErr.ExitCode() == 1) {
		// Not a measured failure: bench.py could not run.
		out.err = fmt.Errorf("bench.py: %w\n%s", runErr, stderr.Bytes())
		return out
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		out.err = fmt.Errorf("bench.py wrote no summary: %w\n%s", err, stderr.Bytes())
		return out
	}
	if err := json.Unmarshal(data, &out.summary); err != nil {
		out.err = fmt.Errorf("bench.py summary: %w", err)
		return out
	}
	if runErr != nil {
		var msgs []string
		for _, kernel := range slices.Sorted(maps.Keys(out.summary.Failures)) {
			for _, f := range out.summary.Failures[kernel] {
				msgs = append(msgs, kernel+": "+f)
			}
		}
		out.err = fmt.Errorf("bench.py: a kernel failed:\n%s", strings.Join(msgs, "\n"))
	}
	return out
}

// addPeers makes the kernelspec directories in list, separated by commas,
// visible in env: each one's share/jupyter directory joins the end of
// JUPYTER_PATH, after gokernel's. It returns the new env and the peers'
// kernelspec names.
func addPeers(b *testing.B, env []string, list string) ([]string, []string) {
	b.Helper()
	var dirs, names []string
	for _, spec := range strings.Split(list, ",") {
		if spec == "" {
			continue
		}
		spec, err := filepath.Abs(spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(spec, "kernel.json")); err != nil {
			b.Fatalf("-kernelbench.peers: %v", err)
		}
		kernels := filepath.Dir(spec)
		if filepath.Base(kernels) != "kernels" {
			b.Fatalf("-kernelbench.peers: %s is not in a directory named kernels", spec)
		}
		dirs, names = append(dirs, filepath.Dir(kernels)), append(names, filepath.Base(spec))
	}
	if len(dirs) == 0 {
		return env, nil
	}
	out := slices.Clone(env)
	for i := len(out) - 1; i >= 0; i-- { // the last setting is the one that counts
		if v, ok := strings.CutPrefix(out[i], "JUPYTER_PATH="); ok {
			out[i] = "JUPYTER_PATH=" + strings.Join(append([]string{v}, dirs...), string(filepath.ListSeparator))
			return out, names
		}
	}
	return append(out, "JUPYTER_PATH="+strings.Join(dirs, string(filepath.ListSeparator))), names
}

// floorKernelName is the kernelspec of testdata/floorkernel.
const floorKernelName = "gokernel-floor"

// installFloorKernel builds testdata/floorkernel and installs its
// kernelspec beside gokernel's in env, a hermetic Jupyter environment (see
// jupyterEnv). It returns env's JUPYTER_PATH setting, extended with the
// kernelspec's directory.
func installFloorKernel(b *testing.B, env []string) string {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "floorkernel")
	cmd := exec.CommandContext(b.Context(), "go", "build", "-o", bin, "./testdata/floorkernel")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build ./testdata/floorkernel: %v\n%s", err, out)
	}
	spec := filepath.Join(dir, "share", "jupyter", "kernels", floorKernelName)
	if err := os.MkdirAll(spec, 0o755); err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(map[string]any{
		"argv":         []string{bin, "{connection_file}"},
		"display_name": "gokernel floor (cells do nothing)",
		"language":     "go",
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spec, "kernel.json"), js, 0o644); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "share", "jupyter")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "JUPYTER_PATH="); ok && v != "" {
			path += string(filepath.ListSeparator) + v
		}
	}
	return "JUPYTER_PATH=" + path
}
