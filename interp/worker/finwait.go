package worker

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// finWaitValue is the error value of a cell that finWatch ended.
const finWaitValue = "the cell waits for a finalizer that the interpreter does not run; run it as a whole program"

// finWaitAfter is how long a cell's goroutine must stay blocked, after it
// called runtime.GC with finalizers pending, before finWatch ends it.
const finWaitAfter = 3 * time.Second

// finWatch ends a cell that waits for a finalizer that the interpreter
// will not run: the cell set finalizers (runtime.SetFinalizer), none of
// which has run, called runtime.GC, and then stays blocked (on a channel,
// a select, a lock) in that goroutine for finWaitAfter. The interpreter
// keeps values alive longer than compiled Go does, so such a cell would
// wait forever; it ends with an InterpreterError instead.
type finWatch struct {
	mu      sync.Mutex
	pending int       // finalizers set and not yet run
	ran     time.Time // when a finalizer last ran
	cell    uint64    // the cell being watched, 0 when none
	stopped uint64    // the cell that finWatch ended
}

// setFinalizer is runtime.SetFinalizer, with the finalizer counted while
// it has not run.
func (f *finWatch) setFinalizer(obj, finalizer any) {
	if finalizer == nil {
		runtime.SetFinalizer(obj, nil)
		return
	}
	fv := reflect.ValueOf(finalizer)
	if fv.Kind() != reflect.Func {
		runtime.SetFinalizer(obj, finalizer) // panics as Go does
		return
	}
	f.mu.Lock()
	f.pending++
	f.mu.Unlock()
	wrapped := reflect.MakeFunc(fv.Type(), func(args []reflect.Value) []reflect.Value {
		f.mu.Lock()
		f.pending--
		f.ran = time.Now()
		f.mu.Unlock()
		return fv.Call(args)
	})
	runtime.SetFinalizer(obj, wrapped.Interface())
}

// gc is runtime.GC. When finalizers are pending, it starts watching the
// calling goroutine of the running cell (see finWatch).
func (f *finWatch) gc(w *Worker) {
	runtime.GC()
	f.mu.Lock()
	pending := f.pending > 0
	f.mu.Unlock()
	if !pending {
		return
	}
	w.mu.Lock()
	id := w.running
	w.mu.Unlock()
	g := goroutineID()
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == 0 || g == "" || f.cell == id {
		return
	}
	f.cell = id
	go f.watch(w, id, g)
}

// watch ends cell id when goroutine g stays blocked for finWaitAfter with
// finalizers pending and none run meanwhile. It returns when the cell ends.
func (f *finWatch) watch(w *Worker, id uint64, g string) {
	defer func() {
		f.mu.Lock()
		if f.cell == id {
			f.cell = 0
		}
		f.mu.Unlock()
	}()
	var since time.Time // when g was first seen blocked, in a row
	for {
		time.Sleep(250 * time.Millisecond)
		w.mu.Lock()
		running := w.running == id
		w.mu.Unlock()
		if !running {
			return
		}
		now := time.Now()
		if !goroutineBlocked(g) {
			since = time.Time{}
			continue
		}
		if since.IsZero() {
			since = now
		}
		f.mu.Lock()
		waiting := f.pending > 0 && f.ran.Before(since)
		f.mu.Unlock()
		if !waiting {
			since = time.Time{}
			continue
		}
		if now.Sub(since) >= finWaitAfter {
			f.mu.Lock()
			f.stopped = id
			f.mu.Unlock()
			w.interrupt(id)
			return
		}
	}
}

// took reports whether finWatch ended cell id.
func (f *finWatch) took(id uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped == id
}

// goroutineID is the number of the calling goroutine, from its stack's
// header ("goroutine 12 [running]:").
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	rest, ok := bytes.CutPrefix(buf, []byte("goroutine "))
	if !ok {
		return ""
	}
	n, _, _ := bytes.Cut(rest, []byte(" "))
	if _, err := strconv.Atoi(string(n)); err != nil {
		return ""
	}
	return string(n)
}

// goroutineBlocked tells whether goroutine g waits on a channel, a select
// or a lock.
func goroutineBlocked(g string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	head := []byte("goroutine " + g + " [")
	i := bytes.Index(buf, head)
	if i < 0 || (i > 0 && buf[i-1] != '\n') {
		return false
	}
	state := buf[i+len(head):]
	for _, s := range []string{"chan receive", "chan send", "select", "semacquire", "sync.Mutex.Lock", "sync.RWMutex", "sync.Cond.Wait", "sync.WaitGroup.Wait"} {
		if bytes.HasPrefix(state, []byte(s)) {
			return true
		}
	}
	return false
}
