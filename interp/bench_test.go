package interp_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

// BenchmarkTrivialCell measures one `x := 1` cell through the worker hop,
// without ZeroMQ. Besides the mean it reports the median and the 99th
// percentile of the cells' times.
func BenchmarkTrivialCell(b *testing.B) {
	in := newInterpreter(b, b.TempDir())
	ctx := context.Background()
	var times []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		res := in.Execute(ctx, &kernel.ExecuteRequest{Code: "x := 1", Count: i + 1, StoreHistory: true}, &kerneltest.Recorder{})
		times = append(times, time.Since(start))
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkPrint10k measures a cell that prints 10 000 lines, through the
// worker hop and the pipes, without ZeroMQ.
func BenchmarkPrint10k(b *testing.B) {
	in := newInterpreter(b, b.TempDir())
	ctx := context.Background()
	if res := in.Execute(ctx, &kernel.ExecuteRequest{Code: `import "fmt"`, Count: 1}, &kerneltest.Recorder{}); res.Err != nil {
		b.Fatal(res.Err)
	}
	for i := 0; b.Loop(); i++ {
		rec := &kerneltest.Recorder{}
		res := in.Execute(ctx, &kernel.ExecuteRequest{Code: "for i := 0; i < 10000; i++ { fmt.Println(i) }", Count: i + 2}, rec)
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		if n := strings.Count(rec.Stdout(), "\n"); n != 10000 {
			b.Fatalf("%d lines", n)
		}
	}
}
