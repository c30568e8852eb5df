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

// floodCase is one line of testdata/flood.py's output.
type floodCase struct {
	Case         string       `json:"case"`
	IdleSeen     bool         `json:"idle_seen"`
	ArrivedShare float64      `json:"arrived_share"`
	ClientMiBs   float64      `json:"client_mib_s"`
	Accounted    bool         `json:"accounted"`
	PeakRSS      float64      `json:"peak_rss"`
	StallPeak    float64      `json:"peak_rss_during_stall"`
	Fast         *floodClient `json:"fast"`
	Stalled      *floodClient `json:"stalled"`
}

// floodClient is what one client of the stall case saw.
type floodClient struct {
	IdleSeen  bool `json:"idle_seen"`
	Accounted bool `json:"accounted"`
}

// BenchmarkFlood runs testdata/flood.py against the package's gokernel: a
// cell writing 1 GiB to a client that reads 200 MiB/s, and a cell writing
// for 30 s while one client reads and another has stopped. It reports the
// share of the 1 GiB that arrived (target ≥ 90 %), the rate the client got,
// and the peak RSS of the kernel's process tree during the stall (target
// < 256 MiB), and fails if a client did not see its cell end or if the
// text that arrived plus the bytes the notes count as dropped is not what
// the cell wrote. It takes about a minute:
//
//	go test -bench Flood -run '^$' ./cmd/gokernel
func BenchmarkFlood(b *testing.B) {
	env := jupyterEnv(b)
	for range b.N {
		ctx, cancel := context.WithTimeout(b.Context(), 6*time.Minute)
		cmd := testCommand(ctx, env, python, "testdata/flood.py", "--kernel", kernelspec.DefaultName)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		if err != nil {
			b.Errorf("flood.py: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
		}
		sc := bufio.NewScanner(&stdout)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "{") {
				continue
			}
			b.Log(line)
			var c floodCase
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				b.Fatalf("flood.py: %v: %s", err, line)
			}
			const mib = 1 << 20
			switch c.Case {
			case "rate":
				if !c.IdleSeen || !c.Accounted {
					b.Errorf("1 GiB at 200 MiB/s: idle seen %v, every byte accounted for %v", c.IdleSeen, c.Accounted)
				}
				b.ReportMetric(100*c.ArrivedShare, "flood-arrived-%")
				b.ReportMetric(c.ClientMiBs, "flood-client-MiB/s")
				b.ReportMetric(c.PeakRSS/mib, "flood-peak-MiB")
			case "stall":
				for name, r := range map[string]*floodClient{"reading": c.Fast, "stalled": c.Stalled} {
					if r == nil || !r.IdleSeen || !r.Accounted {
						b.Errorf("stall, %s client: %+v", name, r)
					}
				}
				b.ReportMetric(c.StallPeak/mib, "stall-peak-MiB")
			}
		}
	}
	b.ReportMetric(0, "ns/op")
}
