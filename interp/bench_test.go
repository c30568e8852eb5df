package interp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

// BenchmarkTrivialCell measures one `x := 1` cell through the worker hop,
// without ZeroMQ.
func BenchmarkTrivialCell(b *testing.B) {
	in := newInterpreter(b, b.TempDir())
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		res := in.Execute(ctx, &kernel.ExecuteRequest{Code: "x := 1", Count: i + 1, StoreHistory: true}, &kerneltest.Recorder{})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
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
