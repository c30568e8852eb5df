package interp_test

import (
	"context"
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
