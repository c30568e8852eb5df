package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernelspec"
)

// soakResult is one line of testdata/soak.py's output.
type soakResult struct {
	Kernel      string             `json:"kernel"`
	Cells       int                `json:"cells"`
	HeapPerCell float64            `json:"heap_per_cell"`
	RSSPerCell  map[string]float64 `json:"rss_per_cell"`
}

// BenchmarkSoak runs testdata/soak.py: 10,000 trivial cells in ipykernel
// and in gokernel, after 200 of warm-up, with garbage collected before each
// measurement. It reports what each cell leaves behind, in bytes: the Go
// heap in use in gokernel's worker (worker-heap-B/cell, target ≤ 1024), and
// the RSS of each process (kernel-, worker- and ipykernel-RSS-B/cell). It
// takes about two minutes:
//
//	go test -bench Soak -run '^$' ./cmd/gokernel
//
// Where the worker's 2.6–2.7 KiB a cell go, from heap profiles taken with
// GODEBUG=memprofilerate=1 before and after 2,000 cells: yaegi keeps about
// 2.4 KiB. 1.3 KiB are the AST nodes of the cell's compiled unit, which
// yaegi appends to its roots for its debugger on every compile, whatever
// the options; 0.55 KiB are the unit's entry in yaegi's go/token FileSet
// (the File, its line table, its node in the set's tree); the rest are
// scopes, global frame slots and compiled values. None can be released
// through yaegi's API: restarting the kernel frees them. Ours is 0.18 KiB,
// the debugger's cell-to-path map and each unit's Program, kept so that
// breakpoints work in functions of earlier cells. The kernel keeps 0.13
// KiB a cell: the history (for history_request) and the replay log of
// signatures, which stops growing at 2^16 messages.
func BenchmarkSoak(b *testing.B) {
	env := jupyterEnv(b)
	for range b.N {
		ctx, cancel := context.WithTimeout(b.Context(), 8*time.Minute)
		cmd := testCommand(ctx, env, python, "testdata/soak.py", "--kernels", "python3,"+kernelspec.DefaultName)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			b.Fatalf("soak.py: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
		}
		sc := bufio.NewScanner(&stdout)
		for sc.Scan() {
			b.Log(sc.Text())
			var r soakResult
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				b.Fatalf("soak.py: %v: %s", err, sc.Text())
			}
			for name, v := range r.RSSPerCell {
				// Process names are "gokernel kernel", "gokernel-worker"
				// and "python3 -m" (ipykernel).
				role := "ipykernel"
				switch {
				case r.Kernel == "ipykernel":
				case strings.HasSuffix(strings.TrimSpace(name), "-worker"):
					role = "worker"
				default:
					role = "kernel"
				}
				b.ReportMetric(v, role+"-RSS-B/cell")
			}
			if r.Kernel != "ipykernel" {
				b.ReportMetric(r.HeapPerCell, "worker-heap-B/cell")
			}
		}
	}
	b.ReportMetric(0, "ns/op")
}
