package waitline

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// process is a fake process for a Watch: the call it is blocked in is set
// by the test.
type process struct {
	mu    sync.Mutex
	call  *Call
	first time.Time // of the first look
	looks atomic.Int32
}

func (p *process) block(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.call = nil
	if what != "" {
		p.call = &Call{What: what}
	}
}

func (p *process) look() *Call {
	p.looks.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.first.IsZero() {
		p.first = time.Now()
	}
	if p.call == nil {
		return nil
	}
	c := *p.call
	return &c
}

type event struct {
	kind string // "show" or "done"
	call Call
	at   time.Time
}

func watchFake(p *process, after time.Duration) (*Watch, chan event) {
	events := make(chan event, 16)
	report := func(kind string) func(*Call) {
		return func(c *Call) { events <- event{kind, *c, time.Now()} }
	}
	return start(after, after/8, p.look, report("show"), report("done")), events
}

func next(t *testing.T, events chan event, kind, what string) event {
	t.Helper()
	select {
	case e := <-events:
		if e.kind != kind || e.call.What != what {
			t.Fatalf("got %s %q, want %s %q", e.kind, e.call.What, kind, what)
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s %q within 5 s", kind, what)
	}
	panic("unreachable")
}

func TestWatchShortProcessCostsNoLook(t *testing.T) {
	p := &process{}
	p.block("open")
	w, events := watchFake(p, time.Hour)
	w.Stop()
	if n := p.looks.Load(); n != 0 {
		t.Errorf("a process stopped before After was looked at %d times, want 0", n)
	}
	if len(events) != 0 {
		t.Errorf("a process stopped before After got %d events, want none", len(events))
	}
}

func TestWatch(t *testing.T) {
	const after = 100 * time.Millisecond
	p := &process{}
	p.block("open(a)") // blocked from the start
	begun := time.Now()
	w, events := watchFake(p, after)

	// Shown at the first look, as blocked since the start. That look
	// comes a Poll after After, so that a process that gives up at After,
	// as "timeout 2" makes it, is not shown in a race with its end.
	e := next(t, events, "show", "open(a)")
	p.mu.Lock()
	first := p.first.Sub(begun)
	p.mu.Unlock()
	if poll := after / 8; first < after+poll {
		t.Errorf("the first look came %v after the start, want ≥ %v", first, after+poll)
	}
	if d := e.call.Since.Sub(begun); d < 0 || d > after/2 {
		t.Errorf("the first call's Since is %v after the start, want about 0", d)
	}
	p.block("")
	next(t, events, "done", "open(a)")

	// A call that returns before After is never shown.
	p.block("read(b)")
	time.Sleep(after / 4)
	p.block("")
	time.Sleep(after / 2)

	// A later call is shown once it has been blocked for After, and done
	// when the watch stops.
	p.block("write(c)")
	blocked := time.Now()
	e = next(t, events, "show", "write(c)")
	if d := e.at.Sub(blocked); d < after-after/8 {
		t.Errorf("a later call was shown %v after it blocked, want about %v or more", d, after)
	}
	w.Stop()
	next(t, events, "done", "write(c)")
	looks := p.looks.Load()
	time.Sleep(after / 2)
	if n := p.looks.Load(); n != looks || len(events) != 0 {
		t.Errorf("after Stop: %d more looks, %d more events, want none", n-looks, len(events))
	}
}
