package magics

import (
	"time"

	"github.com/beacceaf/gokernel/kernel"
)

// minUpdateGap spaces a job's display updates: at most 10 a second.
const minUpdateGap = 100 * time.Millisecond

// Routing of a job's display updates between goroutines.
//
// A job's display area belongs to the cell that started the job, but that
// cell's request usually ended long ago, and a headless client (nbclient)
// reads only the messages of the cell it is running. So the routing keeps
// this invariant:
//
//   - Only the job's publish goroutine sends its updates (SetOutput's
//     resend aside), so a job's updates go out one at a time, in order, each
//     at least minUpdateGap after the last, and an update identical to the
//     previous one is not sent.
//   - Each update goes through exactly one Output: that of the cell running
//     at that moment (Jobs.out, set by SetOutput), or the job's own cell's
//     when no cell runs. It always carries the job's display id, so it lands
//     in the job's own area whichever cell carries it.
//   - An update that went through the job's own Output while no cell ran, or
//     through a cell's Output while that cell was ending (SetOutput was
//     called again before Update returned, so the update may follow the
//     cell's idle status, which headless clients ignore), is marked
//     (sentIdle) and sent again, as the job's latest state, through the next
//     cell that starts; so every client sees every job's latest state by the
//     end of the next cell.
//   - The first display (in Start) goes out before publish starts, so no
//     update precedes the display it updates.
//
// Jobs.mu guards Jobs.out; job.mu guards sentIdle. Neither is held while an
// Output is called.

// SetOutput sets the Output of the cell now running; display updates of
// every job go through it. The interpreter calls SetOutput(out) when a cell
// starts and SetOutput(nil) when it ends.
//
// An update sent while no cell ran goes through the job's own cell, whose
// request has ended: a live Notebook applies it by its display id, but a
// headless client (nbclient) only reads the messages of the cell it runs.
// So when the next cell starts, such a job's latest state is sent again
// through that cell.
func (js *Jobs) SetOutput(out kernel.Output) {
	js.mu.Lock()
	js.out = out
	js.cell++
	all := append([]*job(nil), js.jobs...)
	js.mu.Unlock()
	if out == nil {
		return
	}
	for _, j := range all {
		j.mu.Lock()
		resend := j.sentIdle
		j.sentIdle = false
		j.mu.Unlock()
		if resend {
			b, _ := j.render()
			out.Update(b, nil, j.displayID)
		}
	}
}

// current returns the running cell's Output (nil when no cell runs) and the
// count of SetOutput calls that identifies that cell.
func (js *Jobs) current() (kernel.Output, uint64) {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.out, js.cell
}

// cellEnded reports whether SetOutput was called since current returned cell.
func (js *Jobs) cellEnded(cell uint64) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.cell != cell
}

// touch asks for a display update.
func (j *job) touch() {
	select {
	case j.dirty <- struct{}{}:
	default:
	}
}

// send sends one display update through the running cell's Output, or the
// job's own when no cell runs. When the cell it used ends (or another
// starts) before Update returns, the update may have followed that cell's
// idle status, so it is sent again through whatever runs now.
func (j *job) send(b kernel.Bundle) {
	for {
		out, cell := j.js.current()
		j.mu.Lock()
		j.sentIdle = out == nil
		j.mu.Unlock()
		if out == nil {
			out = j.own
		}
		out.Update(b, nil, j.displayID)
		if !j.js.cellEnded(cell) {
			return
		}
	}
}

// publish sends display updates, at most one per minUpdateGap, through the
// running cell's Output, or the job's own when no cell runs. It ends once
// the job has exited, its output is all read and the last update is sent.
func (j *job) publish() {
	var last time.Time
	var lastText string // the text/plain sent last: an identical update is not sent again
	readersDone := make(chan struct{})
	go func() { j.readersWG.Wait(); close(readersDone) }()
	for {
		<-j.dirty
		if d := time.Until(last.Add(minUpdateGap)); d > 0 {
			time.Sleep(d)
		}
		b, ended := j.render()
		if text, _ := b["text/plain"].(string); text != lastText {
			j.send(b)
			last, lastText = time.Now(), text
		}
		if !ended {
			continue
		}
		select {
		case <-j.finished:
		default:
			close(j.finished)
		}
		select {
		case <-readersDone:
			if len(j.dirty) == 0 {
				return
			}
		default:
		}
	}
}
