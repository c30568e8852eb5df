package waitline

import "time"

// A Watch shows the FIFO calls that a running process stays blocked in. It
// is the one timing rule behind every status line: a call is shown once it
// has been blocked for After, and reported done once it has returned. The
// watch looks every Poll, from After+Poll on; a call found at the first
// look is taken to have waited since the watch started, so that a process
// blocked from its start gets its line then. A process that gives up at
// After, as "timeout 2 cat my_fifo" does, gets none: the first look comes a
// Poll later, not in a race with its end. A process that ends sooner, as
// most cells and commands do, costs a timer: the watch's goroutine starts
// only at After+Poll.
type Watch struct {
	t    *time.Timer
	stop chan struct{}
	done chan struct{} // closed when the watch's goroutine has returned
}

// Start starts a watch. look returns the call the process is blocked in
// now, or nil; it should return within a few milliseconds. show is called
// with each call once it has been blocked for After, and done with that
// call once it has returned, been replaced by another, or the watch has
// been stopped. look, show and done are called from the watch's
// goroutine only, one at a time, and never after Stop has returned.
func Start(look func() *Call, show, done func(*Call)) *Watch {
	return start(After, Poll, look, show, done)
}

func start(after, poll time.Duration, look func() *Call, show, done func(*Call)) *Watch {
	w := &Watch{stop: make(chan struct{}), done: make(chan struct{})}
	begun := time.Now()
	w.t = time.AfterFunc(after+poll, func() {
		defer close(w.done)
		w.run(begun, after, poll, look, show, done)
	})
	return w
}

func (w *Watch) run(begun time.Time, after, poll time.Duration, look func() *Call, show, done func(*Call)) {
	t := time.NewTicker(poll)
	defer t.Stop()
	var cur *Call // the call being watched, since it was first seen
	shown := false
	for first := true; ; first = false {
		call := look()
		if cur != nil && (call == nil || call.What != cur.What) {
			if shown {
				done(cur)
			}
			cur, shown = nil, false
		}
		if call != nil && cur == nil {
			call.Since = time.Now()
			if first {
				call.Since = begun // it may have been blocked since the start
			}
			cur = call
		}
		if cur != nil && !shown && time.Since(cur.Since) >= after {
			show(cur)
			shown = true
		}
		select {
		case <-w.stop:
			if shown {
				done(cur)
			}
			return
		case <-t.C:
		}
	}
}

// Stop ends the watch. When it returns, done has been called for the call
// shown last, if it had not returned before.
func (w *Watch) Stop() {
	close(w.stop)
	if !w.t.Stop() {
		<-w.done
	}
}
