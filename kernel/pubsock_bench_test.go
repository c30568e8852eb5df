package kernel

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// BenchmarkPubSubscribers measures zmq4's PUB socket itself, with no
// publisher of ours in front: 256 MiB in 64 KiB messages are sent as fast as
// Send allows to two subscribers, one that reads as fast as it can and one
// that is fast, reads 200 MiB/s, or never reads. It reports how fast the
// fast subscriber got the data (or how much it got in 10 s), how long Send
// took for all of it, and the peak heap in use while it ran, which is
// mostly zmq4's queue.
//
//	go test -bench PubSubscribers -run '^$' ./kernel
func BenchmarkPubSubscribers(b *testing.B) {
	for _, other := range []struct {
		name string
		rate float64 // bytes per second; 0 reads as fast as it can, -1 never
	}{
		{"fast", 0},
		{"slow200MiB", 200 << 20},
		{"stalled", -1},
	} {
		b.Run(other.name, func(b *testing.B) {
			for range b.N {
				measurePub(b, other.rate)
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

func measurePub(b *testing.B, rate float64) {
	const (
		total = 256 << 20
		chunk = 64 << 10
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := zmq4.NewPub(ctx)
	defer pub.Close()
	if err := pub.Listen("tcp://127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	ep := "tcp://" + pub.Addr().(*net.TCPAddr).String()
	dial := func() zmq4.Socket {
		sub := zmq4.NewSub(ctx)
		if err := sub.Dial(ep); err != nil {
			b.Fatal(err)
		}
		if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
			b.Fatal(err)
		}
		return sub
	}
	fast, other := dial(), dial()
	defer fast.Close()
	defer other.Close()
	for len(pub.(zmq4.Topics).Topics()) == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // both subscriptions in

	var fastGot atomic.Int64
	fastDone := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		for fastGot.Load() < total {
			m, err := fast.Recv()
			if err != nil {
				return
			}
			fastGot.Add(int64(len(m.Bytes())))
		}
		fastDone <- time.Since(start)
	}()
	if rate >= 0 {
		go func() {
			got := 0
			for got < total {
				m, err := other.Recv()
				if err != nil {
					return
				}
				got += len(m.Bytes())
				if rate > 0 {
					if ahead := time.Duration(float64(got)/rate*float64(time.Second)) - time.Since(start); ahead > 0 {
						time.Sleep(ahead)
					}
				}
			}
		}()
	}

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	for sent := 0; sent < total; sent += chunk {
		// A new buffer each time, as encoded messages are.
		if err := pub.Send(zmq4.NewMsgFrom([]byte("stream"), make([]byte, chunk))); err != nil {
			b.Fatal(err)
		}
	}
	sendTook := time.Since(start)
	var fastTook time.Duration
	select {
	case fastTook = <-fastDone:
	case <-time.After(10 * time.Second):
	}
	close(stop)
	<-sampled
	mib := float64(1 << 20)
	if fastTook > 0 {
		b.ReportMetric(total/mib/fastTook.Seconds(), "fast-MiB/s")
	} else {
		b.ReportMetric(float64(fastGot.Load())/mib, "fast-got-MiB")
	}
	b.ReportMetric(sendTook.Seconds()*1000, "send-ms")
	b.ReportMetric(float64(peak.Load())/mib, "peak-heap-MiB")
	b.Log(fmt.Sprintf("fast subscriber: %.0f of %d MiB", float64(fastGot.Load())/mib, total>>20))
}
